"""Latency of whole answers, as the reader waits for them: `python -m evaluation.ask_latency DATA_DIR
QUESTIONS.jsonl ...` asks every question (its turns as the conversation) through `Assistant.ask` after
`warm_up` and prints the count, p50 and p95 in ms as JSON. Run it from two checkouts (PYTHONPATH) in
turn to compare code on one index in one run."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from assistant.answer.pipeline import Assistant
from assistant.app.context import open_index
from assistant.settings import Settings
from vectorstore.catalog import CATALOG_FILE


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.ask_latency",
        description="Latency of whole answers on one index: every question of the files asked through "
        "Assistant.ask after warm-up; prints the count, p50 and p95 in ms as JSON.",
    )
    parser.add_argument("data_dir", type=Path, help="an index folder (built by speechqa ingest)")
    parser.add_argument("questions", nargs="+", type=Path, help="JSON Lines of {turns: [...], ...}")
    args = parser.parse_args(argv)
    settings = Settings.from_env(data_dir=args.data_dir)
    if not settings.catalog and not (args.data_dir / CATALOG_FILE).is_file():
        parser.error(f"{args.data_dir} holds no index (speechqa ingest FILES --data-dir {args.data_dir})")
    missing = [str(p) for p in args.questions if not p.is_file()]
    if missing:
        parser.error(f"no such questions file: {', '.join(missing)}")
    index = open_index(settings)
    assistant = Assistant(index)
    assistant.warm_up()
    conversations = [
        json.loads(line)["turns"]
        for path in args.questions
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    times = []
    for turns in conversations:
        began = time.perf_counter()
        assistant.ask(turns[-1], turns[:-1])
        times.append(1000 * (time.perf_counter() - began))
    times.sort()
    print(
        json.dumps(
            {
                "n": len(times),
                "p50": round(statistics.median(times), 1),
                "p95": round(times[max(0, int(0.95 * len(times)) - 1)], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
