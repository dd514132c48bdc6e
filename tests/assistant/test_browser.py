"""End to end in a real browser: Debian's chromium driven by Playwright (no browser download).

Screenshots go to artifacts/ for a person to look at.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.answer.pipeline import Assistant
from assistant.app.ui import build_app
from assistant.app.ui_html import CSS
from evaluation.soak import free_port
from vectorstore.index import Index

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(sample_index: Index):  # type: ignore[no-untyped-def]
    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium); .ci/run does it"
    from playwright.sync_api import sync_playwright

    assistant = Assistant(sample_index)
    assistant.warm_up()
    app = build_app(assistant)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, css=CSS)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(f"http://127.0.0.1:{port}/")
        tab.wait_for_selector("#sq-question textarea", timeout=60000)
        yield tab
        browser.close()
    app.close()


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
    tab.wait_for_function(f"(document.querySelector('#sq-sources .sq-for[data-state=done]') || {{innerText: ''}})"
                          f".innerText.includes({question!r})", timeout=60000)
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
    ask(page, "What did the speech say about mask production during the epidemic?", "Here is what the speeches say")
    assert "口罩" in page.inner_text("#sq-sources")
    page.locator("#sq-script label").nth(1).click()  # Simplified
    page.wait_for_function("document.querySelector('#sq-sources').innerText.includes('口罩生产')", timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "ui_english_answer.png"), full_page=True)
    ask(page, "And what about Huizhou?", "Huizhou")  # a follow-up: the English topic, about Huizhou
    assert "惠州" in page.inner_text("#sq-sources")
    page.click("#sq-new")
    page.wait_for_function("!document.querySelector('#sq-chat').innerText.includes('Here is what')", timeout=30000)


def test_a_refused_question_is_explained_and_kept(page) -> None:  # type: ignore[no-untyped-def]
    """A question the assistant refuses (here: far too long) is answered with the reason in the
    conversation, and stays in the box to be shortened, not lost."""
    question = "土地指标有什么要求？" * 250
    page.fill("#sq-question textarea", question)
    page.click("#sq-ask")
    page.wait_for_function("document.querySelector('#sq-chat').innerText.includes('the limit is 2,000')", timeout=60000)
    assert page.input_value("#sq-question textarea") == question
    assert "Traceback" not in page.inner_text("#sq-chat")
