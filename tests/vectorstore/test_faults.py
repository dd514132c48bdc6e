"""Faults underneath the index, each as an operator meets it: the Chroma server killed during questions
and during an ingestion, the disk full during an ingestion, a damaged or foreign file in the data
directory. Each gives a clear message; nothing finished is lost; the next run resumes."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assistant.answer.pipeline import Assistant
from assistant.app.cli import main
from assistant.records import Answer
from assistant.wording import phrase
from tests.conftest import SAMPLE
from tests.vectorstore.chroma_server import ChromaServer
from vectorstore.chroma_store import ChromaConfig
from vectorstore.errors import CorruptIndex, IngestInterrupted, StoreUnavailable
from vectorstore.index import Index
from vectorstore.sync import sync_paths

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "清理拖欠民营企业账款有什么要求？"
KEYWORDS_ONLY = phrase("keywords_only", "zh", "simplified")


def server_index(data: Path, server: ChromaServer, sample_index: Index) -> Index:
    index = Index(data, chroma=ChromaConfig(host="127.0.0.1", port=server.port))
    index.use_embedders(sample_index.embedders)
    return index


def assert_whole(index: Index, sample_index: Index) -> None:
    """The index holds the sample corpus once: every chunk in the catalog and in each collection."""
    ids = index.catalog.chunk_ids()
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(sample_index.catalog.chunk_ids())
    assert all(store.ids() == set(ids) for store in index.stores)


def test_server_killed_during_questions(tmp_path: Path, server: ChromaServer, sample_index: Index) -> None:
    index = server_index(tmp_path / "data", server, sample_index)
    sync_paths(index, [SAMPLE], progress=False)
    assistant = Assistant(index)
    assert assistant.ask(QUESTION).found

    answers: list[Answer] = []
    failures: list[BaseException] = []
    asked_once = threading.Event()

    def keep_asking() -> None:
        for _ in range(8):
            try:
                answers.append(assistant.ask(QUESTION))
            except BaseException as exc:  # noqa: BLE001 - any failure is what this test looks for
                failures.append(exc)
            asked_once.set()

    thread = threading.Thread(target=keep_asking)
    thread.start()
    asked_once.wait(timeout=120)
    server.kill()  # while questions are being answered
    thread.join()
    assert not failures, failures
    degraded = answers[-1]  # asked after the kill: keyword search alone, and it says so
    assert degraded.found and KEYWORDS_ONLY in degraded.text and KEYWORDS_ONLY in degraded.notes
    assert any("清理拖欠民营企业账款" in c.text for c in degraded.citations)
    with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{server.port}.*does not answer"):
        index.dense_search(QUESTION, 3)

    server.start()  # back: hybrid answers again, without the note
    again = assistant.ask(QUESTION)
    assert again.found and KEYWORDS_ONLY not in again.text


def test_server_killed_during_ingestion_then_resumed(
    tmp_path: Path, server: ChromaServer, sample_index: Index
) -> None:
    index = server_index(tmp_path / "data", server, sample_index)
    total = len(sample_index.catalog.chunk_ids())

    def kill_part_way(done: int, of: int) -> None:  # characters ingested so far, of all to ingest
        if done >= 0.7 * of and server.process is not None:  # past the first speech (58% of the characters)
            server.kill()

    with pytest.raises(IngestInterrupted) as stopped:
        sync_paths(index, [SAMPLE], progress=False, on_progress=kill_part_way)
    message = str(stopped.value)
    assert "ingestion stopped at" in message and "does not answer" in message and "resumes" in message
    kept = index.catalog.chunk_ids()
    assert 0 < len(kept) < total  # the documents finished before the kill, and only whole ones
    for doc_id in index.catalog.metas():
        assert index.catalog.chunk_ids(doc_id) == sample_index.catalog.chunk_ids(doc_id)

    server.start()
    report = sync_paths(index, [SAMPLE], progress=False)
    assert not report.errors and report.chunks_added == total - len(kept)  # only what was missing
    assert_whole(index, sample_index)


def tiny_filesystem(path: Path, size: str) -> None:
    path.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small filesystem needs root (CI runs as root)")
def test_disk_full_during_ingestion(tmp_path: Path, sample_index: Index) -> None:
    disk = tmp_path / "disk"
    tiny_filesystem(disk, "1200k")  # room for the empty stores and about two speeches
    try:
        data = disk / "data"
        done = subprocess.run(
            [sys.executable, "-m", "assistant", "ingest", str(SAMPLE), "--data-dir", str(data), "--quiet"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 1
        assert (
            "disk is full" in done.stderr
            and "ingestion stopped at" in done.stderr
            and "Traceback" not in done.stderr
        )
        index = Index(data)
        index.use_embedders(sample_index.embedders)
        listed = index.catalog.metas()
        assert len(listed) < 5
        for doc_id in listed:  # the catalog lists only whole documents
            assert index.catalog.chunk_ids(doc_id) == sample_index.catalog.chunk_ids(doc_id)

        subprocess.run(["mount", "-o", "remount,size=40m", str(disk)], check=True)  # space freed
        report = sync_paths(index, [SAMPLE], progress=False)
        assert not report.errors
        assert_whole(index, sample_index)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_damaged_catalog_is_named_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "catalog.sqlite"
    catalog.write_bytes(os.urandom(8192))
    before = fingerprint(catalog)
    with pytest.raises(CorruptIndex, match=str(catalog)):
        Index(tmp_path)
    assert main(["docs", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert str(catalog) in err and "left as it is" in err and "Traceback" not in err
    assert fingerprint(catalog) == before  # never reset


def test_another_programs_database_is_not_taken_over(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.sqlite"
    with sqlite3.connect(catalog) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        db.execute("INSERT INTO invoices VALUES (1, 9.5)")
    db.close()
    before = fingerprint(catalog)
    with pytest.raises(CorruptIndex, match="another program's database.*invoices"):
        Index(tmp_path)
    assert fingerprint(catalog) == before


def test_a_damaged_vector_store_is_named(
    tmp_path: Path, sample_index: Index, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(sample_index.data_dir / "catalog.sqlite", tmp_path / "catalog.sqlite")
    store = tmp_path / "chroma" / "chroma.sqlite3"
    store.parent.mkdir()
    store.write_bytes(os.urandom(8192))
    before = fingerprint(store)
    index = Index(tmp_path)
    index.use_embedders(sample_index.embedders)
    with pytest.raises(CorruptIndex, match=str(tmp_path / "chroma")):
        Assistant(index).ask(QUESTION)
    assert main(["ask", QUESTION, "--data-dir", str(tmp_path)]) == 1
    assert str(tmp_path / "chroma") in capsys.readouterr().err
    assert fingerprint(store) == before


def test_stray_files_in_the_data_directory_are_harmless(tmp_path: Path, sample_index: Index) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_index.data_dir, data)
    (data / "notes.txt").write_text("my notes", encoding="utf-8")
    (data / "backup").mkdir()
    index = Index(data)
    index.use_embedders(sample_index.embedders)
    assert Assistant(index).ask(QUESTION).found
