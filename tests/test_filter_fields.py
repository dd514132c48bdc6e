"""A filter is said once, in `vectorstore.records.FILTER_FIELDS`: the record checks documents by it, and
the API, the CLI and the UI read their keys, flags and controls from the same table. Each test here
goes over the whole table, so a field added there is held to every edge without a test of its own."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from assistant.answer.pipeline import Assistant
from assistant.app.context import add_filter_arguments, filters_from_args
from assistant.app.ui_handlers import Handlers, filters_of
from assistant.app.wire import ApiError, parse_filters
from ingest.records import DocMeta
from vectorstore.errors import FilterError
from vectorstore.index import Index
from vectorstore.records import FILTER_FIELDS, Filters

HUIZHOU_2019 = DocMeta(title="t", city="惠州", province="广东省", date="2019-12-05", level="city")


def sample_wire() -> dict[str, Any]:
    """A value for every field, under its API key."""
    return {f.key: ["a", "b"] if f.kind == "any" else "2019" for f in FILTER_FIELDS}


def test_every_field_round_trips_through_the_wire_form() -> None:
    filters = Filters.from_wire(sample_wire())
    assert all(getattr(filters, f.name) for f in FILTER_FIELDS) and not filters.empty
    assert Filters.from_wire(filters.to_wire()) == filters
    assert Filters.from_wire({}) == Filters() and Filters().empty
    assert Filters.from_wire({"cities": " 惠州 "}).cities == ("惠州",)  # a string is a list of one


def test_a_bad_filter_names_its_key() -> None:
    for f in FILTER_FIELDS:
        with pytest.raises(FilterError) as raised:
            Filters.from_wire({f.key: 7})
        assert raised.value.key == f.key and f.key in str(raised.value)
    with pytest.raises(FilterError, match="unknown filter"):
        Filters.from_wire({"city": "惠州"})
    with pytest.raises(ApiError) as api:
        parse_filters({"cities": [1]})
    assert api.value.status == 400 and api.value.param == "filters.cities"


def test_each_field_limits_the_documents_it_reads() -> None:
    for f in FILTER_FIELDS:
        (own,) = f.values("002", HUIZHOU_2019)[:1]
        if f.kind == "any":
            assert Filters.from_wire({f.key: [own]}).allows("002", HUIZHOU_2019)
            assert not Filters.from_wire({f.key: ["elsewhere"]}).allows("002", HUIZHOU_2019)
        else:
            inside, outside = ("2019", "2020") if f.kind == "from" else ("2019-12", "2018")
            assert Filters.from_wire({f.key: inside}).allows("002", HUIZHOU_2019)
            assert not Filters.from_wire({f.key: outside}).allows("002", HUIZHOU_2019)
            assert not Filters.from_wire({f.key: inside}).allows("003", DocMeta())  # undated
    assert Filters.from_wire({"cities": ["广东省"]}).allows(
        "p", DocMeta(province="广东省", level="provincial")
    )
    # a province takes its cities' documents too, and a national document is no province's
    assert Filters.from_wire({"cities": ["广东省"]}).allows("002", HUIZHOU_2019)
    assert not Filters.from_wire({"cities": ["广东省"]}).allows(
        "n", DocMeta(province="广东省", level="national")
    )


def test_the_cli_has_a_flag_for_every_field() -> None:
    parser = argparse.ArgumentParser()
    add_filter_arguments(parser)
    argv: list[str] = []
    for f in FILTER_FIELDS:
        argv += [f"--{f.flag}", "a", f"--{f.flag}", "b"] if f.kind == "any" else [f"--{f.flag}", "2019"]
    assert filters_from_args(parser.parse_args(argv)) == Filters.from_wire(sample_wire())
    assert filters_from_args(parser.parse_args([])) == Filters()
    shown = " ".join(parser.format_help().split())
    assert all(f.help in shown for f in FILTER_FIELDS)


def test_the_page_has_a_control_for_every_field_and_reads_them_in_order(
    hashed_sample_index: Index,
) -> None:
    import gradio as gr

    from assistant.app.ui import build_app

    handlers = Handlers(Assistant(hashed_sample_index))
    app = build_app(handlers.assistant)
    ids = {getattr(block, "elem_id", None) for block in app.blocks.values()}
    assert {f"sq-filter-{f.name}" for f in FILTER_FIELDS} <= ids
    values = [sample_wire()[f.key] for f in FILTER_FIELDS]
    assert filters_of(values) == Filters.from_wire(sample_wire())
    with pytest.raises(gr.Error, match="must be"):  # a toast, not a traceback
        filters_of([7] * len(FILTER_FIELDS))
    # every list filter offers the values the documents have: a city picks Huizhou, a document its id
    documents = handlers.library.documents()
    for f in FILTER_FIELDS:
        if f.kind == "any":
            offered = [value for _, value in handlers.filter_choices(f, documents)]
            held = {v for d in documents for v in f.values(d.doc_id, d.meta) if v}
            assert sorted(offered) == sorted(held) and offered
