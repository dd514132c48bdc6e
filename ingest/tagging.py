"""A document's words with their part of speech (jieba.posseg), computed once per document and read
by the gazetteer (place names must be whole words: 和政 is not in 和政治) and by name extraction
(people are the words tagged nr beside a post or a verb of speaking)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    tag: str  # jieba's part-of-speech tag: ns place, nr person, n noun, …
    start: int  # offset in the tagged text


@lru_cache(maxsize=1)
def _posseg():  # type: ignore[no-untyped-def]
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def tag_words(simplified_text: str) -> list[Word]:
    """The text cut into words with tags (whitespace dropped), offsets into the text."""
    out: list[Word] = []
    offset = 0
    for pair in _posseg().cut(simplified_text):
        word, tag = pair.word, pair.flag
        if word.strip():
            out.append(Word(word, tag, offset))
        offset += len(word)
    return out


def spans(words: Sequence[Word], longest: int = 3, max_chars: int = 10) -> list[tuple[int, int, str]]:
    """Every run of 1..`longest` adjacent words (at most `max_chars` characters) as (first, end, text):
    the candidates a dictionary of names is looked up with, each starting and ending on a word boundary."""
    out = []
    for i in range(len(words)):
        text = ""
        for j in range(i, min(i + longest, len(words))):
            if j > i and words[j].start != words[j - 1].start + len(words[j - 1].text):
                break  # whitespace or a dropped character between: not one name
            text += words[j].text
            if len(text) > max_chars:
                break
            out.append((i, j + 1, text))
    return out
