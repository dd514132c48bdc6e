"""Rules a reader meets in many stages live in one module each: where sentences end and how a year
is written (ingest/grammar.py). A character class of sentence ends or a year pattern written
anywhere else in the product's code fails here; read it from ingest.grammar instead."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWNER = ROOT / "ingest" / "grammar.py"
# a regular-expression class holding a full stop together with another end (。！, 。？, 。；)
SENTENCE_END_CLASS = re.compile(r"\[[^\]\n]{0,12}。[^\]\n]{0,12}\]")
ENDS = "！？；!?;"
YEAR_PATTERN = re.compile(r"\(\?:19\|20\)|\(19\|20\)")


def offenders(pattern: re.Pattern[str], keep: str = "") -> list[str]:
    found = []
    for package in ("assistant", "ingest", "vectorstore"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == OWNER:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                for m in pattern.finditer(line):
                    if not keep or any(c in m.group(0) for c in keep):
                        found.append(f"{path.relative_to(ROOT)}:{number}: {m.group(0)}")
    return found


def test_sentence_ends_are_defined_once() -> None:
    # a class with 。 and another end of sentence; classes of filler punctuation in the question
    # grammar (words.py: what a question's frame holds) are not sentence ends
    found = [f for f in offenders(SENTENCE_END_CLASS, ENDS) if not f.startswith("assistant/query/words.py")]
    assert found == [], "read these from ingest.grammar:\n" + "\n".join(found)


def test_years_are_written_once() -> None:
    assert offenders(YEAR_PATTERN) == []


def test_every_reader_facing_wording_is_in_both_languages() -> None:
    """One catalog (assistant/wording.py) holds what a reader sees in words; each key in Chinese and in
    English, and a key missing fails loudly rather than showing nothing."""
    import pytest

    from assistant.wording import PHRASES, MissingWording, phrase

    assert set(PHRASES["zh"]) == set(PHRASES["en"])
    assert phrase("sources", "zh", "traditional") == "出處" and phrase("chip_topic", "en", "latin") == "topic"
    with pytest.raises(MissingWording, match="no_such_key"):
        phrase("no_such_key", "en", "latin")
