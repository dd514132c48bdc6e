"""A person's corrections of what ingestion inferred: checked, applied to filters and to the vector
store's metadata without re-embedding, kept across re-ingestion and pruning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.errors import MetadataError
from tests.conftest import SAMPLE
from vectorstore.errors import UnknownDocument
from vectorstore.index import Index
from vectorstore.records import Filters
from vectorstore.sync import sync_paths

HUIZHOU_DOC = "002_f6ee860a1e13cda9"
COUNTY_DOC = "001_f95cae93732fd9ad"  # no city can be told from its text


def ingest_own_files(folder: Path) -> tuple[Index, Path]:
    files = folder / "files"
    files.mkdir()
    for path in SAMPLE.glob("*.txt"):
        shutil.copy(path, files / path.name)
    index = Index(folder / "index", ["hashing"])  # ingestion mechanics: no model needed
    sync_paths(index, [files], progress=False)
    return index, files


@pytest.fixture()
def own_files(tmp_path: Path) -> tuple[Index, Path]:
    """An index of its own, for a test that changes it."""
    return ingest_own_files(tmp_path)


@pytest.fixture(scope="module")
def unchanged_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Index, Path]:
    """One index for the tests of edits that must change nothing: each asserts that it did not."""
    return ingest_own_files(tmp_path_factory.mktemp("unchanged"))


def test_a_city_set_by_a_person_filters_at_once_without_re_embedding(own_files: tuple[Index, Path]) -> None:
    index, _ = own_files
    assert index.view().metas[COUNTY_DOC].city == "unknown"
    embedded = index.timer.texts
    meta = index.edit(COUNTY_DOC, {"city": "惠州市", "date": "2019-12-5", "speaker": "孙爱军"})
    assert (meta.city, meta.province, meta.date, meta.speaker) == ("惠州", "广东省", "2019-12-05", "孙爱军")
    assert meta.edited == ("city", "date", "speaker")
    assert index.timer.texts == embedded  # nothing embedded again
    view = index.view()
    assert view.metas[COUNTY_DOC].city == "惠州"
    in_huizhou = Filters(cities=("惠州",))
    dense = index.dense_search("重点项目谋划", 40, in_huizhou)
    assert {h.chunk.doc_id for hits in dense.values() for h in hits} == {COUNTY_DOC, HUIZHOU_DOC}
    assert {h.chunk.doc_id for h in view.keyword_search(["项目"], 40, in_huizhou)} == {
        COUNTY_DOC,
        HUIZHOU_DOC,
    }
    dated = index.dense_search("重点项目", 40, Filters(date_from="2019-12", date_to="2019-12"))
    assert {h.chunk.doc_id for hits in dated.values() for h in hits} == {COUNTY_DOC}
    row = next(r for r in index.catalog.documents() if r.doc_id == COUNTY_DOC)
    assert row.inferred is not None and row.inferred.city == "unknown"  # shown beside the value set


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"city": "兰山"}, "not a prefecture-level city"),
        ({"city": "Atlantis"}, "not a prefecture-level city"),
        ({"date": "2019-02-30"}, "not a date that exists"),
        ({"date": "2019-13"}, "not a date that exists"),
        ({"date": "2091-01-01"}, "in the future"),
        ({"date": "yesterday"}, "not a date"),
        ({"speaker": "   "}, "empty"),
        ({"city": "惠州", "date": "2019-02-30"}, "not a date that exists"),  # one bad value: nothing is set
        ({"province": "广东"}, "cannot be set"),
    ],
)
def test_a_bad_value_says_why_and_changes_nothing(
    unchanged_files: tuple[Index, Path], values: dict[str, str], says: str
) -> None:
    index, _ = unchanged_files
    generation = index.catalog.generation()
    with pytest.raises(MetadataError, match=says):
        index.edit(HUIZHOU_DOC, values)
    assert index.catalog.generation() == generation
    assert index.catalog.edits() == {}


def test_an_unknown_document_is_named(unchanged_files: tuple[Index, Path]) -> None:
    index, _ = unchanged_files
    generation = index.catalog.generation()
    with pytest.raises(UnknownDocument, match="no document 'nope'"):
        index.edit("nope", {"city": "惠州"})
    assert index.catalog.generation() == generation


def test_edits_outlive_re_ingestion_and_pruning_and_can_be_cleared(own_files: tuple[Index, Path]) -> None:
    index, files = own_files
    index.edit(COUNTY_DOC, {"city": "惠州", "date": "2019-12-05"})
    source = files / f"{COUNTY_DOC}.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n会议要求各地抓紧推进。\n", encoding="utf-8")
    sync_paths(index, [files], progress=False)  # the file changed: re-ingested
    assert (index.view().metas[COUNTY_DOC].city, index.view().metas[COUNTY_DOC].date) == (
        "惠州",
        "2019-12-05",
    )
    hits = index.dense_search("重点项目", 40, Filters(cities=("惠州",)))
    assert COUNTY_DOC in {
        h.chunk.doc_id for hits_of in hits.values() for h in hits_of
    }  # re-written vectors carry it
    moved = files.parent / "away.txt"
    source.rename(moved)
    sync_paths(index, [files], prune=True, progress=False)
    assert COUNTY_DOC not in index.view().metas
    moved.rename(source)
    sync_paths(index, [files], progress=False)
    assert index.view().metas[COUNTY_DOC].city == "惠州"  # back with the value set before
    index.edit(COUNTY_DOC, {}, clear=("city",))
    meta = index.view().metas[COUNTY_DOC]
    assert (meta.city, meta.date, meta.edited) == ("unknown", "2019-12-05", ("date",))
