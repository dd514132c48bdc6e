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


def test_killed_ingest_leaves_no_partial_document_and_rerun_completes(tmp_path: Path, sample_index: Index) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    data = tmp_path / "data"
    fresh_cache = {**os.environ, CACHE_ENV: str(tmp_path / "own-cache.sqlite")}  # so that it really embeds
    process = subprocess.Popen([sys.executable, "-m", "assistant", "ingest", str(corpus), "--data-dir", str(data), "--quiet"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=fresh_cache)
    deadline = time.time() + 300
    while catalog_docs(data) < 2 and time.time() < deadline and process.poll() is None:
        time.sleep(0.1)
    assert process.poll() is None, "the ingestion finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert 2 <= catalog_docs(data) < 5

    index = Index(data)
    index.use_embedders(sample_index.embedders)
    for doc_id in index.catalog.metas():  # every document the catalog lists is whole
        document = index.document(doc_id)
        assert document is not None
        assert sum(c.end - c.start for c, _ in index.catalog.chunks(doc_id)) > 0.8 * len(document.text.replace("\n", ""))
    report = sync_paths(index, [corpus], progress=False)
    assert not report.errors
    ids = index.catalog.chunk_ids()
    assert len(ids) == len(set(ids)) == len(sample_index.catalog.chunk_ids())
    assert all(store.ids() == set(ids) for store in index.stores)  # no orphan or missing vectors
    assert sync_paths(index, [corpus], progress=False).chunks_added == 0


def test_queries_during_ingestion_never_fail(tmp_path: Path, sample_index: Index,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "own-cache.sqlite"))  # a real, slow ingestion to query during
    corpus = tmp_path / "corpus"  # two of the speeches: a few seconds of embedding
    corpus.mkdir()
    for seed in ("000_*.txt", "004_*.txt"):
        shutil.copy(next(SAMPLE.glob(seed)), corpus)
    index = Index(tmp_path / "data")
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

    reader = Index(tmp_path / "data")  # a second handle, as a serving process would have
    reader.use_embedders(sample_index.embedders)
    thread = threading.Thread(target=ingest)
    thread.start()
    answered = 0
    while not done.is_set():
        reader.keyword_search(tokenize_zh("项目建设"), 5)
        reader.dense_search("项目建设有什么要求", 5)
        answered += 1
    thread.join()
    assert not errors and answered > 3
    assert reader.keyword_search(tokenize_zh("清理拖欠民营企业账款"), 3)  # the reader sees the new documents


def test_second_ingestion_is_told_and_serialised(tmp_path: Path) -> None:
    with ingest_lock(tmp_path):
        with pytest.raises(IngestBusy, match="another ingestion is running"):
            with ingest_lock(tmp_path, wait=False):
                pass
    with ingest_lock(tmp_path, wait=False):  # free again
        pass
