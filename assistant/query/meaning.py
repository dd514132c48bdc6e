"""How much of an English question's meaning each of its terms carries, as the embedder reads it: the
cosine distance between the question's embedding and the embedding of the question with the term left
out. A dictionary sense of an incidental word ("figure" -> 人士, "working" -> 劳动) weighs as much as the
subject ("industrial investment") when terms are weighed by rarity alone; the embedder, which reads
the whole question, says which words it turns on (measured in docs/benchmarks.md, "which words of an
English question are its subject"). Chinese questions' terms are the corpus's own words and are
weighed by rarity alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Embed = Callable[[Sequence[str]], np.ndarray]  # question texts -> (n, dim) unit vectors


def term_pattern(english: str) -> re.Pattern[str]:
    """The term as the question may write it: plural, -ing, -ed ("planned" for plan), and with a word
    the term leaves out between two of its words ("Belt and Road" for the term belt road)."""
    words = (re.escape(w[: max(3, len(w) - 2)]) + r"\w*" for w in english.split())
    return re.compile(r"\b" + r"\s+(?:[\w'-]+\s+)?".join(words) + r"\b", re.I)


def left_out(text: str, english: str) -> str:
    """The question without the term ("" when the question does not write it so: a possessive, a hyphen
    joining it to another word)."""
    cut = term_pattern(english).sub(" ", text)
    return cut if cut != text else ""


@dataclass(frozen=True, slots=True)
class Reading:
    """The question's embedding and, for each term, how much of its meaning the embedder reads in it:
    1 - cosine(question, question without the term); NaN where the question does not write the term
    as `term_pattern` reads it."""

    question: np.ndarray
    terms: tuple[str, ...]
    importance: tuple[float, ...]

    def shares(self) -> dict[str, float]:
        """Each term's importance over the mean of the terms' (1.0 for the average term, and for a term
        whose importance cannot be read); {} when no term's can."""
        known = [v for v in self.importance if not math.isnan(v)]
        mean = sum(known) / len(known) if known else 0.0
        if mean <= 0.0:
            return {}
        return {
            t: (v / mean if not math.isnan(v) else 1.0)
            for t, v in zip(self.terms, self.importance, strict=True)
        }


def read_meaning(text: str, terms: Sequence[str], embed: Embed) -> Reading:
    """The question and each term's importance, in one batch: the question, then the question without
    each term it writes."""
    cuts = [left_out(text, term) for term in terms]
    vectors = embed([text, *(c for c in cuts if c)])
    whole, rest = vectors[0], iter(vectors[1:])
    importance = tuple(float(1.0 - np.dot(whole, next(rest))) if c else math.nan for c in cuts)
    return Reading(whole, tuple(terms), importance)
