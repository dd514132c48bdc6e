"""One normalisation for documents and questions, so that Traditional meets Simplified.

`normalize_text` is what the keyword index and the embedders see, for chunks *and* for questions.
Display text keeps the original script; only this search copy is folded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ZERO_WIDTH = re.compile("[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t():  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("s2t")


@lru_cache(maxsize=1)
def _t2s_marks() -> frozenset[str]:
    """The characters without which OpenCC's t2s changes nothing: of each dictionary entry that
    converts (a character, or a phrase such as 瞭解 -> 了解), the characters that differ, all of them
    when the lengths differ. An entry matches only where all its characters are, so a text holding
    none of these comes out as it went in."""
    marks: set[str] = set()
    for group in _t2s()._dict_chain_data:  # the dictionaries the converter has loaded
        for _, _, table in group:
            for key, values in table.items():
                value = values.split(" ")[0]  # the converter writes an entry's first form
                if key == value:
                    continue
                if len(key) != len(value):
                    marks.update(key)
                else:
                    marks.update(a for a, b in zip(key, value, strict=True) if a != b)
    return frozenset(marks)


def to_simplified(text: str) -> str:
    """Traditional to Simplified (OpenCC t2s); Simplified text passes unchanged, without the converter's
    character-by-character walk when it holds no character t2s converts."""
    if _t2s_marks().isdisjoint(text):
        return text
    return str(_t2s().convert(text))


def to_traditional(text: str) -> str:
    return str(_s2t().convert(text))


def fold_width(text: str) -> str:
    """Full-width ASCII letters and digits to half-width (２０２２ -> 2022); keeps CJK punctuation."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            out.append(chr(code - 0xFEE0))
        elif ch == "\u3000":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def strip_invisible(text: str) -> str:
    """Drop zero-width and direction characters that scraped pages carry."""
    return ZERO_WIDTH.sub("", text)


def normalize_text(text: str) -> str:
    """The search form of any text: NFC, no invisible characters, half-width ASCII, Simplified, lower-case."""
    text = unicodedata.normalize("NFC", text)
    text = fold_width(strip_invisible(text))
    return to_simplified(text).lower()


def script_of(text: str) -> str:
    """'traditional' when converting to Simplified changes a noticeable share of the CJK characters."""
    sample = "".join(CJK_RE.findall(text[:20000]))
    if not sample:
        return "simplified"
    changed = sum(a != b for a, b in zip(sample, to_simplified(sample), strict=False))
    return "traditional" if changed / len(sample) > 0.05 else "simplified"


def either_script(text: str) -> bool:
    """The text's Chinese characters are written alike in Simplified and Traditional (那惠州呢？)."""
    chinese = "".join(CJK_RE.findall(text))
    return to_simplified(chinese) == chinese == to_traditional(chinese)


def cjk_ratio(text: str) -> float:
    letters = [c for c in text if not c.isspace()]
    return len(CJK_RE.findall(text)) / len(letters) if letters else 0.0


@lru_cache(maxsize=65536)
def is_common_char(ch: str) -> bool:
    """In the 3,755 most frequent characters (GB2312 level 1), judged on the Simplified form: text
    decoded with the wrong codec, or double-encoded, is full of rarer ones."""
    try:
        encoded = to_simplified(ch).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7
