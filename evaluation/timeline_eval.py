"""Questions about time on held-out cases: `python -m evaluation.timeline_eval FILE --reports DIR --seeds
DIR`.

Each case names the kind (first | latest), the year a plain search of the raw corpus finds for its
term (the gold, worked out apart from the product), and the corpus (reports | seeds) whose index
answers it. A case is right when the year the answer states for that kind is the gold year and a
passage of that year holding the term is cited.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from assistant.answer.pipeline import Assistant
from assistant.records import Answer
from ingest.normalize import to_simplified
from vectorstore.index import Index


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", to_simplified(text))


def judge(case: dict[str, str], answer: Answer) -> tuple[str, bool, bool]:
    """(year stated, right year, a passage of that year with the term cited)."""
    if answer.timeline is None:
        return "", False, False
    stated = (answer.timeline.first if case["kind"] == "first" else answer.timeline.latest)[:4]
    cited = any(c.date[:4] == stated and case["term"] in _fold(c.text) for c in answer.citations)
    return stated, stated == case["year"], cited


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cases", type=Path)
    parser.add_argument("--reports", type=Path, required=True, help="index of the reports corpus")
    parser.add_argument(
        "--seeds", type=Path, required=True, help="index of the sample corpus with its manifest"
    )
    args = parser.parse_args()
    assistants = {"reports": Assistant(Index(args.reports)), "seeds": Assistant(Index(args.seeds))}
    right = cited = total = 0
    print("| id | question | kind | gold | stated | right | cited |")
    print("|---|---|---|---|---|---|---|")
    for line in args.cases.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        answer = assistants[case["corpus"]].ask(case["question"])
        stated, ok, with_passage = judge(case, answer)
        total += 1
        right += ok
        cited += ok and with_passage
        print(
            f"| {case['id']} | {case['question']} | {case['kind']} | {case['year']} | {stated or '-'} | "
            f"{'yes' if ok else 'no'} | {'yes' if with_passage else 'no'} |"
        )
    print(
        f"\nright year {right}/{total} ({right / total:.0%}); right year with its passage cited "
        f"{cited}/{total} "
        f"({cited / total:.0%})"
    )


if __name__ == "__main__":
    main()
