"""`speechqa calibrate`: measure an embedder's weight in the fusion on an index
(vectorstore.calibration): chosen from a small grid by recall@5 of the gold passages on the answerable
questions, then by MRR (a passage missing from the answer is worse than one ranked lower). Whether
the passages answer is the answer decision's, fitted by `speechqa fit-decision`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from assistant.answer.pipeline import Assistant
from evaluation.evaluate import evaluate_question, summarize
from vectorstore.calibration import Calibration
from vectorstore.embedders import model_id
from vectorstore.index import Index

WEIGHTS = (0.3, 0.6, 1.0, 1.5)


def calibrate(index: Index, questions: Sequence[dict[str, Any]]) -> dict[str, tuple[Calibration, str]]:
    """For each embedder of the index: its measured Calibration and a one-line account of the measurement."""
    answerable = [q for q in questions if q.get("gold")]
    out: dict[str, tuple[Calibration, str]] = {}
    base = {spec: index.calibration(spec) for spec in index.specs}
    for spec in index.specs:
        scores = {}
        for weight in WEIGHTS:
            trial = {**base, spec: replace(base[spec], fusion_weight=weight)}
            assistant = Assistant(index, calibrations=trial)
            summary = summarize([evaluate_question(assistant, q) for q in answerable])
            scores[weight] = (summary["recall@5"] or 0.0, summary["mrr"] or 0.0)
        weight = max(WEIGHTS, key=lambda w: (scores[w], -abs(w - 1.0)))
        measured = f"speechqa calibrate: {len(answerable)} answerable questions on {index.view().size} chunks"
        out[spec] = (
            Calibration(model_id(spec), weight, measured),
            f"{measured}; (recall@5, MRR) by weight: {scores}",
        )
    return out
