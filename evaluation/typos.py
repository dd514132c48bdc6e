"""A question set with one typing slip per English question, to measure what a misspelt word does to the
answer: the same questions, the same gold, and in each English question its longest word that the
dictionary reads (six letters or more, written in lower case) with two neighbouring letters swapped in
its middle (government -> govenrment), the slip people make most. Chinese questions are left out: a
wrong character is another word, not a slip of the keyboard. Deterministic, so that two runs compare.

    python -m evaluation.typos ../shared/eval/natural.jsonl /tmp/natural_typos.jsonl
    speechqa eval /tmp/natural_typos.jsonl --corpus seeds --data-dir SEEDS_INDEX --configs full
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from assistant.query.english import _lemma, reverse_dictionary

_WORD = re.compile(r"\b[a-z]{6,}\b")


def with_slip(question: str) -> str | None:
    """The question with its longest dictionary word's middle letters swapped, or None if it has none."""
    table = reverse_dictionary()
    found = [m for m in _WORD.finditer(question) if m.group() in table or _lemma(m.group()) in table]
    if not found:
        return None
    word = max(found, key=lambda m: (len(m.group()), -m.start()))
    w = word.group()
    i = len(w) // 2 - 1
    if w[i] == w[i + 1]:
        i += 1
    slipped = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    return question[: word.start()] + slipped + question[word.end() :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", help="JSON Lines question set (../shared/eval/natural.jsonl)")
    parser.add_argument("out", help="where to write the English questions with a slip each")
    args = parser.parse_args(argv)
    kept: list[dict[str, Any]] = []
    for line in Path(args.questions).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        last = item["turns"][-1]
        if re.search(r"[\u4e00-\u9fff]", last):
            continue
        slipped = with_slip(last)
        if slipped is not None and slipped != last:
            kept.append({**item, "turns": [*item["turns"][:-1], slipped], "id": f"{item['id']}-slip"})
    lines = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in kept)
    Path(args.out).write_text(lines, encoding="utf-8")
    print(f"{len(kept)} questions with a slip written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
