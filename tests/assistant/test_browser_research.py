"""The research workflow in a real browser at 1280×800 (Debian's chromium through Playwright): a
citation opened beside the chat, a three-city comparison side by side, a city corrected in the
Documents tab and then compared, the scope chips after a follow-up, the Trends chart. Screenshots go
to artifacts/ for a person to look at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answer.pipeline import Assistant
from tests.assistant.test_browser import ARTIFACTS, browser, open_app, served  # noqa: F401 (the browser fixture)
from tests.conftest import DATA, SAMPLE
from vectorstore.index import Index
from vectorstore.sync import sync_paths

WIDTH, HEIGHT = 1280, 800
DONE = '#sq-sources .sq-for[data-state="done"]'


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#sq-question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_selector(f'{DONE}:has-text("{question}")', timeout=90000)
    page.wait_for_timeout(300)


@pytest.fixture(scope="module")
def page(browser, sample_index: Index):  # type: ignore[no-untyped-def]  # noqa: F811
    with served(browser, Assistant(sample_index), WIDTH, HEIGHT) as tab:
        yield tab


def test_clicking_a_citation_opens_its_passage_beside_the_chat(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, "各地对重点项目督查考核有什么要求？")
    page.locator('#sq-chat a[href="#src-2"]').first.click()
    page.wait_for_selector("#sq-viewer .sq-here", timeout=30000)
    chat, viewer = page.locator("#sq-chat").bounding_box(), page.locator("#sq-viewer").bounding_box()
    assert chat is not None and viewer is not None
    assert viewer["x"] >= chat["x"] + chat["width"] - 5  # beside the chat, not below the source cards
    assert viewer["y"] < chat["y"] + chat["height"] / 2
    passage = page.inner_text("#sq-viewer .sq-here")
    cited = page.inner_text("#sq-sources #src-2 .sq-text")
    assert (
        passage[:10].strip("0123456789 \n") and passage.split("\n")[-1][:12] in cited or cited[:12] in passage
    )
    page.screenshot(path=str(ARTIFACTS / "ui_citation_beside_chat.png"))


def test_a_three_city_comparison_reads_side_by_side(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, "比较临沂、聊城和惠州在重点项目建设方面的要求")
    columns = page.locator("#sq-compare .sq-col")
    assert columns.count() == 3
    assert [columns.nth(k).locator("h3").inner_text() for k in range(3)] == ["临沂", "聊城", "惠州"]
    for k in range(3):
        box = columns.nth(k).bounding_box()
        assert box is not None and box["width"] >= 200  # no letter-by-letter wrapping
    assert page.locator("#sq-chat table").count() == 0  # no table squeezed into the bubble
    page.locator("#sq-compare").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "ui_comparison_side_by_side.png"))
    page.locator('#sq-compare a[href^="#src-"]').first.click()
    page.wait_for_selector("#sq-viewer .sq-here", timeout=30000)


def test_scope_chips_after_a_followup_and_removing_one(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, "比较临沂和聊城在招商引资方面的要求")
    assert page.locator("#sq-scope .token").all_inner_texts() == ["城市: 临沂", "城市: 聊城"]
    ask(page, "那惠州呢？")
    assert page.locator("#sq-scope .token").all_inner_texts() == ["城市: 惠州"]
    assert "招商引资" in page.inner_text("#sq-scope-fixed")
    page.screenshot(path=str(ARTIFACTS / "ui_scope_chips.png"))
    page.locator('#sq-scope .token:has-text("城市: 惠州") .token-remove').click()
    page.wait_for_selector(f'{DONE}:has-text("“招商引资”")', timeout=90000)  # asked again, no city
    assert "↻ 招商引资" in page.inner_text("#sq-chat")
    assert page.locator("#sq-scope .token").count() == 0
    cities = {page.inner_text(f"#sq-sources #src-{n} .sq-meta").split(" · ")[0] for n in (1, 2, 3)}
    assert len(cities - {"national"}) >= 2  # asked again across cities
    ask(page, "那聊城呢？")  # starts from the scope as shown: the topic, now in 聊城
    assert page.locator("#sq-scope .token").all_inner_texts() == ["城市: 聊城"]
    assert all(page.inner_text(f"#sq-sources #src-{n} .sq-meta").startswith("聊城") for n in (1, 2))
    page.screenshot(path=str(ARTIFACTS / "ui_scope_chip_removed.png"))


def test_the_trends_chart_and_the_passages_behind_a_point(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name="Trends").click()
    page.fill("#sq-trend-topic textarea", "招商引资")
    page.click("#sq-trend-run")
    page.wait_for_selector("#sq-trend-chart img", timeout=60000)
    summary = page.inner_text("#sq-trend-summary")
    assert "First mention: 2019" in summary and "Latest mention: 2021" in summary
    points = page.locator("#sq-trend-point label")
    assert points.all_inner_texts()[0].startswith("2019")
    points.first.click()
    page.wait_for_selector("#sq-trend-passages .sq-card", timeout=30000)
    assert "2019" in page.inner_text("#sq-trend-passages .sq-meta")
    page.screenshot(path=str(ARTIFACTS / "ui_trends.png"), full_page=True)
    page.get_by_role("tab", name="Chat").click()


def test_a_city_corrected_in_the_documents_tab_is_used_by_a_comparison(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    files = tmp_path / "files"
    files.mkdir()
    for path in SAMPLE.glob("*.txt"):  # the user's own files: no manifest, 001's city unknown
        shutil.copy(path, files / path.name)
    index = Index(tmp_path / "index")
    sync_paths(index, [files], progress=False)
    app, tab = open_app(browser, Assistant(index), WIDTH, HEIGHT)
    try:
        tab.get_by_role("tab", name="Documents").click()
        tab.locator("#sq-edit-doc input").fill("001_f95cae93732fd9ad")
        tab.keyboard.press("Enter")
        tab.wait_for_selector("#sq-edit-about:has-text('001_f95cae93732fd9ad')", timeout=30000)
        tab.locator("#sq-edit-city textarea").fill("惠州市")
        tab.locator("#sq-edit-date textarea").fill("2019-02-30")
        tab.click("#sq-edit-save")
        tab.wait_for_selector("#sq-edit-result:has-text('Nothing was changed')", timeout=30000)
        assert "not a date that exists" in tab.inner_text("#sq-edit-result")
        assert index.catalog.edits() == {}
        tab.locator("#sq-edit-date textarea").fill("2019-06-01")
        tab.click("#sq-edit-save")
        tab.wait_for_selector("#sq-edit-result:has-text('Saved for')", timeout=30000)
        tab.wait_for_selector("#sq-edit-about:has-text('set by you')", timeout=30000)
        about = tab.inner_text("#sq-edit-about")
        assert (
            "city: 惠州 (set by you; inferred: city unknown" in about
            and "date: 2019-06-01 (set by you" in about
        )
        tab.screenshot(path=str(ARTIFACTS / "ui_metadata_edited.png"), full_page=True)
        tab.get_by_role("tab", name="Chat").click()
        ask(tab, "比较惠州和聊城在重点项目谋划推进机制方面的要求")
        huizhou = tab.locator("#sq-compare .sq-col").first
        assert huizhou.locator("h3").inner_text() == "惠州"
        # the corrected document now speaks for 惠州 (quoted in the question's script)
        assert "县长在重点项目谋划" in huizhou.inner_text()
        tab.screenshot(path=str(ARTIFACTS / "ui_comparison_after_edit.png"))
    finally:
        tab.close()
        app.close()


def test_a_new_tab_lists_the_documents_the_index_holds_now(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """A document added after the page was built (another tab's upload, `speechqa ingest`) is listed by
    a page opened later: the Documents table, the city filter, the Trends tab's cities."""
    from tests.conftest import DATA

    index = Index(tmp_path / "index")
    sync_paths(index, [SAMPLE], progress=False)
    app, first = open_app(browser, Assistant(index), WIDTH, HEIGHT)
    try:
        added = tmp_path / "added"
        added.mkdir()
        shutil.copy(DATA / "documents" / "regulation.txt", added / "regulation.txt")
        sync_paths(index, [added], progress=False)
        fresh = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        fresh.goto(first.url)
        fresh.wait_for_selector("#sq-question textarea", timeout=60000)
        fresh.get_by_role("tab", name="Documents").click()
        fresh.wait_for_function(
            "() => document.body.innerText.includes('潍坊市城市市容管理条例')", timeout=30000
        )
        # the table says how many rows it holds, and its search box finds one below the fold
        held = len(index.catalog.documents())
        assert f"{held} documents, " in fresh.inner_text("#sq-doc-count")
        fresh.locator("#sq-documents input[placeholder^='Search']").fill("潍坊")
        fresh.wait_for_function(
            "() => document.querySelectorAll('#sq-documents tbody tr').length === 1", timeout=30000
        )
        fresh.get_by_role("tab", name="Trends").click()
        fresh.get_by_text("Limit to cities or dates").click()
        fresh.locator("#sq-trend-city input").click()
        fresh.wait_for_selector("ul[role='listbox'] >> text=潍坊", timeout=30000)
        fresh.screenshot(path=str(ARTIFACTS / "ui_new_tab_lists_current_documents.png"))
        fresh.close()
    finally:
        first.close()
        app.close()


@pytest.fixture(scope="module")
def ledger_page(browser, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]  # noqa: F811
    index = Index(tmp_path_factory.mktemp("ledger-ui"), ["hashing"])  # the ledger reads the text
    assert not sync_paths(index, [DATA / "ledger_reports.jsonl"], progress=False).errors
    with served(browser, Assistant(index), WIDTH, HEIGHT) as tab:
        yield tab


def test_a_figure_over_the_years_is_a_table_whose_citations_open_their_sentence(ledger_page) -> None:  # type: ignore[no-untyped-def]
    ask(ledger_page, "历年城镇新增就业目标是多少？")
    rows = ledger_page.locator("#sq-chat table tbody tr")
    assert rows.count() == 5
    assert [rows.nth(k).locator("td").first.inner_text() for k in range(5)] == [
        "2015",
        "2018",
        "2020",
        "2021",
        "2025",
    ]
    assert "X万人以上" in rows.nth(2).inner_text()  # redacted, as written
    ledger_page.screenshot(path=str(ARTIFACTS / "ui_ledger_table.png"))
    rows.nth(1).locator('a[href^="#src-"]').click()
    ledger_page.wait_for_selector("#sq-viewer .sq-here", timeout=30000)
    assert "1100万人以上" in ledger_page.inner_text("#sq-viewer .sq-here")  # 2018's sentence, in its document
    ledger_page.screenshot(path=str(ARTIFACTS / "ui_ledger_cell_opened.png"))
    with ledger_page.expect_download() as download:  # the button itself downloads, where it was clicked
        ledger_page.click("#sq-export-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("year,place,indicator,figure") and "X万人以上" in text


def test_the_trends_tab_plots_the_figure_each_year_states(ledger_page) -> None:  # type: ignore[no-untyped-def]
    ledger_page.get_by_role("tab", name="Trends").click()
    ledger_page.fill("#sq-trend-topic textarea", "城镇新增就业目标")
    ledger_page.locator("#sq-trend-by label", has_text="figures by year").click()
    ledger_page.click("#sq-trend-run")
    ledger_page.wait_for_selector("#sq-trend-chart img", timeout=60000)
    summary = ledger_page.inner_text("#sq-trend-summary")
    assert (
        "1100万人以上" in summary and "X万人以上" in summary and summary.index("2015") < summary.index("2025")
    )
    ledger_page.screenshot(path=str(ARTIFACTS / "ui_trends_figures.png"), full_page=True)
    ledger_page.get_by_role("tab", name="Chat").click()
