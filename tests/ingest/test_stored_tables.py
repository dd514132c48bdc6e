"""The tables built from dictionaries (CC-CEDICT's English senses, about 12 s; romanised place names;
jieba's everyday words) are kept on disk between processes (ingest.tables.stored): built once, read
back by the next process, built again when what they are built from changes or the file cannot be
read, and never a reason for a question to fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import tables

TABLE = {"remark": [(1.8, "一席话"), (1.7, "言论")], "urgency": [(2.7, "迫切性")]}


def builder(calls: list[int]):  # type: ignore[no-untyped-def]
    def senses() -> dict[str, list[tuple[float, str]]]:
        calls.append(1)
        return {k: list(v) for k, v in TABLE.items()}

    return senses


def test_a_table_is_built_once_and_read_back_by_the_next_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "TABLES_DIR", tmp_path)
    calls: list[int] = []
    first = tables.stored(builder(calls))
    assert first() == TABLE and first() is first() and calls == [1]
    (path,) = tmp_path.glob("senses-*.marshal")
    assert tables.fingerprint() in path.name
    again = tables.stored(builder(calls))  # a new process: nothing in memory
    assert again() == TABLE and calls == [1]
    assert isinstance(again()["remark"][0], tuple)  # read back as built


def test_an_unreadable_or_stale_table_is_built_again_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "TABLES_DIR", tmp_path)
    calls: list[int] = []
    tables.stored(builder(calls))()
    (path,) = tmp_path.glob("senses-*.marshal")
    path.write_bytes(b"\x00not a table")
    stale = tmp_path / "senses-0123456789abcdef.marshal"  # built from other code
    stale.write_bytes(b"old")
    assert tables.stored(builder(calls))() == TABLE and calls == [1, 1]
    assert list(tmp_path.glob("senses-*.marshal")) == [path] and not list(tmp_path.glob("*.partial"))


def test_a_cache_that_cannot_be_written_keeps_the_table_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(tables, "TABLES_DIR", blocked / "tables")
    calls: list[int] = []
    table = tables.stored(builder(calls))
    assert table() == TABLE and table() == TABLE and calls == [1]
    monkeypatch.setattr(tables, "TABLES_DIR", None)  # not kept at all
    assert tables.stored(builder(calls))() == TABLE and calls == [1, 1]


def test_the_edge_keeps_the_tables_where_the_settings_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.app.context import open_index
    from assistant.settings import Settings

    monkeypatch.setattr(tables, "TABLES_DIR", None)
    monkeypatch.setenv("SPEECHQA_TABLES_CACHE", str(tmp_path / "tables"))
    open_index(Settings.from_env(data_dir=tmp_path / "index"))
    assert tables.TABLES_DIR == tmp_path / "tables"


def test_a_new_process_reads_a_questions_places_without_parsing_the_dictionaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every question is read for places: the romanised names come from CC-CEDICT (3 s to parse) and
    the short names that are everyday words from jieba's dictionary (1 s). The next process reads
    both tables from disk and parses neither."""
    from assistant.query import places
    from ingest import gazetteer

    read_anew = (
        places.english_place_names,
        places.english_province_names,
        gazetteer._everyday_words,
        gazetteer._name_index,
    )
    question = "比较临沂和Liaocheng, and Shaanxi"
    monkeypatch.setattr(tables, "TABLES_DIR", tmp_path)
    for table in read_anew:
        table.cache_clear()
    first = places.read_places(question)
    kept = {path.name.split("-")[0] for path in tmp_path.glob("*.marshal")}
    assert {"english_place_names", "english_province_names", "_everyday_words"} <= kept

    def parsed() -> None:
        raise AssertionError("a dictionary was parsed again")

    monkeypatch.setattr(places, "cedict_entries", parsed)
    monkeypatch.setattr(gazetteer, "jieba_dictionary", parsed)
    for table in read_anew:
        table.cache_clear()  # a new process: nothing in memory
    again = places.read_places(question)
    assert again == first and [p for p, _, _ in again.english] == ["聊城", "陕西省"]
