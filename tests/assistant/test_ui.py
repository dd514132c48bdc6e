"""The UI: escaping and upload safety alone; the Gradio API through gradio_client; login."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.answer.pipeline import Assistant
from assistant.app.ui import build_app
from assistant.app.ui_html import answer_for_chat, document_html, source_choices
from evaluation.soak import free_port
from ingest.records import DocMeta, Document, QualityReport
from tests.conftest import SAMPLE
from vectorstore.index import Index
from vectorstore.library import safe_upload_name, store_upload


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "..\\..\\boot.ini", ".hidden.txt", "a/b/../c.txt", "讲话 稿.txt", "x<y>.html"],
)
def test_upload_names_stay_inside_the_uploads_folder(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    source = folder / safe_upload_name(name)  # what a browser upload looks like on disk
    source.write_text("内容", encoding="utf-8")
    uploads = tmp_path / "data" / "uploads"
    stored = store_upload(source, uploads)
    assert stored.resolve().parent == uploads.resolve()
    assert (
        not stored.name.startswith(".")
        and "/" not in safe_upload_name(name)
        and ".." not in safe_upload_name(name).strip(".")
    )


def test_store_upload_keeps_both_files_of_one_name(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "speech.txt").write_text("一", encoding="utf-8")
    (b / "speech.txt").write_text("二", encoding="utf-8")
    first, second = store_upload(a / "speech.txt", uploads), store_upload(b / "speech.txt", uploads)
    assert (
        first != second
        and first.read_text(encoding="utf-8") == "一"
        and second.read_text(encoding="utf-8") == "二"
    )


def test_document_text_is_rendered_escaped() -> None:
    document = Document(
        "d",
        "s",
        "标题\n<script>alert('x')</script>要抓好项目。",
        DocMeta(title="<b>t</b>"),
        QualityReport(),
        "h",
    )
    page = document_html(document, 2, "要抓好项目。", "original")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<mark>要抓好项目。</mark>" in page
    assert "<b>t</b>" not in page


def test_a_garbled_run_is_marked_in_the_readers_language_and_script_as_the_answer_marks_it() -> None:
    from assistant.app.ui_html import citation_card
    from assistant.records import Citation

    text = "才能把深圳的项目引进来\ufffd\ufffd在市里"
    card = Citation(1, "c", "d", "讲话", "s", "惠州", "", "", 3, text, "在市里", 1.0)
    assert "…（无法辨认）…" in citation_card(card, "simplified", "zh")
    assert "…（無法辨認）…" in citation_card(card, "traditional", "zh")
    assert "…(unreadable)…" in citation_card(card, "original", "en")
    document = Document("d", "s", text, DocMeta(title="讲话"), QualityReport(), "h")
    assert "…（無法辨認）…" in document_html(document, 1, "", "traditional")
    assert "\ufffd" not in document_html(document, 1, "", "original")


def test_chat_answer_escapes_html_and_links_markers(sample_index: Index) -> None:
    answer = Assistant(sample_index).ask("聊城对清理拖欠民营企业账款有什么要求？")
    text = answer_for_chat(answer, "original")
    assert "[[1]](#src-1)" in text
    from dataclasses import replace

    nasty = replace(answer, text="<img src=x onerror=alert(1)> [1]")
    assert "<img" not in answer_for_chat(nasty, "original")


def test_a_title_cut_short_says_so(sample_index: Index) -> None:
    """The 'Open a source' list cuts a long title at a clause or space and marks it with …, never
    mid-word without a mark (…推進會 ¶45)."""
    answer = Assistant(sample_index).ask("讲话里关于土地指标都说了什么？")
    labels = [label for label, _ in source_choices(answer)]
    by_n = {f"[{c.n}]": c.title for c in answer.sources}
    for label in labels:
        n, rest = label.split(" ", 1)
        title = rest.rsplit(" ¶", 1)[0]
        assert title == by_n[n] or (title.endswith("…") and by_n[n].startswith(title[:-1])), label
    assert any(label.split(" ¶")[0].endswith("…") for label in labels)


@pytest.fixture(scope="module")
def app_url(sample_index: Index):  # type: ignore[no-untyped-def]
    app = build_app(Assistant(sample_index))
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def test_gradio_client_asks_with_filters(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    result: dict[str, Any] = client.predict("项目建设有什么要求？", [], ["惠州"], [], "", "", api_name="/ask")
    assert result["found"] and result["citations"]
    assert {c["city"] for c in result["citations"]} == {"惠州"}
    followup = client.predict(
        "他对招商有什么要求？", ["聊城的会议是谁讲话的？"], [], [], "", "", api_name="/ask"
    )
    assert {c["city"] for c in followup["citations"]} == {"聊城"}


def test_login_is_required_when_configured(sample_index: Index) -> None:
    from gradio_client import Client

    app = build_app(Assistant(sample_index))
    port = free_port()
    app.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        auth=("ana", "s3cret"),
    )
    try:
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a plain error on 401
            Client(f"http://127.0.0.1:{port}/", verbose=False).predict("项目", api_name="/ask")
        client = Client(f"http://127.0.0.1:{port}/", auth=("ana", "s3cret"), verbose=False)
        assert client.predict("项目建设有什么要求？", api_name="/ask")["citations"]
    finally:
        app.close()


def test_small_load_through_the_api_has_no_errors(app_url: str) -> None:
    from evaluation.loadtest import run_load

    result = run_load(app_url, clients=3, per_client=2, timeout=300)
    assert result["errors"] == 0 and result["answered"] == 6, result


def test_upload_then_remove_through_the_api(tmp_path: Path, sample_index: Index) -> None:
    """What the soak's writer does: upload a speech, find it listed, remove it by id (the removal list of a
    session that did not upload it is older than the index), and be told when the id is unknown."""
    import shutil

    from gradio_client import Client, handle_file

    data = tmp_path / "data"
    shutil.copytree(sample_index.data_dir, data)
    index = Index(data)
    index.use_embedders(sample_index.embedders)
    app = build_app(Assistant(index))
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        speech = tmp_path / "新讲话.txt"
        speech.write_text(
            "县长在全县招商引资大会上的讲话\n同志们：\n今年要把招商引资作为“一号工程”，确保引进亿元以上项目20个。",
            encoding="utf-8",
        )
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        repost = tmp_path / "转载的讲话.txt"  # 004 as another site printed it: the upload says it is a copy
        repost.write_text((SAMPLE / "004_2d799a09d0bc18b1.txt").read_text(encoding="utf-8"), encoding="utf-8")
        results, table, *_ = client.predict(
            [handle_file(str(speech)), handle_file(str(repost))], api_name="/upload"
        )
        assert results["data"][0][:2] == ["新讲话.txt", "added"]
        assert "copy of 004_2d799a09d0bc18b1, cited as that one" in results["data"][1][3]
        new = [
            row[0]
            for row in table["data"]
            if row[0] not in sample_index.catalog.metas() and row[0] != "转载的讲话"
        ]
        assert len(new) == 1
        rows = {row[0]: row for row in table["data"]}  # the Documents table says where each is from and why
        assert (
            rows["004_2d799a09d0bc18b1"][2].startswith("聊城 (")
            and "孙爱军" in rows["004_2d799a09d0bc18b1"][4]
        )
        assert rows[new[0]][2].startswith("city unknown")
        assert Client(f"http://127.0.0.1:{port}/", verbose=False).predict(
            "亿元以上项目引进多少个？", api_name="/ask"
        )["found"]

        other = Client(f"http://127.0.0.1:{port}/", verbose=False)  # another session
        message, table, *_ = other.predict(new[0], api_name="/remove")
        assert message.startswith(f"Removed {new[0]}") and new[0] not in [row[0] for row in table["data"]]
        assert index.document(new[0]) is None
        with pytest.raises(Exception, match="No document"):  # noqa: B017 - gradio_client's AppError
            other.predict(new[0], api_name="/remove")
    finally:
        app.close()


def test_gradio_client_streams_an_answer_with_a_chat_model(sample_index: Index) -> None:
    """/ask_stream through gradio_client: the sources first, each checked sentence, then the answer."""
    from gradio_client import Client

    from assistant.chat_model import OpenAICompatibleModel
    from assistant.settings import LLMSettings
    from tests.assistant.fake_openai import FakeOpenAI

    question = "惠州去年产业类项目投资总额是多少？"
    n = next(c.n for c in Assistant(sample_index).ask(question).citations if "6000多億元" in c.text)
    with FakeOpenAI(token_delay=0.01) as fake:
        fake.replies = [f"惠州产业类项目投资总额达到6000多亿元[{n}]。其中工业项目达到9000亿元[{n}]。"]
        model = OpenAICompatibleModel(LLMSettings(base_url=fake.base_url, model="m"))
        app = build_app(Assistant(sample_index, chat_model=model))
        port = free_port()
        app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
        try:
            job = Client(f"http://127.0.0.1:{port}/", verbose=False).submit(
                question, [], [], [], "", "", api_name="/ask_stream"
            )
            events = list(job)
        finally:
            app.close()
    kinds = [e["event"] for e in events]
    assert kinds[0] == "sources" and kinds[-1] == "done" and kinds.count("sentence") == 2
    assert [e["kept"] for e in events if e["event"] == "sentence"] == [True, False]
    final = events[-1]["answer"]
    assert final["mode"] == "llm" and final["verification"]["kept"] == 1 and "9000" not in final["answer"]


def test_a_users_mistake_is_one_line_in_the_servers_log(app_url: str, capfd) -> None:  # type: ignore[no-untyped-def]
    """The page's toast ("Choose one or more files first.") is no traceback on the server."""
    from gradio_client import Client

    capfd.readouterr()
    with pytest.raises(Exception, match="Choose one or more files first"):
        Client(app_url, verbose=False).predict([], api_name="/upload")
    err = capfd.readouterr().err
    assert "Traceback" not in err and err.count("told the user: Choose one or more files first.") == 1
