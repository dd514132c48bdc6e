"""A fixed, stratified split of a public question set into a tuning part and a held-out part.

`python -m evaluation.split ../shared/eval/natural.jsonl --held-out 0.45 --seed 20261206` writes the
ids of each part to evaluation/data/natural_split.json. Strata are (corpus, script of the question):
each keeps its share in both parts. The held-out part is scored before and after a change and its
failures are looked at only at the end; methods are tuned on the other part.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from ingest.normalize import to_simplified


def script_of(text: str) -> str:
    """latin, traditional or simplified: what the question is written in."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return "latin"
    return "traditional" if to_simplified(text) != text else "simplified"


def split(items: list[dict[str, Any]], held_out: float, seed: int) -> dict[str, list[str]]:
    strata: dict[tuple[str, str, bool], list[str]] = defaultdict(list)
    for item in items:
        strata[(item.get("corpus", ""), script_of(item["turns"][-1]), bool(item.get("unanswerable")))].append(
            item["id"]
        )
    rng = random.Random(seed)
    parts: dict[str, list[str]] = {"tune": [], "held_out": []}
    for key in sorted(strata):
        ids = sorted(strata[key])
        rng.shuffle(ids)
        cut = round(len(ids) * held_out)
        parts["held_out"] += ids[:cut]
        parts["tune"] += ids[cut:]
    return {name: sorted(ids) for name, ids in parts.items()}


def part(path: Path, split_file: Path, name: str) -> list[dict[str, Any]]:
    """The questions of `path` in part `name` (tune | held_out) of `split_file`."""
    ids = set(json.loads(split_file.read_text(encoding="utf-8"))[name])
    return [q for q in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if q.get("id") in ids]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("questions")
    parser.add_argument("--held-out", type=float, default=0.45)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--out", default=str(Path(__file__).parent / "data" / "natural_split.json"))
    args = parser.parse_args()
    items = [
        json.loads(line)
        for line in Path(args.questions).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    parts = split(items, args.held_out, args.seed)
    Path(args.out).write_text(
        json.dumps({"seed": args.seed, "held_out_share": args.held_out, **parts}, indent=1) + "\n",
        encoding="utf-8",
    )
    print(f"{len(parts['tune'])} to tune on, {len(parts['held_out'])} held out -> {args.out}")


if __name__ == "__main__":
    main()
