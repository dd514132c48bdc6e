"""`speechqa calibrate`: measure an embedder's constants on an index (vectorstore.calibration).

- evidence_similarity: above the best cosine similarity of every question the corpus does not answer
  (the set's unanswerable questions and the off-topic probes in data/probes.txt), so that dense
  similarity alone never makes the assistant answer such a question;
- fusion_weight: the weight of the embedder's normalised scores in the fusion, chosen from a small grid
  by recall@5 of the gold passages on the answerable questions, then by MRR (a passage missing from
  the answer is worse than one ranked lower).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from importlib import resources
from typing import Any

from assistant.answer.pipeline import Assistant
from evaluation.evaluate import evaluate_question, summarize
from vectorstore.calibration import Calibration
from vectorstore.embedders import model_id
from vectorstore.index import Index

WEIGHTS = (0.3, 0.6, 1.0, 1.5)
MARGIN = 0.005


def probes() -> list[str]:
    text = resources.files("evaluation").joinpath("data", "probes.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def best_similarity(index: Index, spec: str, question: str) -> float:
    """The best cosine similarity of the question to any passage, under one embedder."""
    hits = index.dense_search_vector(index.view(), spec, index.embed_query(spec, question), 1)
    return hits[0].score if hits else 0.0


def calibrate(index: Index, questions: Sequence[dict[str, Any]]) -> dict[str, tuple[Calibration, str]]:
    """For each embedder of the index: its measured Calibration and a one-line account of the measurement."""
    answerable = [q for q in questions if q.get("gold")]
    negatives = [q["turns"][-1] for q in questions if q.get("unanswerable")] + probes()
    out: dict[str, tuple[Calibration, str]] = {}
    base = {spec: index.calibration(spec) for spec in index.specs}
    for spec in index.specs:
        worst = max(best_similarity(index, spec, q) for q in negatives)
        threshold = math.ceil((worst + MARGIN) / MARGIN) * MARGIN
        covered = sum(best_similarity(index, spec, q["turns"][-1]) >= threshold for q in answerable)
        scores = {}
        for weight in WEIGHTS:
            trial = {**base, spec: replace(base[spec], fusion_weight=weight, evidence_similarity=threshold)}
            assistant = Assistant(index, calibrations=trial)
            summary = summarize([evaluate_question(assistant, q) for q in answerable])
            scores[weight] = (summary["recall@5"] or 0.0, summary["mrr"] or 0.0)
        weight = max(WEIGHTS, key=lambda w: (scores[w], -abs(w - 1.0)))
        measured = (
            f"speechqa calibrate: {len(negatives)} unanswerable/off-topic questions (best similarity "
            f"{worst:.3f}), {len(answerable)} answerable on {index.view().size} chunks"
        )
        out[spec] = (
            Calibration(model_id(spec), threshold, weight, measured),
            f"{measured}; answerable at or above the threshold: {covered}/{len(answerable)}; "
            f"(recall@5, MRR) by weight: {scores}",
        )
    return out
