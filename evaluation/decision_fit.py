"""`speechqa fit-decision`: fit the answer decision (assistant.answer.decision) on question sets.

Each question is run through the same stages an answer runs (plan, Query, retrieval) on the index of
its corpus, and the decision's signals are read. The label is whether the question is answerable. A
logistic model (scikit-learn) is fitted on standardised signals; its cross-validated probabilities
(stratified 5-fold) give the calibration table and the two thresholds, chosen to minimise the reader's
cost (rates within each class, weighted by NOT_COVERED_COST, CLOSEST_COST, ANSWERED_COST, UNCLAIMED_COST)
over the questions written outside the team (`--thresholds-on`). The model is then fitted
on all questions and written, with the embedder it was measured for, to assistant/data/decision.json;
a keyword-only model (no dense signals) is fitted beside it for embedders measured nowhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.decision import FEATURES, KEYWORD_FEATURES, DecisionModel, signals
from assistant.answer.pipeline import Assistant
from assistant.answer.stopwatch import Stopwatch
from vectorstore.records import Filters

# The reader's cost of each wrong outcome, as rates within each class: unanswerable questions are about
# one in ten of those readers ask, and counted per question the cheapest policy would be never to say
# "not covered" at all; each class matters whatever its share
NOT_COVERED_COST = 4.0  # an answerable question told "not covered": the passage was there
CLOSEST_COST = 1.0  # an answerable question shown only the closest passages
ANSWERED_COST = 2.0  # an unanswerable question given quotes as its answer
UNCLAIMED_COST = 0.5  # an unanswerable question shown the closest passages instead of "not covered"
FOLDS = 5
SEED = 20261206


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    source: str  # the question file
    answerable: bool
    english: bool
    values: dict[str, float]


def placeholder_models(embedders: Sequence[str]) -> dict[str, DecisionModel]:
    """A model that answers everything, so that retrieval runs while signals are collected (the
    decision does not change what is retrieved)."""
    zero = DecisionModel(
        "",
        KEYWORD_FEATURES,
        (0.0,) * len(KEYWORD_FEATURES),
        (1.0,) * len(KEYWORD_FEATURES),
        (0.0,) * len(KEYWORD_FEATURES),
        0.0,
        0.0,
        0.0,
    )
    return {"": zero, **{e: zero for e in embedders}}


def collect(
    assistant: Assistant,
    questions: Sequence[dict[str, Any]],
    source: str,
    embedder: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[Example]:
    """The decision's signals for each question, read as an answer reads them."""
    view = assistant.index.view()
    out = []
    for i, item in enumerate(questions, start=1):
        turns = list(item["turns"])
        plan = assistant.understand(turns[-1], turns[:-1], view)
        query = assistant.query(plan, view, Filters())
        found = assistant.retrieve(query, view, Stopwatch())
        values = signals(query, found.trace, found.ranked, view, embedder)
        out.append(
            Example(
                item.get("id", str(i)),
                source,
                not item.get("unanswerable"),
                plan.search_language == "en",
                values,
            )
        )
        if progress:
            progress(i, len(questions))
    return out


def _matrix(examples: Sequence[Example], features: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[e.values[f] for f in features] for e in examples], dtype=float)
    y = np.array([e.answerable for e in examples], dtype=int)
    return x, y


def _pipeline() -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # balanced: the unanswerable questions are few, and each one matters as much as the many others
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.5, class_weight="balanced", max_iter=1000))


def cross_validated(examples: Sequence[Example], features: Sequence[str]) -> np.ndarray:
    """Out-of-fold probabilities that each question is answerable."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    x, y = _matrix(examples, features)
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    return cross_val_predict(_pipeline(), x, y, cv=folds, method="predict_proba")[:, 1]


def cost(p: np.ndarray, y: np.ndarray, answer_at: float, covered_at: float) -> float:
    """What the reader pays for these thresholds, as rates within each class."""
    answerable, unanswerable = y == 1, y == 0
    told_not_covered = p < covered_at
    given_answer = p >= answer_at
    closest = ~told_not_covered & ~given_answer

    def rate(mask: np.ndarray, within: np.ndarray) -> float:
        return float(np.sum(mask & within) / max(1, np.sum(within)))

    return (
        NOT_COVERED_COST * rate(told_not_covered, answerable)
        + CLOSEST_COST * rate(closest, answerable)
        + ANSWERED_COST * rate(given_answer, unanswerable)
        + UNCLAIMED_COST * rate(closest, unanswerable)
    )


def thresholds(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(answer_at, covered_at) of least cost on the out-of-fold probabilities; among equal costs, the
    ones that tell more unanswerable questions "not covered", then the middle of the gap.

    Every pair of candidate thresholds is costed at once: each class's count under a threshold comes
    from its sorted probabilities, and the rates are the ones `cost` computes, term for term."""
    grid = np.unique(np.concatenate([[0.0, 1.0], p, (p[:-1] + p[1:]) / 2 if len(p) > 1 else p]))
    answerable, unanswerable = np.sort(p[y == 1]), np.sort(p[y == 0])
    a_under = np.searchsorted(answerable, grid, side="left")  # answerable questions with p < threshold
    u_under = np.searchsorted(unanswerable, grid, side="left")
    n_a, n_u = max(1, len(answerable)), max(1, len(unanswerable))
    covered, answer = np.meshgrid(np.arange(len(grid)), np.arange(len(grid)), indexing="ij")
    valid = answer >= covered
    covered, answer = covered[valid], answer[valid]
    costs = (
        NOT_COVERED_COST * (a_under[covered] / n_a)
        + CLOSEST_COST * ((a_under[answer] - a_under[covered]) / n_a)
        + ANSWERED_COST * ((len(unanswerable) - u_under[answer]) / n_u)
        + UNCLAIMED_COST * ((u_under[answer] - u_under[covered]) / n_u)
    )
    # np.lexsort's last key is the first compared
    best = np.lexsort((grid[answer], -grid[covered], -u_under[covered].astype(float), costs))[0]
    return float(grid[answer[best]]), float(grid[covered[best]])


