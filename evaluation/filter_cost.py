"""What a filter costs in dense search, measured on one index: Chroma's own `where` clause (which scans
the metadata of every vector) against vectorstore.index.filtered_dense (an over-fetched unfiltered
query filtered afterwards, or the allowed passages scored exactly), for the filters questions carry: none but
the reposted copies left
out, a date range, one city. The overlap of the two top lists shows what the graph walk (approximate)
gives up against the scan (exact). Run:

    python -m evaluation.filter_cost DATA_DIR [--questions FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

K = 30  # the dense depth the question path asks for (vectorstore.hybrid)


def measure(data_dir: Path, questions: list[str]) -> dict[str, Any]:
    from vectorstore.index import Index, chroma_where, filtered_dense
    from vectorstore.records import Filters

    index = Index(data_dir)
    view, store, embedder = index.view(), index.stores[0], index.embedders[0]
    vectors = [embedder.embed_query(q) for q in questions]
    years = sorted(view.years)
    city = (
        max(view.cities, key=lambda c: sum(m.known_city == c for m in view.metas.values()))
        if view.cities
        else ""
    )
    cases = {"no filter (copies left out)": Filters()}
    if years:
        cases[f"since {years[len(years) // 2]}"] = Filters(date_from=years[len(years) // 2])
    if city:
        cases[f"city {city}"] = Filters(cities=(city,))
    out: dict[str, Any] = {"passages": view.size, "copies": len(view.copies), "questions": len(questions)}
    for label, filters in cases.items():
        allowed = view.allowed_rows(filters)
        where = chroma_where(filters, tuple(view.copies))
        inside, after, overlap = [], [], []
        for vector in vectors:
            began = time.perf_counter()
            theirs = store.query(vector, K, where) if where else store.query(vector, K, None)
            inside.append(1000 * (time.perf_counter() - began))
            began = time.perf_counter()
            mine = filtered_dense(store, view, vector, K, allowed)
            after.append(1000 * (time.perf_counter() - began))
            overlap.append(len({i for i, _ in mine} & {i for i, _ in theirs}))
        out[label] = {
            "share_allowed": round(1.0 if allowed is None else float(allowed.mean()), 3),
            "where_median_ms": round(statistics.median(inside), 1),
            "where_max_ms": round(max(inside), 1),
            "ours_median_ms": round(statistics.median(after), 1),
            "ours_max_ms": round(max(after), 1),
            "mean_overlap_of_top": f"{statistics.mean(overlap):.2f} of {K}",
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.filter_cost",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("data_dir")
    parser.add_argument(
        "--questions",
        help="a JSON list of questions (default: bench --scale's scale_questions.json "
        "beside the data directory)",
    )
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir)
    qfile = Path(args.questions) if args.questions else data_dir.parent / "scale_questions.json"
    print(
        json.dumps(
            measure(data_dir, json.loads(qfile.read_text(encoding="utf-8"))[:40]),
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
