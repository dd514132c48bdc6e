"""Comparison conversations: `python -m evaluation.conversations [FILE] --data-dir DIR`.

Each conversation is asked turn by turn, each turn with the turns before it as history, as the chat
does. A turn is scored on its scope (the places it is about, whether it compares them, and its topic,
each as a person would expect: `cities`, `comparison`, `topic` of the file, where 土地|用地 accepts
either) and, for each place with
gold passages, on whether that place's column (a comparison's row, or the answer of a one-place turn)
quotes a gold passage among its first three citations.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.answer.pipeline import Assistant
from assistant.records import Answer, Citation
from evaluation.evaluate import fold
from vectorstore.records import Filters

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "comparison_conversations.jsonl"
TOP = 3


def column(answer: Answer, place: str) -> list[Citation]:
    """The first citations a place's column shows."""
    by_n = {c.n: c for c in answer.citations}
    for row in answer.comparison:
        if row.entity == place:
            return [by_n[n] for n in row.citations[:TOP] if n in by_n]
    return list(answer.citations[:TOP]) if not answer.comparison else []


def score_turn(assistant: Assistant, answer: Answer, turn: dict[str, Any]) -> dict[str, Any]:
    view = assistant.index.view()
    query = assistant.query(answer.plan, view, Filters())
    words = " ".join(
        [answer.plan.topic, answer.plan.standalone] + [f for c in query.concepts for f in c.forms]
    )
    cities_ok = set(answer.plan.cities) == set(turn["cities"])
    comparison_ok = bool(answer.comparison) == turn["comparison"]
    topic_ok = any(
        fold(t) in fold(words) for t in turn["topic"].split("|")
    )  # 土地|用地: either reads as land
    columns = {
        place: any(fold(s) in fold(c.text) for c in column(answer, place) for s in snippets)
        for place, snippets in turn.get("gold", {}).items()
    }
    return {
        "q": turn["q"],
        "cities": list(answer.plan.cities),
        "comparison": [r.entity for r in answer.comparison],
        "scope_ok": cities_ok and comparison_ok and topic_ok,
        "why": ", ".join(
            n
            for n, ok in (("cities", cities_ok), ("comparison", comparison_ok), ("topic", topic_ok))
            if not ok
        ),
        "columns": columns,
    }


def run(assistant: Assistant, conversations: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for conversation in conversations:
        history: list[str] = []
        for turn in conversation["turns"]:
            answer = assistant.ask(turn["q"], history)
            history.append(turn["q"])
            out.append(
                {
                    "id": conversation["id"],
                    "script": conversation["script"],
                    **score_turn(assistant, answer, turn),
                }
            )
    return out


def summary(turns: Sequence[dict[str, Any]]) -> dict[str, Any]:
    columns = [ok for t in turns for ok in t["columns"].values()]
    by_script: dict[str, list[bool]] = {}
    for t in turns:
        by_script.setdefault(t["script"], []).append(t["scope_ok"])
    return {
        "conversations": len({t["id"] for t in turns}),
        "turns": len(turns),
        "scope_ok": round(sum(t["scope_ok"] for t in turns) / len(turns), 3),
        "scope_ok_by_script": {s: round(sum(v) / len(v), 3) for s, v in sorted(by_script.items())},
        "columns": len(columns),
        "column_recall@3": round(sum(columns) / len(columns), 3) if columns else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.app.context import open_index
    from assistant.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m evaluation.conversations", description=__doc__)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="the index to ask (the seeds without manifest)"
    )
    parser.add_argument("--turns", action="store_true", help="also print every turn")
    args = parser.parse_args(argv)
    conversations = [
        json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    assistant = Assistant(open_index(Settings.from_env(data_dir=args.data_dir)))
    turns = run(assistant, conversations)
    print(json.dumps(summary(turns), ensure_ascii=False, indent=1))
    if args.turns:
        for t in turns:
            miss = [p for p, ok in t["columns"].items() if not ok]
            mark = "ok " if t["scope_ok"] else "BAD"
            print(
                f"{t['id']} {mark} {t['q']} -> {t['cities']} {t['comparison']} {t['why']}"
                f"{' | column misses: ' + ','.join(miss) if miss else ''}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
