"""How English texts write the corpus's Chinese names: tone-less pinyin (pypinyin), joined (Zhang
Xuanyu -> zhangxuanyu), given name first as well for people (xuanyuzhang), and for places with and
without their kind (兰山区 -> lanshanqu, lanshan). Matching is on letters only, so spacing, hyphens and
apostrophes (Xi'an) do not matter."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from ingest.records import Named

_PLACE_KINDS = ("高新区", "开发区", "新区", "街道", "自治县", "自治州", "区", "县", "市", "镇", "乡", "州")


@lru_cache(maxsize=65536)
def syllables(chinese: str) -> tuple[str, ...]:
    """Tone-less pinyin, one syllable per character (ü written u, as English texts do)."""
    from pypinyin import Style, lazy_pinyin

    return tuple(
        s.replace("ü", "u").replace("v", "u")
        for s in lazy_pinyin(chinese, style=Style.NORMAL, errors="ignore")
    )


@lru_cache(maxsize=1)
def _pinyin_word() -> re.Pattern[str]:
    from pypinyin.constants import PINYIN_DICT
    from pypinyin.contrib.tone_convert import to_normal

    toned = {p for value in PINYIN_DICT.values() for p in value.split(",")}
    plain = {to_normal(p).replace("ü", "u") for p in toned}
    found = sorted((p for p in plain if p.isascii() and p.isalpha()), key=len, reverse=True)
    return re.compile(f"(?:{'|'.join(found)})+")


def spells_pinyin(word: str) -> bool:
    """The word is made of pinyin syllables (huiyang, luozhuang): perhaps a Chinese name written in
    lower case, never to be read as a misspelt English word."""
    return bool(_pinyin_word().fullmatch(word.lower()))


def in_pinyin(chinese: str, *, person: bool = False) -> str:
    """How an English text writes a name: Linyi, Hebei; a person's surname apart (Sun Aijun)."""
    parts = syllables(chinese)
    if not parts:
        return chinese
    if person and len(parts) >= 2:
        return f"{parts[0].capitalize()} {''.join(parts[1:]).capitalize()}"
    return "".join(parts).capitalize()


def letters(text: str) -> str:
    """The key an English spelling is matched by: lower-case letters only."""
    return re.sub(r"[^a-z]", "", text.lower())


def spellings(named: Named) -> set[str]:
    """Keys under which English texts may write this name."""
    pinyin = syllables(named.name)
    if len(pinyin) < 2 or len(pinyin) != len(named.name):
        return set()
    keys = {"".join(pinyin)}
    if named.kind == "person" and 2 <= len(pinyin) <= 4:
        keys.add("".join(pinyin[1:] + pinyin[:1]))  # Xuanyu Zhang
    if named.kind == "place":
        for kind in _PLACE_KINDS:
            if named.name.endswith(kind) and len(named.name) - len(kind) >= 2:
                keys.add("".join(syllables(named.name[: -len(kind)])))
                break
    return keys


def romanised_index(names: Iterable[Named]) -> dict[str, tuple[str, ...]]:
    """Letters key -> the Chinese names written that way, for every name given."""
    table: dict[str, dict[str, None]] = defaultdict(dict)
    for named in names:
        for key in spellings(named):
            table[key][named.name] = None
    return {key: tuple(found) for key, found in table.items()}
