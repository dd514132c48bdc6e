"""Figures extracted against figures labelled by hand: `python -m evaluation.figures_eval [FILE]`.

Each sentence's predicted figures are matched one to one with its labelled ones, in order of the
sentence (a predicted figure matches the first unmatched labelled one that agrees). Three levels of
agreement, each with its precision (matched / predicted) and recall (matched / labelled): the value
(with its scale; a redacted figure agrees only with a redacted one), value and unit, and value, unit
and qualifier. Redacted figures read as numbers are counted apart: there must be none.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ingest.figures import Figure, figures

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "figures_labelled.jsonl"
Agree = Callable[[Figure, dict[str, Any]], bool]


def same_value(f: Figure, gold: dict[str, Any]) -> bool:
    if gold["value"] is None or f.value is None:
        return gold["value"] is None and f.value is None
    return math.isclose(f.value, float(gold["value"]), rel_tol=1e-6)


LEVELS: dict[str, Agree] = {
    "value": same_value,
    "value+unit": lambda f, g: same_value(f, g) and f.unit == g["unit"],
    "value+unit+qualifier": lambda f, g: (
        same_value(f, g) and f.unit == g["unit"] and f.qualifier == g["qualifier"]
    ),
}


def matched(predicted: Sequence[Figure], gold: Sequence[dict[str, Any]], agree: Agree) -> int:
    used: set[int] = set()
    hits = 0
    for f in predicted:
        for i, g in enumerate(gold):
            if i not in used and agree(f, g):
                used.add(i)
                hits += 1
                break
    return hits


def score(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    predicted = [figures(item["sentence"]) for item in items]
    n_pred = sum(len(p) for p in predicted)
    n_gold = sum(len(item["figures"]) for item in items)
    out: dict[str, Any] = {"sentences": len(items), "labelled": n_gold, "extracted": n_pred}
    for level, agree in LEVELS.items():
        hits = sum(matched(p, item["figures"], agree) for p, item in zip(predicted, items, strict=True))
        out[level] = {
            "precision": round(hits / n_pred, 3) if n_pred else 0.0,
            "recall": round(hits / n_gold, 3),
        }
    # a redacted figure read as a number: a labelled redacted figure with no redacted prediction at its
    # place, while a number was predicted there
    out["redacted_labelled"] = sum(g["value"] is None for item in items for g in item["figures"])
    out["redacted_read_as_numbers"] = sum(
        1
        for p, item in zip(predicted, items, strict=True)
        for f in p
        if f.value is not None and any(c in item["sentence"][f.start : f.end] for c in "Xx×*ＸＸ＊")
    )
    return out


def misses(items: Sequence[dict[str, Any]]) -> list[str]:
    """Sentences whose figures disagree at the strictest level, for reading."""
    lines = []
    agree = LEVELS["value+unit+qualifier"]
    for item in items:
        predicted = figures(item["sentence"])
        if matched(predicted, item["figures"], agree) != len(predicted) or len(predicted) != len(
            item["figures"]
        ):
            got = [(f.value, f.unit, f.qualifier) for f in predicted]
            want = [(g["value"], g["unit"], g["qualifier"]) for g in item["figures"]]
            lines.append(f"{item['n']}: {item['sentence'][:60]}\n   got  {got}\n   want {want}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.figures_eval", description=__doc__)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT, help="labelled sentences (JSON Lines)")
    parser.add_argument("--misses", action="store_true", help="also print every sentence that disagrees")
    args = parser.parse_args(argv)
    items = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(json.dumps(score(items), ensure_ascii=False, indent=2))
    if args.misses:
        print("\n".join(misses(items)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
