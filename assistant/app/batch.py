"""`speechqa batch`: one answer per input line, in the shape evaluation tools read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.answer.pipeline import Assistant
from assistant.errors import AssistantError
from vectorstore.errors import VectorStoreError

CITATION_FIELDS = ("n", "text", "doc_id", "title", "source", "city", "date", "section", "paragraph", "score")


def batch_record(item_id: Any, answer_dict: dict[str, Any]) -> dict[str, Any]:
    """What the user was shown: the outcome (answer, closest, not_covered), the passages quoted as the
    answer, and those listed beside it as possibly related, in the order shown."""
    return {
        "id": item_id,
        "answer": answer_dict["answer"],
        "outcome": answer_dict["outcome"],
        "found": answer_dict["found"],
        "citations": [{k: c[k] for k in CITATION_FIELDS} for c in answer_dict["citations"]],
        "related": [{k: c[k] for k in CITATION_FIELDS} for c in answer_dict["related"]],
    }


def run_batch(assistant: Assistant, source: Path, target: Path, *, progress: bool = True) -> tuple[int, int]:
    """Answer each `{"id", "turns": [...]}` line of a JSON Lines file (the last turn is asked, the ones
    before it are the conversation), or each line of a .txt file as a question alone (its line number
    the id); a bad line gets an `error` record and the run goes on."""
    text = source.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    if source.suffix.lower() == ".txt":
        lines = [
            json.dumps({"id": n, "turns": [line.strip()]}, ensure_ascii=False)
            for n, line in enumerate(lines, 1)
        ]
    done = failed = 0
    iterator: Any = lines
    if progress:
        from tqdm import tqdm

        iterator = tqdm(lines, unit="question", desc="answering")
    with target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(iterator, start=1):
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("turns"), list):
                    raise ValueError('expected {"id": …, "turns": ["question", …]}')
                turns = [str(t) for t in item["turns"]]
                if not turns:
                    raise ValueError("'turns' is empty")
                answer = assistant.ask(turns[-1], turns[:-1])
                record = batch_record(item.get("id", number), answer.to_dict())
                done += 1
            except (AssistantError, VectorStoreError, ValueError, KeyError, TypeError) as exc:
                record = {
                    "id": number,
                    "error": f"line {number}: {exc}",
                    "answer": "",
                    "outcome": "",
                    "found": False,
                    "citations": [],
                    "related": [],
                }
                failed += 1
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return done, failed
