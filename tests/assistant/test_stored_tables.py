"""The English tables built from CC-CEDICT (about 12 s) are kept on disk between processes
(assistant.query.cedict.stored): built once, read back by the next process, built again when what
they are built from changes or the file cannot be read, and never a reason for a question to fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.query import cedict

TABLE = {"remark": [(1.8, "一席话"), (1.7, "言论")], "urgency": [(2.7, "迫切性")]}


def builder(calls: list[int]):  # type: ignore[no-untyped-def]
    def senses() -> dict[str, list[tuple[float, str]]]:
        calls.append(1)
        return {k: list(v) for k, v in TABLE.items()}

    return senses


def test_a_table_is_built_once_and_read_back_by_the_next_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cedict, "TABLES_DIR", tmp_path)
    calls: list[int] = []
    first = cedict.stored(builder(calls))
    assert first() == TABLE and first() is first() and calls == [1]
    (path,) = tmp_path.glob("senses-*.marshal")
    assert cedict.fingerprint() in path.name
    again = cedict.stored(builder(calls))  # a new process: nothing in memory
    assert again() == TABLE and calls == [1]
    assert isinstance(again()["remark"][0], tuple)  # read back as built


def test_an_unreadable_or_stale_table_is_built_again_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cedict, "TABLES_DIR", tmp_path)
    calls: list[int] = []
    cedict.stored(builder(calls))()
    (path,) = tmp_path.glob("senses-*.marshal")
    path.write_bytes(b"\x00not a table")
    stale = tmp_path / "senses-0123456789abcdef.marshal"  # built from other code
    stale.write_bytes(b"old")
    assert cedict.stored(builder(calls))() == TABLE and calls == [1, 1]
    assert list(tmp_path.glob("senses-*.marshal")) == [path] and not list(tmp_path.glob("*.partial"))


def test_a_cache_that_cannot_be_written_keeps_the_table_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(cedict, "TABLES_DIR", blocked / "tables")
    calls: list[int] = []
    table = cedict.stored(builder(calls))
    assert table() == TABLE and table() == TABLE and calls == [1]
    monkeypatch.setattr(cedict, "TABLES_DIR", None)  # not kept at all
    assert cedict.stored(builder(calls))() == TABLE and calls == [1, 1]


def test_the_edge_keeps_the_tables_where_the_settings_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.app.context import open_index
    from assistant.settings import Settings

    monkeypatch.setattr(cedict, "TABLES_DIR", None)
    monkeypatch.setenv("SPEECHQA_TABLES_CACHE", str(tmp_path / "tables"))
    open_index(Settings.from_env(data_dir=tmp_path / "index"))
    assert cedict.TABLES_DIR == tmp_path / "tables"
