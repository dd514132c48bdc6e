"""The question's path through the code, counted with a call tracer: which of the project's functions
receive the question's text (as typed, or any normalised form of it) between `Assistant.ask` and
the answer, and how many project functions run in all. A measure of shape, not of quality: a text
normalised again in stage after stage shows up as many functions holding it. Run:

    python -m evaluation.question_path DATA_DIR "question" ["question" ...] [--list]

A function counts as holding the text when one of its arguments is a string that, folded the same
way (NFKC, Simplified, lower case, no spaces or punctuation), holds at least `SHARE` of the folded
question's characters in order and is no more than twice its length: the question itself, its
normalised forms and the follow-up rewritten with its history, not a passage or a single word.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import opencc

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "ingest", "vectorstore")
SHARE = 0.8  # of the folded question's characters, in order
_T2S = opencc.OpenCC("t2s")


def fold(text: str) -> str:
    text = _T2S.convert(unicodedata.normalize("NFKC", text)).lower()
    return "".join(c for c in text if c.isalnum())


def holds_question(value: object, folded: str) -> bool:
    if not isinstance(value, str) or len(value) < 4:
        return False
    other = fold(value)
    if not other or len(other) > 2 * len(folded):
        return False
    matcher = difflib.SequenceMatcher(None, folded, other, autojunk=False)
    return sum(b.size for b in matcher.get_matching_blocks()) >= SHARE * len(folded)


def _project_function(frame: FrameType) -> str | None:
    path = Path(frame.f_code.co_filename)
    try:
        rel = path.resolve().relative_to(ROOT)
    except ValueError:
        return None
    if rel.parts[0] not in PACKAGES:
        return None
    module = ".".join(rel.with_suffix("").parts)
    return f"{module}:{frame.f_code.co_qualname}"


UNDERSTANDING = "Assistant.understand"  # the stage that reads the text into a QueryPlan


@dataclass
class Trace:
    """What one question's trace found."""

    holding: Counter[str] = field(default_factory=Counter)  # function -> calls holding the text
    after: set[str] = field(default_factory=set)  # of those, the ones called outside understanding
    ran: set[str] = field(default_factory=set)  # every project function that ran


def trace(ask: Any, question: str) -> Trace:
    folded = fold(question)
    found = Trace()
    inside = [0]  # understanding frames open

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        if event not in ("call", "return"):
            return
        name = _project_function(frame)
        if name is None or name.endswith(("<genexpr>", "<listcomp>", "<dictcomp>", "<setcomp>")):
            return
        if name.endswith(UNDERSTANDING):
            inside[0] += 1 if event == "call" else -1
        if event != "call":
            return
        found.ran.add(name)
        code = frame.f_code
        count = code.co_argcount + code.co_kwonlyargcount
        names = code.co_varnames[:count]
        if any(holds_question(frame.f_locals.get(n), folded) for n in names):
            found.holding[name] += 1
            if not inside[0] and not name.endswith(UNDERSTANDING):
                found.after.add(name)

    sys.setprofile(profile)
    try:
        ask(question)
    finally:
        sys.setprofile(None)
    return found


def report(data_dir: Path, questions: Iterable[str], show: bool) -> None:
    from assistant.answer.pipeline import Assistant
    from vectorstore.index import Index

    assistant = Assistant(Index(data_dir))
    assistant.ask("warm up 土地指标")  # models and caches loaded outside the trace
    every = Trace()
    print(
        "| question | functions holding its text | of them after understanding "
        "| normalisations of it | project functions run |"
    )
    print("|---|---|---|---|---|")
    for question in questions:
        found = trace(assistant.ask, question)
        every.holding.update(found.holding)
        every.after |= found.after
        every.ran |= found.ran
        print(
            f"| {question} | {len(found.holding)} | {len(found.after)} "
            f"| {_normalisations(found)} | {len(found.ran)} |"
        )
    print(
        f"| all (union; calls summed) | {len(every.holding)} | {len(every.after)} "
        f"| {_normalisations(every)} | {len(every.ran)} |"
    )
    if show:
        print()
        for name in sorted(every.holding):
            print(
                f"{every.holding[name]:4d} {name}{'  (after understanding)' if name in every.after else ''}"
            )


def _normalisations(found: Trace) -> int:
    """Calls of the text normaliser (`ingest.normalize.normalize_text`) on the question's text."""
    return found.holding["ingest.normalize:normalize_text"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("data_dir", type=Path, help="an index (speechqa ingest … --data-dir DIR)")
    parser.add_argument("questions", nargs="+", help="questions to trace, each asked alone")
    parser.add_argument("--list", action="store_true", help="name the functions holding the text")
    args = parser.parse_args(argv)
    report(args.data_dir, args.questions, args.list)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
