"""What the OpenAI-compatible API adds to a direct Assistant.ask, in one run:
`python -m evaluation.api_overhead [--data-dir D] [--runs 31]`.

The same questions are asked alternately straight and through POST /v1/chat/completions (one kept-alive
connection, extractive answers, a server on a thread of this process), so that the machine's noise
falls on both alike; the medians and their difference are printed. A benchmark, not a test: timings
on a busy shared machine say nothing about correctness (tests/assistant/test_api.py covers that).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

QUESTIONS = (
    "聊城对清理拖欠民营企业账款有什么要求？",
    "What did the speeches say about land quotas?",
    "放管服改革要達到什麼目標？",
)


def measure(data_dir: Path | None, runs: int) -> dict[str, float]:
    import httpx

    from assistant.answer.pipeline import Assistant
    from assistant.app.context import open_index
    from assistant.app.server import start
    from assistant.settings import Settings
    from evaluation.soak import free_port

    assistant = Assistant(open_index(Settings.from_env(data_dir=data_dir)))
    assistant.warm_up()
    running = start(assistant, port=free_port())
    direct: list[float] = []
    through: list[float] = []
    try:
        with httpx.Client(timeout=60) as http:
            for i in range(runs):
                question = QUESTIONS[i % len(QUESTIONS)]
                began = time.perf_counter()
                assistant.ask(question)
                direct.append(time.perf_counter() - began)
                began = time.perf_counter()
                response = http.post(
                    f"{running.url}/v1/chat/completions",
                    json={"model": "speechqa", "messages": [{"role": "user", "content": question}]},
                )
                through.append(time.perf_counter() - began)
                response.raise_for_status()
    finally:
        running.stop()
    return {
        "direct_p50_ms": 1000 * statistics.median(direct),
        "api_p50_ms": 1000 * statistics.median(through),
        "overhead_p50_ms": 1000 * (statistics.median(through) - statistics.median(direct)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir", type=Path, help="the index (default: $SPEECHQA_HOME or ~/.local/share/speechqa)"
    )
    parser.add_argument("--runs", type=int, default=31, help="questions asked each way (default 31)")
    args = parser.parse_args(argv)
    figures = measure(args.data_dir, args.runs)
    print(" ".join(f"{name} {value:.1f}" for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
