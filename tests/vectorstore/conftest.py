"""Fixtures of the index tests: a real Chroma server per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.vectorstore.chroma_server import ChromaServer, free_port


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    chroma = ChromaServer(tmp_path / "chroma-server", free_port())
    chroma.start()
    yield chroma
    chroma.stop()
