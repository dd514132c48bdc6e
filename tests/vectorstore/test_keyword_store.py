"""The keyword index's arrays: built in one streaming pass with a packed in-place sort, they are the
arrays the straightforward construction gives, and they find every passage holding a needle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vectorstore.keyword_store as store
from ingest.pipeline import prepare
from ingest.records import RawDocument
from vectorstore.keyword import BM25, tokenize_zh
from vectorstore.keyword_store import BigramPostings, KeywordIndex, bigram_codes


def _passages(seed_text: dict[str, str]) -> list[str]:
    texts = [
        c.search_text
        for key, text in sorted(seed_text.items())
        for c in prepare(RawDocument(f"{key}.txt", text, "txt", "utf-8"), doc_id=key).chunks
    ]
    return [*texts, "", "𠀀𠀁 rare plane-2 characters", "a"]  # empty, beyond the BMP, one character


def test_packed_sort_gives_the_arrays_of_an_argsort(
    seed_text: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = _passages(seed_text)
    packed = BigramPostings.build(texts)
    monkeypatch.setattr(store, "_ROW_BITS", 0)  # every corpus is "too large" to pack: the argsort path
    plain = BigramPostings.build(texts)
    for name in ("codes", "offsets", "rows"):
        assert np.array_equal(getattr(packed, name), getattr(plain, name)), name
    for needle in ("项目建设", "𠀀𠀁", "plane-2"):
        expected = [row for row, text in enumerate(texts) if needle in text]
        found = packed.candidates(needle)
        assert found is not None and set(expected) <= set(found.tolist()), needle
    assert len(packed.codes) == len(np.unique(np.concatenate([bigram_codes(t) for t in texts])))


def test_streamed_build_weighs_as_bm25_over_held_tokens(seed_text: dict[str, str], tmp_path: Path) -> None:
    texts = _passages(seed_text)
    tokens = [tokenize_zh(t) for t in texts]
    rows = ((f"c{k}", f"d{k % 3}", t, w) for k, (t, w) in enumerate(zip(texts, tokens, strict=True)))
    index = KeywordIndex.build(rows, ["d0", "d1", "d2"])
    reference = BM25([f"c{k}" for k in range(len(texts))], tokens)
    assert index.bm25.vocab == reference.vocab
    assert np.allclose(index.bm25.matrix.toarray(), reference.matrix.toarray())
    assert index.doc_of_row.tolist() == [k % 3 for k in range(len(texts))]
    index.save(tmp_path / "saved")
    loaded = KeywordIndex.load(tmp_path / "saved")
    assert np.array_equal(np.asarray(loaded.bigrams.rows), index.bigrams.rows)
    assert loaded.bm25.ids == index.bm25.ids
