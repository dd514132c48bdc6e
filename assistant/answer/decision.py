"""Does the corpus answer the question? One decision, learned from questions, not stacked vetoes.

Every question yields the same signals (`signals`): how close the best passage is for the embedder
(its cosine, and its margin over the fifth, read against the question's language), how much of the
question's key terms the best passages hold (weighted by rarity), how much of them the corpus never
writes, whether the rarest term the corpus does write is held, whether the retrievers agree. A
logistic model over them (fitted by `speechqa fit-decision` on public question sets, stored in
assistant/data/decision.json with the embedder it was measured for) gives the probability that the
question is answered by what was found, and two thresholds chosen on cross-validated predictions
turn it into what the reader is told:

- `answer`: quotes that bear on the question;
- `closest`: the nearest passages, none stating it directly;
- `not_covered`: the corpus does not hold the topic.

A wrong "not covered" costs the reader more than a weak answer (the passage was there), so the
thresholds are chosen with that weight (evaluation/decision_fit.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from assistant.answer.evidence import context, mentions
from assistant.query import Query
from assistant.query.build import Concept
from assistant.records import Decision
from ingest.chunking import sentence_spans
from vectorstore.hybrid import RetrievalTrace
from vectorstore.records import Hit
from vectorstore.view import IndexView

TOP = 3  # the passages whose terms are counted
MIN_LIST = 5  # dense scores needed before margins over the list say anything
FEATURES = (
    "dense_best",
    "dense_best_en",
    "dense_margin",
    "dense_lift",
    "english",
    "share_top",
    "share_best",
    "share_sentence",
    "absent",
    "absent_things",
    "rarest_held",
    "agreement",
    "terms",
)
KEYWORD_FEATURES = tuple(
    f for f in FEATURES if not f.startswith("dense") and f != "agreement"
)  # for an embedder measured nowhere


def signals(
    query: Query, trace: RetrievalTrace | None, ranked: Sequence[Hit], view: IndexView, embedder: str
) -> dict[str, float]:
    """The decision's inputs for one question, each in [0, 1] or near it."""
    english = float(query.plan.search_language == "en")
    dense = sorted((h.score for h in (trace.by_retriever.get(embedder, []) if trace else [])), reverse=True)
    best = dense[0] if dense else 0.0
    # margins over the fifth passage and the whole list mean nothing in a corpus of a few passages:
    # unknown (NaN), and the model reads the value it was fitted around instead
    fifth = dense[4] if len(dense) >= MIN_LIST else math.nan
    mean = sum(dense) / len(dense) if len(dense) >= MIN_LIST else math.nan
    terms = query.topics
    total = sum(c.weight for c in terms) or 1.0
    texts = [context(hit, view, title=False) for hit in ranked[:TOP]]
    held = [[c for c in terms if any(mentions(text, w) for w in c.held_as)] for text in texts]
    shares = [sum(c.weight for c in h) / total for h in held] or [0.0]
    present = [c for c in terms if not c.absent]
    # terms held together in one sentence say more than terms scattered over a passage
    sentences = [
        text[a:b]
        for hit in ranked[:TOP]
        for text in (hit.chunk.search_text,)
        for a, b in sentence_spans(text, 0, len(text))
    ]
    in_sentence = max(
        (sum(c.weight for c in terms if any(mentions(s, w) for w in c.held_as)) / total for s in sentences),
        default=0.0,
    )
    rarest = max(present, key=lambda c: c.weight, default=None)
    return {
        "dense_best": best,
        "dense_best_en": best * english,  # the cosine means less for an English question on a Chinese corpus
        "dense_margin": best - fifth,
        "dense_lift": best - mean,  # over the embedder's whole top list
        "english": english,
        "share_top": shares[0],
        "share_best": max(shares),
        "share_sentence": in_sentence,
        "absent": sum(c.weight for c in terms if c.absent) / total if terms else 0.0,
        # what the question is about, missing from the corpus: nouns, not the words it asks with
        "absent_things": absent_things(terms),
        "rarest_held": float(rarest is not None and any(rarest in h for h in held)),
        "agreement": agreement(trace, embedder),
        "terms": min(len(terms), 8) / 8,
    }


