"""Checking a generated answer against its passages: markers must point at retrieved passages, and a
sentence that states a number or a name must find it in the passages it cites. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ingest.normalize import normalize_text

MARKER = re.compile(r"\[(\d{1,3})\]")
_SENTENCE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+|(?:\.(?=\s|$)))?(?:\s*\[\d{1,3}\])*", re.S)
_NUMBER = re.compile(r"\d+(?:\.\d+)?|[一二三四五六七八九十两百千]+[十百千万亿]+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_QUOTED = re.compile(r"[“\"「]([^”\"」]{2,30})[”\"」]")


@dataclass(frozen=True, slots=True)
class SentenceCheck:
    sentence: str
    markers: tuple[int, ...]  # valid markers only
    invalid: tuple[int, ...]  # markers that point at no passage
    unsupported: tuple[str, ...]  # numbers or names not found in the cited passages
    kept: bool


@dataclass(frozen=True, slots=True)
class CheckedAnswer:
    text: str  # the answer with unsupported sentences dropped and invalid markers removed
    sentences: tuple[SentenceCheck, ...]

    @property
    def dropped(self) -> list[str]:
        return [s.sentence for s in self.sentences if not s.kept]

    @property
    def used(self) -> list[int]:
        return sorted({n for s in self.sentences if s.kept for n in s.markers})


def split_sentences(text: str) -> list[str]:
    """Sentences with the markers that follow them: "…增长5.5%左右。[1]" stays one sentence."""
    return [m.group().strip() for m in _SENTENCE.finditer(text) if m.group().strip()]


def facts_in(sentence: str, names: tuple[str, ...] = ()) -> list[str]:
    """Numbers and names a sentence states: Arabic numbers, quoted terms, and known names (cities)."""
    bare = MARKER.sub("", sentence)
    found = _URL.findall(bare)
    found += _NUMBER.findall(_URL.sub("", bare)) + _QUOTED.findall(bare)
    found += [n for n in names if n and n in bare]
    return found


def check_answer(text: str, passages: Mapping[int, str], names: tuple[str, ...] = ()) -> CheckedAnswer:
    """Drop sentences whose facts are not in the passages they cite, and every sentence without a valid
    marker except a fact-free opening line; remove markers that point at no passage."""
    folded = {n: normalize_text(p) for n, p in passages.items()}
    checks: list[SentenceCheck] = []
    kept: list[str] = []
    for position, sentence in enumerate(split_sentences(text)):
        numbers = [int(m) for m in MARKER.findall(sentence)]
        valid = tuple(dict.fromkeys(n for n in numbers if n in passages))
        invalid = tuple(dict.fromkeys(n for n in numbers if n not in passages))
        cleaned = MARKER.sub(lambda m: m.group() if int(m.group(1)) in passages else "", sentence).strip()
        facts = facts_in(sentence, names)
        support = "".join(folded[n] for n in valid)
        unsupported = tuple(f for f in facts if normalize_text(f) not in support)
        ok = not unsupported and (bool(valid) or (position == 0 and not facts))
        checks.append(SentenceCheck(sentence, valid, invalid, unsupported, ok))
        if ok:
            kept.append(cleaned)
    joined = "".join(s if re.search(r"[\u4e00-\u9fff]", s) else s + " " for s in kept).strip()
    return CheckedAnswer(text=joined, sentences=tuple(checks))
