"""The measuring commands' edges: a mistyped argument is a clear error, and nothing is created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.ask_latency import main as ask_latency


def test_ask_latency_refuses_a_folder_without_an_index_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"turns": ["临沂对招商引资有什么要求？"]}\n', encoding="utf-8")
    for argv in (["--help"], [str(tmp_path / "none"), str(questions)]):
        with pytest.raises(SystemExit):
            ask_latency(argv)
    err = capsys.readouterr()
    assert "p50 and p95" in err.out and "holds no index" in err.err
    assert not (tmp_path / "none").exists() and not Path("--help").exists()


def test_the_slip_set_swaps_two_letters_of_each_english_questions_longest_word(tmp_path: Path) -> None:
    from evaluation.typos import main as typos
    from evaluation.typos import with_slip

    assert with_slip("What did the government report say?") == "What did the govenrment report say?"
    assert with_slip("Did it say so?") is None  # no word of six letters the dictionary reads
    source, out = tmp_path / "q.jsonl", tmp_path / "slips.jsonl"
    source.write_text(
        '{"id": "a", "turns": ["临沂对招商引资有什么要求？"], "gold": []}\n'
        '{"id": "b", "turns": ["What did the government report say?"], "gold": [["x"]]}\n',
        encoding="utf-8",
    )
    assert typos([str(source), str(out)]) == 0
    (only,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert only == {"id": "b-slip", "turns": ["What did the govenrment report say?"], "gold": [["x"]]}