def calibration_table(p: np.ndarray, y: np.ndarray, bins: int = 5) -> list[tuple[str, int, float, float]]:
    """(probability bin, questions, mean predicted, share answerable): how far the probabilities can be
    taken at their word."""
    edges = np.linspace(0, 1, bins + 1)
    rows = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (p >= low) & ((p < high) | (high == 1.0))
        if inside.any():
            rows.append(
                (f"{low:.1f}–{high:.1f}", int(inside.sum()), float(p[inside].mean()), float(y[inside].mean()))
            )
    return rows


def fit(
    examples: Sequence[Example],
    features: Sequence[str],
    embedder: str,
    measured: str,
    thresholds_on: Callable[[Example], bool] = lambda e: True,
) -> tuple[DecisionModel, dict[str, Any]]:
    """The model fitted on all examples, with thresholds from the cross-validated probabilities of the
    examples `thresholds_on` picks (questions asked as readers ask them: the team's own sets, written
    beside the rules, are separated far more easily, AUC 0.986 against 0.725 on outside questions,
    docs/benchmarks.md), and a report of how it did out of fold, on those and on all."""
    p = cross_validated(examples, features)
    x, y = _matrix(examples, features)
    chosen = np.array([thresholds_on(e) for e in examples])
    # where an answer ends and "closest" begins is chosen on questions as readers ask them; "not covered"
    # needs evidence of absence, which only the clear cases of every set show (a topic no passage names)
    answer_at, _ = thresholds(p[chosen], y[chosen])
    _, covered_at = thresholds(p, y)
    covered_at = min(covered_at, answer_at)
    model = _pipeline().fit(x, y)
    scaler, logistic = model.steps[0][1], model.steps[1][1]
    decision = DecisionModel(
        embedder=embedder,
        features=tuple(features),
        mean=tuple(map(float, scaler.mean_)),
        scale=tuple(float(s) or 1.0 for s in scaler.scale_),
        coef=tuple(map(float, logistic.coef_[0])),
        intercept=float(logistic.intercept_[0]),
        answer_at=answer_at,
        covered_at=covered_at,
        measured=measured,
    )
    report = out_of_fold(examples, p, answer_at, covered_at)
    report["thresholds_chosen_on"] = out_of_fold(
        [e for e, c in zip(examples, chosen, strict=True) if c], p[chosen], answer_at, covered_at
    )
    if not chosen.all():
        report["the_others"] = out_of_fold(
            [e for e, c in zip(examples, chosen, strict=True) if not c], p[~chosen], answer_at, covered_at
        )
    report["calibration"] = calibration_table(p, y)
    report["coefficients"] = dict(zip(features, (round(c, 3) for c in decision.coef), strict=True))
    return decision, report


def out_of_fold(
    examples: Sequence[Example], p: np.ndarray, answer_at: float, covered_at: float
) -> dict[str, Any]:
    """The outcomes the cross-validated probabilities give, per question language."""
    from sklearn.metrics import roc_auc_score

    def rates(mask: np.ndarray) -> dict[str, float | None]:
        answerable = mask & np.array([e.answerable for e in examples])
        unanswerable = mask & ~np.array([e.answerable for e in examples])

        def share(m: np.ndarray, n: np.ndarray) -> float | None:
            return round(float(m.sum() / n.sum()), 3) if n.sum() else None

        return {
            "answerable": int(answerable.sum()),
            "unanswerable": int(unanswerable.sum()),
            "answered": share(answerable & (p >= covered_at), answerable),
            "given_answer": share(answerable & (p >= answer_at), answerable),
            "handled": share(unanswerable & (p < answer_at), unanswerable),
            "not_covered": share(unanswerable & (p < covered_at), unanswerable),
        }

    english = np.array([e.english for e in examples])
    y = np.array([e.answerable for e in examples], dtype=int)
    return {
        "answer_at": round(answer_at, 4),
        "covered_at": round(covered_at, 4),
        "auc": round(float(roc_auc_score(y, p)), 3) if 0 < y.sum() < len(y) else None,
        "all": rates(np.ones(len(examples), dtype=bool)),
        "chinese": rates(~english),
        "english": rates(english),
    }


def write(models: Mapping[str, DecisionModel], path: Path, reports: Mapping[str, Any]) -> None:
    path.write_text(
        json.dumps(
            {"models": {k: m.to_dict() for k, m in models.items()}, "out_of_fold": reports},
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


def all_features(embedder: str) -> tuple[str, ...]:
    return FEATURES if embedder else KEYWORD_FEATURES