def absent_things(terms: Sequence[Concept]) -> float:
    """Weighted share of the question's nouns that the corpus never writes, in any of their forms."""
    things = [c for c in terms if c.thing]
    total = sum(c.weight for c in things)
    return sum(c.weight for c in things if c.absent) / total if total else 0.0


def agreement(trace: RetrievalTrace | None, embedder: str, k: int = 5) -> float:
    """Share of the keyword side's first k passages that the embedder also ranks in its first k."""
    if trace is None:
        return 0.0
    keyword = [h.chunk.chunk_id for h in trace.by_retriever.get("bm25", [])[:k]]
    dense = {h.chunk.chunk_id for h in trace.by_retriever.get(embedder, [])[:k]}
    return sum(i in dense for i in keyword) / k if keyword and dense else 0.0


@dataclass(frozen=True, slots=True)
class DecisionModel:
    """A logistic model over `features` (standardised by `mean`/`scale`) and the two thresholds on its
    probability; `embedder` is the model its dense signals were measured with."""

    embedder: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    answer_at: float  # probability at or above which the passages are given as the answer
    covered_at: float  # below it, the topic is not covered; between the two, the closest passages
    measured: str = ""

    def probability(self, values: Mapping[str, float]) -> float:
        """P(the passages answer); a signal that is unknown (NaN) counts as its mean in the fit."""
        z = self.intercept + sum(
            c * (values[f] - m) / s
            for f, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True)
            if not math.isnan(values[f])
        )
        return 1.0 / (1.0 + math.exp(-z))

    def outcome(self, probability: float) -> str:
        if probability >= self.answer_at:
            return "answer"
        return "closest" if probability >= self.covered_at else "not_covered"

    def to_dict(self) -> dict[str, Any]:
        return {
            "embedder": self.embedder,
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "answer_at": self.answer_at,
            "covered_at": self.covered_at,
            "measured": self.measured,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DecisionModel:
        return cls(
            embedder=str(data["embedder"]),
            features=tuple(data["features"]),
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            coef=tuple(data["coef"]),
            intercept=float(data["intercept"]),
            answer_at=float(data["answer_at"]),
            covered_at=float(data["covered_at"]),
            measured=str(data.get("measured", "")),
        )


DECISION_FILE = "decision.json"


@cache
def stored_models() -> dict[str, DecisionModel]:
    """The fitted models shipped with the package, by the embedder they were measured for ("" for the
    keyword-only model used with an embedder measured nowhere)."""
    path = resources.files("assistant").joinpath("data", DECISION_FILE)
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: DecisionModel.from_dict(value) for key, value in data["models"].items()}


def model_for(
    embedders: Sequence[str],
    models: Mapping[str, DecisionModel] | None = None,
    unavailable: Sequence[str] = (),
) -> tuple[str, DecisionModel]:
    """(the embedder whose signals the model reads, the model): the first embedder a model was fitted
    for that could be asked, else the keyword-only model (a stopped vector store answers from the
    keyword index alone, and is judged on keyword signals alone)."""
    models = stored_models() if models is None else models
    for name in embedders:
        if name in models and name not in unavailable:
            return name, models[name]
    return "", models[""]


def decide(
    query: Query,
    trace: RetrievalTrace | None,
    ranked: Sequence[Hit],
    view: IndexView,
    embedders: Sequence[str],
    models: Mapping[str, DecisionModel] | None = None,
) -> Decision:
    if not ranked:
        return Decision("not_covered", 0.0, ())
    embedder, model = model_for(embedders, models, tuple(trace.unavailable) if trace else ())
    values = signals(query, trace, ranked, view, embedder)
    probability = model.probability(values)
    return Decision(model.outcome(probability), probability, tuple(values.items()))
