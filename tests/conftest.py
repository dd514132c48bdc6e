"""Shared fixtures: the real seeds, and one index of them built once per test session."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from vectorstore import embed_cache

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assistant" / "sample_corpus"
DATA = ROOT / "tests" / "data"

# One embedding cache for the whole run, empty at its start: every passage is really embedded once,
# then shared by the tests' many indexes of the same seeds (and, through the environment, by the
# speechqa processes they start).
CACHE_ENV = "SPEECHQA_EMBED_CACHE"
SHARED_CACHE = Path(tempfile.mkdtemp(prefix="speechqa-test-cache-")) / "embeddings.sqlite"
os.environ[CACHE_ENV] = str(SHARED_CACHE)
embed_cache.SHARED = SHARED_CACHE


def fold(text: str) -> str:
    """Script, whitespace and punctuation folded, as the evaluation compares snippets."""
    from ingest.normalize import to_simplified

    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff.%]", "", to_simplified(text))


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    return sorted(SAMPLE.glob("*.txt"))


@pytest.fixture(scope="session")
def seed_text(seed_paths: list[Path]):  # type: ignore[no-untyped-def]
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in seed_paths}


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The sample corpus indexed with the real default embedder (about 15 s)."""
    from vectorstore.index import Index
    from vectorstore.sync import sync_paths

    index = Index(tmp_path_factory.mktemp("index"))
    report = sync_paths(index, [SAMPLE], progress=False)
    assert not report.errors, report.errors
    return index


@pytest.fixture(scope="session")
def hashed_sample_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The sample corpus indexed with the model-free `hashing` embedder (about a second): for what
    does not depend on what an embedder understands (mentions, trends, digests, time answers)."""
    from vectorstore.index import Index
    from vectorstore.sync import sync_paths

    index = Index(tmp_path_factory.mktemp("hashed-index"), ["hashing"])
    report = sync_paths(index, [SAMPLE], progress=False)
    assert not report.errors, report.errors
    return index


@pytest.fixture(scope="session")
def own_files_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The five seeds as a user's own files: no manifest, everything inferred from the text."""
    import shutil

    from vectorstore.index import Index
    from vectorstore.sync import sync_paths

    files = tmp_path_factory.mktemp("own-files-src")
    for path in SAMPLE.glob("*.txt"):
        shutil.copy(path, files / path.name)
    index = Index(tmp_path_factory.mktemp("own-files"))
    report = sync_paths(index, [files], progress=False)
    assert not report.errors, report.errors
    return index


# -- tiers ---------------------------------------------------------------------------------------------
# `pytest -m fast` (about 80 s on two processes) runs every test that needs none of: an index built with
# the real embedder, a server (Chroma, PostgreSQL, a chat model, the app), a browser. Such a test uses one
# of the fixtures below, or is marked `heavy` when it builds what it needs in its own body; the full
# suite (`pytest`) runs everything.
HEAVY_FIXTURES = frozenset({"sample_index", "own_files_index", "server", "servers", "browser"})


# Property tests draw the same examples on every run (derandomised, no example database), so a failure
# reproduces; the fast tier draws fewer of them than the full suite, which CI runs.
settings.register_profile(
    "full",
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("fast", parent=settings.get_profile("full"), max_examples=20)


def pytest_configure(config: pytest.Config) -> None:
    settings.load_profile("fast" if config.getoption("markexpr") == "fast" else "full")
    # the dictionary tables (English senses, place names, everyday words) kept where the command line
    # keeps them: built once per version of the code, not once per test run (ingest.tables.stored;
    # tests/ingest/test_stored_tables.py)
    from assistant.settings import default_tables_dir
    from ingest import tables

    tables.TABLES_DIR = default_tables_dir()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if not (
            fixtures & HEAVY_FIXTURES or item.get_closest_marker("heavy") or item.get_closest_marker("slow")
        ):
            item.add_marker(pytest.mark.fast)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """After the browser tests: artifacts/index.html shows every screenshot they took, one per flow,
    newest first, so that a person can look over the UI in a minute."""
    import html

    if hasattr(session.config, "workerinput"):
        return  # a worker process of pytest-xdist: the main process writes the page once all are done
    artifacts = ROOT / "artifacts"
    shots = sorted(artifacts.glob("*.png"), key=lambda p: -p.stat().st_mtime) if artifacts.is_dir() else []
    if not shots:
        return
    figures = "\n".join(
        f"<figure><figcaption>{html.escape(p.stem.replace('_', ' '))}</figcaption>"
        f'<img src="{html.escape(p.name)}" loading="lazy"></figure>'
        for p in shots
    )
    (artifacts / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>speechqa screenshots</title>"
        "<style>body{font-family:sans-serif;margin:2em} figure{margin:0 0 2em}"
        " img{max-width:100%;border:1px solid #ccc} figcaption{font-weight:bold;margin:.5em 0}</style>"
        f"<h1>speechqa: the UI as the browser tests left it</h1>\n{figures}\n",
        encoding="utf-8",
    )
