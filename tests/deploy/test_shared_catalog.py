"""More than one host: two speechqa processes with their own data directories share a real PostgreSQL
catalog and a real Chroma server. Ingest through one, answer through the other, restart each server
in between, and ingest again: the answering process sees the new documents."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from evaluation.soak import free_port, own_server
from tests.conftest import SAMPLE
from tests.deploy.pg_server import PostgresServer
from tests.vectorstore.chroma_server import ChromaServer

pytestmark = pytest.mark.heavy  # a PostgreSQL server in every test

FIRST = ("000_e7b21a757bc8664b.txt", "001_f95cae93732fd9ad.txt", "002_f6ee860a1e13cda9.txt")
LATER = ("003_8f530c069bdfcbd7.txt", "004_2d799a09d0bc18b1.txt")


@pytest.fixture()
def servers(tmp_path: Path) -> Iterator[tuple[PostgresServer, ChromaServer]]:
    postgres = PostgresServer(free_port())
    chroma = ChromaServer(tmp_path / "chroma", free_port())
    postgres.start()
    chroma.start()
    try:
        yield postgres, chroma
    finally:
        chroma.stop()
        postgres.stop()
        postgres.remove()


def _folder(tmp_path: Path, name: str, files: tuple[str, ...]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for file in (*files, "manifest.yaml"):
        shutil.copy(SAMPLE / file, folder / file)
    return folder


def _ingest(folder: Path, data_dir: Path, flags: list[str]) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "ingest",
            str(folder),
            "--data-dir",
            str(data_dir),
            "--quiet",
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def _top_document(url: str, query: str) -> str:
    reply = httpx.post(f"{url}v1/search", json={"query": query, "k": 3}, timeout=120)
    assert reply.status_code == 200, reply.text
    passages = reply.json()["data"]
    assert passages, reply.json()
    return str(passages[0]["doc_id"])


def test_ingest_on_one_host_answer_on_another_across_restarts(
    tmp_path: Path, servers: tuple[PostgresServer, ChromaServer]
) -> None:
    postgres, chroma = servers
    flags = ["--catalog", postgres.url, "--chroma-host", "127.0.0.1", "--chroma-port", str(chroma.port)]
    host_a, host_b = tmp_path / "host-a", tmp_path / "host-b"
    _ingest(_folder(tmp_path, "first", FIRST), host_a, flags)

    huizhou = (SAMPLE / FIRST[2]).read_text(encoding="utf-8").splitlines()[6][:30]
    with own_server(host_b, extra=flags) as (url, _):
        assert _top_document(url, huizhou) == FIRST[2].removesuffix(".txt")

        postgres.stop()
        postgres.start()
        assert _top_document(url, huizhou) == FIRST[2].removesuffix(".txt")  # a new connection, same catalog
        chroma.stop()
        chroma.start()
        assert _top_document(url, huizhou) == FIRST[2].removesuffix(".txt")  # the vectors persisted

        _ingest(_folder(tmp_path, "later", LATER), host_a, flags)  # the other host adds two speeches
        assert _top_document(url, "清理拖欠民营企业账款") == LATER[1].removesuffix(".txt")

    assert not (host_b / "catalog.sqlite").exists() and not (host_a / "catalog.sqlite").exists()
    assert any(
        (host_b / "keyword").iterdir()
    )  # each host keeps its own keyword index, built from the shared catalog


def test_a_catalog_address_that_is_not_postgresql_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "docs",
            "--data-dir",
            str(tmp_path / "data"),
            "--catalog",
            "mysql://someone@db/speeches",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert (
        "postgresql://" in done.stderr + done.stdout
        and "mysql://someone@db/speeches" in done.stderr + done.stdout
    )


def test_a_postgresql_server_that_does_not_answer_is_named(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "docs", "--data-dir", str(tmp_path / "data"), "--catalog", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert (
        "does not answer" in done.stderr + done.stdout and not (tmp_path / "data" / "catalog.sqlite").exists()
    )
