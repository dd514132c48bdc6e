"""Where a question's time goes on one index: each stage's p50, p95 and maximum (Answer.timings) over
a list of questions, and the slowest questions with their stages. Run:

    python -m evaluation.stages DATA_DIR [--questions FILE] [--slowest N]

(default questions: bench --scale's scale_questions.json beside the data directory).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from evaluation.bench import percentile


def measure(data_dir: Path, questions: list[str], slowest: int = 6) -> dict[str, Any]:
    from assistant.answer.pipeline import Assistant
    from vectorstore.index import Index

    assistant = Assistant(Index(data_dir))
    assistant.warm_up()
    stages: dict[str, list[float]] = {}
    asked: list[tuple[float, str, dict[str, float]]] = []
    for question in questions:
        began = time.perf_counter()
        answer = assistant.ask(question)
        total = 1000 * (time.perf_counter() - began)
        times = {stage: 1000 * seconds for stage, seconds in answer.timings}
        for stage, ms in times.items():
            stages.setdefault(stage, []).append(ms)
        asked.append((total, question, times))
    totals = [t for t, _, _ in asked]
    return {
        "questions": len(questions),
        "total": {"p50_ms": round(percentile(totals, 0.5), 1), "p95_ms": round(percentile(totals, 0.95), 1)},
        "stages": {
            stage: {
                "p50_ms": round(percentile(v, 0.5), 1),
                "p95_ms": round(percentile(v, 0.95), 1),
                "max_ms": round(max(v), 1),
            }
            for stage, v in stages.items()
        },
        "slowest": [
            {"ms": round(t), "question": q, "stages": {s: round(ms) for s, ms in st.items()}}
            for t, q, st in sorted(asked, key=lambda a: -a[0])[:slowest]
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.stages",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("data_dir")
    parser.add_argument("--questions", help="a JSON list of questions")
    parser.add_argument("--slowest", type=int, default=6, help="slowest questions to list (default 6)")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir)
    qfile = Path(args.questions) if args.questions else data_dir.parent / "scale_questions.json"
    result = measure(data_dir, json.loads(qfile.read_text(encoding="utf-8")), args.slowest)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
