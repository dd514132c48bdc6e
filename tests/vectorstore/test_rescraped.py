"""The embedding cache in normal ingestion: a re-scraped copy of a speech (another site's page: its own
header lines and page markers) embeds only the text the index has not seen."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SAMPLE
from vectorstore.index import Index
from vectorstore.sync import sync_paths


def test_a_rescraped_copy_embeds_nothing_already_seen(tmp_path: Path, sample_index: Index) -> None:
    text = (SAMPLE / "004_2d799a09d0bc18b1.txt").read_text(encoding="utf-8")
    original = tmp_path / "site-a" / "speech.txt"
    original.parent.mkdir()
    original.write_text(text, encoding="utf-8")
    index = Index(tmp_path / "data")
    index.use_embedders(sample_index.embedders)
    assert not sync_paths(index, [original.parent], progress=False).errors
    first = index.timer.texts

    copy = tmp_path / "site-b" / "speech.txt"
    copy.parent.mkdir()
    copy.write_text(text.replace("\n", "\n\n", 3) + "\n【打印本页】【关闭窗口】\n", encoding="utf-8")
    before = index.cache.misses
    report = sync_paths(index, [copy.parent], progress=False)
    assert not report.errors and report.chunks_added == len(index.catalog.chunk_ids()) // 2
    assert index.cache.misses == before and index.timer.texts == first  # every passage came from the cache
