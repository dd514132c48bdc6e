"""Latency of whole answers, as the reader waits for them: `python -m evaluation.ask_latency DATA_DIR
QUESTIONS.jsonl ...` asks every question (its turns as the conversation) through `Assistant.ask` after
`warm_up` and prints the count, p50 and p95 in ms as JSON. Run it from two checkouts (PYTHONPATH) in
turn to compare code on one index in one run."""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from assistant.answer.pipeline import Assistant
from assistant.app.context import open_index
from assistant.settings import Settings


def main(argv: list[str]) -> None:
    index = open_index(Settings.from_env(data_dir=Path(argv[0])))
    assistant = Assistant(index)
    assistant.warm_up()
    conversations = [
        json.loads(line)["turns"]
        for path in argv[1:]
        for line in Path(path).read_text(encoding="utf-8").splitlines()
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
    main(sys.argv[1:])
