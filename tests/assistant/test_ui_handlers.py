"""The page's handlers called as functions, without a browser: what each returns for the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.pipeline import Assistant
from assistant.app.ui_handlers import Conversation, Handlers
from ingest.normalize import to_simplified, to_traditional
from vectorstore.index import Index


@pytest.fixture(scope="module")
def handlers(sample_index: Index) -> Handlers:
    return Handlers(Assistant(sample_index))


def asked(handlers: Handlers, question: str, conv: Conversation, chat: list | None = None) -> tuple:  # type: ignore[type-arg]
    *_, last = handlers.respond(question, chat or [], conv, "question", [], [], "", "")
    return last


def test_respond_streams_into_the_chat_and_keeps_the_turn(handlers: Handlers) -> None:
    conv = Conversation()
    chat, kept, sources, *_ = asked(handlers, "讲话里关于土地指标都说了什么？", conv)
    assert kept is conv and len(conv.turns) == 1 and conv.in_chat == [(1, conv.last)]
    assert chat[0] == {"role": "user", "content": "讲话里关于土地指标都说了什么？"}
    assert chat[1]["content"].startswith("根据所收录的讲话") and "sq-card" in sources


def test_the_script_switch_shows_the_answers_in_the_chat_again(handlers: Handlers) -> None:
    conv = Conversation()
    chat, *_ = asked(handlers, "讲话里关于土地指标都说了什么？", conv)
    shown, cards, listed, _, _ = handlers.rescript("traditional", chat, conv, "1")
    assert shown[1]["content"].startswith("根據所收錄的講話") and shown[0] == chat[0]
    assert "臨沂" in cards
    assert listed["value"] == "1"  # the passage chosen stays chosen


def test_the_list_of_sources_reads_in_the_script_the_answer_is_shown_in(handlers: Handlers) -> None:
    # 聊城's report has a Simplified title; a Traditional question reads it, in the cards and in the list
    conv = Conversation()
    _, _, cards, listed, *_ = asked(handlers, "聊城對招商引資有什麼要求？", conv)
    titles = [label for label, _ in listed["choices"]]
    assert titles and all(to_traditional(t) == t for t in titles) and "舊動能" in titles[0]
    *_, shown_again, _, _ = handlers.rescript("simplified", [], conv, None)
    assert all(to_simplified(label) == label for label, _ in shown_again["choices"])


def test_exports_exist_only_after_an_answer(handlers: Handlers) -> None:
    conv = Conversation()
    before = handlers.exports(conv)
    assert all(update["interactive"] is False and update["value"] is None for update in before)
    asked(handlers, "讲话里关于土地指标都说了什么？", conv)
    markdown, table, docx = (Path(update["value"]) for update in handlers.exports(conv))
    assert "讲话里关于土地指标都说了什么" in markdown.read_text(encoding="utf-8")
    assert (
        table.suffix == ".csv" and docx.suffix == ".docx" and markdown.parent == table.parent == conv.folder
    )


def test_the_documents_tab_counts_what_the_index_holds(handlers: Handlers, sample_index: Index) -> None:
    rows, count, cities, *_ = handlers.documents_changed()
    assert len(rows) == len(sample_index.catalog.documents()) == 5
    assert count.startswith("**5 documents, ") and ("临沂", "临沂") in cities["choices"]


def test_uploaded_files_are_ingested_with_progress_and_an_unreadable_one_is_said(tmp_path: Path) -> None:
    """The Documents tab's upload: each file gets a row (ingested, or the error in words), the progress
    bar is told how far ingestion is up to the whole, and the lists show the new document."""
    import gradio as gr

    from tests.conftest import SAMPLE

    handlers = Handlers(Assistant(Index(tmp_path / "index", ["hashing"])))
    picked = tmp_path / "picked"
    picked.mkdir()
    speech = next(iter(sorted(SAMPLE.glob("*.txt"))))
    (picked / "speech.txt").write_bytes(speech.read_bytes())
    (picked / "broken.docx").write_bytes(b"not a word file")
    shares: list[float] = []
    rows, table, count, *_ = handlers.upload(
        [str(picked / "speech.txt"), str(picked / "broken.docx")],
        lambda share, desc="": shares.append(share),
    )
    status = {row[0]: row[1] for row in rows}
    assert status["speech.txt"] == "added" and status["broken.docx"] == "error", rows
    assert next(row for row in rows if row[0] == "broken.docx")[3]  # says why
    assert shares and shares[-1] == 1.0 and shares == sorted(shares)
    assert len(handlers.library.documents()) == 1
    with pytest.raises(gr.Error, match="Choose one or more files"):
        handlers.upload([])
