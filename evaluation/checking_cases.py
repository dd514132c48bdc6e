"""The sentence check on written cases, as a table: `python -m evaluation.checking_cases [--data-dir D]
FILE…`.

Each case is a question, a sentence a model might write, and whether the passages support it; the
sentence names the passage it cites by a phrase of it ([{不再切塊}]) so that it does not depend on the
order of retrieval. tests/assistant/test_citations.py asserts the same cases.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from assistant.answer.checking import Passage, check_sentence
from assistant.answer.generate import header, translator
from assistant.answer.pipeline import Assistant
from assistant.records import Answer, SentenceCheck
from ingest.normalize import normalize_text

_CITES = re.compile(r"\[\{([^}]+)\}\]")


def resolve(sentence: str, answer: Answer) -> str:
    """[{phrase}] -> [n] of the answer's citation whose text holds the phrase."""

    def marker(m: re.Match[str]) -> str:
        return (
            f"[{next(c.n for c in answer.citations if normalize_text(m.group(1)) in normalize_text(c.text))}]"
        )

    return _CITES.sub(marker, sentence)


def run_cases(assistant: Assistant, path: Path) -> list[tuple[dict[str, object], str, SentenceCheck]]:
    translate = translator(assistant.index.view().romanised)
    answers: dict[str, Answer] = {}
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        question = str(case["question"])
        answer = answers.setdefault(question, assistant.ask(question))
        sentence = resolve(str(case["sentence"]), answer)
        passages = {c.n: Passage(c.n, c.text, header(c)) for c in answer.citations}
        out.append((case, sentence, check_sentence(sentence, passages, translate)))
    return out


def main(argv: list[str] | None = None) -> int:
    from assistant.app.context import open_index
    from assistant.settings import Settings

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--data-dir", help="the index (default: $SPEECHQA_HOME or ~/.local/share/speechqa)")
    args = parser.parse_args(argv)
    settings = Settings.from_env(data_dir=Path(args.data_dir) if args.data_dir else None)
    assistant = Assistant(open_index(settings))
    wrong = 0
    for path in args.files:
        print(f"\n{path.name}\n\n| case | sentence | supported | kept | reason |\n|---|---|---|---|---|")
        for case, sentence, check in run_cases(assistant, path):
            wrong += check.kept != case["kept"]
            short = sentence if len(sentence) <= 70 else sentence[:67] + "…"
            print(
                f"| {case['case']} | {short.replace('|', '｜')} | {'yes' if case['kept'] else 'no'} | "
                f"{'kept' if check.kept else 'removed'}{'' if check.kept == case['kept'] else ' ✗'} | "
                f"{check.why or '—'} |"
            )
    print(f"\n{wrong} case(s) decided against their label")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
