"""Sentence-level verification of a generated answer, without a model. Pure functions.

A sentence is kept only when
- it cites a passage that retrieval found ([n] markers; a marker that points at no passage is removed);
- every number it states is in a passage it cites (Chinese numerals, 万/亿 and English scales compared
  by value: 6000多亿元 supports "600 billion yuan");
- most of its content words are in the passages it cites, after the normalisation retrieval uses
  (script, widths, case), English words through their Chinese translations;
- at least one of those words is in the passage's text beyond its header (title, section, city,
  date): echoing where a passage comes from is not stating what it says.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.records import SentenceCheck
from ingest.grammar import WRITTEN_SENTENCE_END
from ingest.normalize import normalize_text

MARKER = re.compile(r"\[(\d{1,3})\]")
SUPPORT_SHARE = (
    0.6  # of a sentence's content words found in its passages (docs/benchmarks.md: checking cases)
)
_URL = re.compile(r"(?:https?://|www\.)\S+")
_MARKUP = re.compile(r"\*\*|__|`|^\s*(?:[-*•]|\d{1,2}[.)、])\s+|^#+\s*", re.M)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# a number, with what scales it: 6000多亿, 5.5%, 1,200, 1.5 billion
_NUMBER = re.compile(
    r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(?:[多余几]?\s*(万亿|亿|万|千)|\s+(thousand|million|billion|trillion)\b)?",
    re.I,
)
_SCALE = {
    "千": 1e3,
    "万": 1e4,
    "亿": 1e8,
    "万亿": 1e12,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
}


Translate = Callable[
    [str], Sequence[tuple[str, tuple[str, ...]]]
]  # English text -> (phrase, Chinese candidates)


@dataclass(frozen=True, slots=True)
class Passage:
    """What a generated sentence may lean on: the cited chunk's text, and its header (which the model
    was shown, and which does not count as support)."""

    n: int
    body: str
    header: str


# -- sentences -------------------------------------------------------------------------------------
_TRAILING = re.compile(r"(?:\s*\[\d{1,3}\])+")


def _cut_point(text: str, final: bool) -> int:
    """The end of the first complete sentence in `text` (with the markers that follow it), or -1 when
    none is complete yet: a sentence is complete once something other than a marker follows it."""
    for end in WRITTEN_SENTENCE_END.finditer(text):
        stop = end.end()
        if end.group() == "\n" and not text[: end.start()].strip():
            continue  # a blank line is no sentence
        trailing = _TRAILING.match(text, stop)
        stop = trailing.end() if trailing else stop
        rest = text[stop:]
        if final or (rest and not re.fullmatch(r"\s*\[?\d{0,3}", rest)):
            return stop
        return -1
    return len(text) if final and text.strip() else -1


class SentenceSplitter:
    """Sentences as they complete in a stream of text pieces: "…6000多亿元。[1]" stays one sentence,
    and a sentence is given out only once the next one has begun (its markers may still follow)."""

    def __init__(self) -> None:
        self.buffer = ""

    def feed(self, piece: str) -> list[str]:
        self.buffer += piece
        return self._take(final=False)

    def flush(self) -> list[str]:
        return self._take(final=True)

    def _take(self, final: bool) -> list[str]:
        out = []
        while (stop := _cut_point(self.buffer, final)) > 0:
            sentence, self.buffer = self.buffer[:stop].strip(), self.buffer[stop:]
            if sentence:
                out.append(sentence)
        return out


def split_sentences(text: str) -> list[str]:
    splitter = SentenceSplitter()
    return splitter.feed(text) + splitter.flush()


# -- facts -----------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _searchable(text: str) -> str:
    """Normalised as retrieval normalises, Chinese numerals as digits (三千亩 -> 3000亩)."""
    import cn2an

    folded = normalize_text(text)
    with warnings.catch_warnings():  # cn2an warns about every 亿 it cannot attach to a number
        warnings.simplefilter("ignore")
        try:
            return str(cn2an.transform(folded, "cn2an"))
        except (ValueError, KeyError, IndexError):
            return folded


_SCALED_EN = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s+(thousand|million|billion|trillion)\b", re.I)


def _english_numbers(text: str) -> str:
    """English numbers as digits: 600 billion -> 600000000000, ten million -> 10000000."""
    if _CJK.search(text):
        return text
    from text_to_num import alpha2digit

    text = _SCALED_EN.sub(
        lambda m: f"{float(m.group(1).replace(',', '')) * _SCALE[m.group(2).lower()]:.0f}", text
    )
    return str(alpha2digit(text, "en"))


def number_values(text: str) -> set[float]:
    """Every number in the text, as written and scaled (6000多亿 -> 6000 and 6e11)."""
    values: set[float] = set()
    for match in _NUMBER.finditer(text):
        value = float(match.group(1).replace(",", ""))
        values.add(round(value, 6))
        scale = match.group(2) or (match.group(3) or "").lower()
        if scale:
            values.add(round(value * _SCALE[scale], 6))
    return values


def _numbers_stated(bare: str) -> list[tuple[str, set[float]]]:
    """The numbers a sentence states, each with its values (any one of them must be supported)."""
    text = _searchable(_english_numbers(bare))
    out = []
    for match in _NUMBER.finditer(text):
        out.append((match.group().strip(), number_values(match.group())))
    return out


def content_units(bare: str, translate: Translate) -> list[tuple[str, tuple[str, ...]]]:
    """(what the sentence says, the Chinese forms that would support it): Chinese content words as
    they are; English words through every sense the dictionary gives them, and through the phrases
    (glossary terms, names in pinyin) they are part of; a word with none supports nothing."""
    from assistant.query.words import ANSWER_FRAMING_EN, FRAMING_WORDS
    from vectorstore.keyword import content_words

    if _CJK.search(bare):
        text = re.sub(r"\d+(?:\.\d+)?%?", " ", _searchable(bare))
        return [(w, (w,)) for w in content_words(text) if w not in FRAMING_WORDS]
    from assistant.query.english import _lemma, english_terms, senses

    phrases = [
        (english.lower(), tuple(normalize_text(c) for c in chinese)) for english, chinese in translate(bare)
    ]
    units = []
    for term in english_terms(bare):
        if term in ANSWER_FRAMING_EN:
            continue
        forms = senses(term) + tuple(
            f
            for english, chinese in phrases
            if term in {_lemma(w) for w in re.findall(r"[a-z]+", english)}
            for f in chinese
        )
        units.append((term, forms))
    units += [
        (english, chinese) for english, chinese in phrases if not re.search(r"[a-z]", english[:1] or "")
    ]
    return units


# -- one sentence ----------------------------------------------------------------------------------
def check_sentence(sentence: str, passages: Mapping[int, Passage], translate: Translate) -> SentenceCheck:
    numbers = [int(m) for m in MARKER.findall(sentence)]
    markers = tuple(dict.fromkeys(n for n in numbers if n in passages))
    shown = MARKER.sub(lambda m: m.group() if int(m.group(1)) in passages else "", sentence).strip()
    if not markers:
        return SentenceCheck(sentence, shown, (), False, "uncited")
    bare = _MARKUP.sub("", MARKER.sub(" ", sentence))
    cited = [passages[n] for n in markers]
    body = "\n".join(_searchable(p.body) for p in cited)
    header = "\n".join(_searchable(p.header) for p in cited)
    links = [u for u in _URL.findall(bare) if normalize_text(u) not in body]
    if links:
        return SentenceCheck(sentence, shown, markers, False, "url", tuple(links))
    bare = _URL.sub(" ", bare)
    known = number_values(body) | number_values(header)
    stated = _numbers_stated(bare)
    wrong = [written for written, values in stated if not values & known]
    if wrong:
        return SentenceCheck(sentence, shown, markers, False, "numbers", tuple(wrong))
    from assistant.query.places import cities_in

    places = [city for city in cities_in(bare) if normalize_text(city) not in body + header]
    if places:
        return SentenceCheck(sentence, shown, markers, False, "place", tuple(places))
    units = content_units(bare, translate)
    # the header supports as much as it says (the city, the title's words), but not alone
    found = [(said, forms) for said, forms in units if any(f and (f in body or f in header) for f in forms)]
    missing = tuple(said for said, forms in units if (said, forms) not in found)
    beyond = [said for said, forms in found if any(f and f in body and f not in header for f in forms)]
    if units and len(found) < SUPPORT_SHARE * len(units):
        return SentenceCheck(sentence, shown, markers, False, "unsupported", missing, len(found), len(units))
    if not beyond and not (stated and not units):
        return SentenceCheck(sentence, shown, markers, False, "header_only", (), len(found), len(units))
    return SentenceCheck(sentence, shown, markers, True, "", missing, len(found), len(units))


def separator(previous: str, sentence: str) -> str:
    """What goes between two kept sentences: nothing between Chinese ones, a space otherwise."""
    return "" if not previous or (_CJK.search(previous) and _CJK.search(sentence)) else " "


def joined(sentences: Sequence[str]) -> str:
    """Kept sentences as one text; sent one by one with `separator`, they add up to the same text."""
    out, previous = "", ""
    for sentence in sentences:
        out += separator(previous, sentence) + sentence
        previous = sentence
    return out
