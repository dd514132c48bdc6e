"""The measuring commands' edges: a mistyped argument is a clear error, and nothing is created."""

from __future__ import annotations

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
