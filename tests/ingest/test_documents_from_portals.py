"""Documents as users bring them from government portals and statute books: the page around the text
is not the document, the opening lines are its metadata, a regulation is read by article."""

from __future__ import annotations

import re

from ingest.clean import clean_text
from ingest.metadata import infer_meta
from ingest.pipeline import prepare
from ingest.records import RawDocument
from tests.conftest import DATA

PORTAL = (DATA / "documents" / "portal_report.txt").read_text(encoding="utf-8")
REGULATION = (DATA / "documents" / "regulation.txt").read_text(encoding="utf-8")
CHROME = re.compile(
    r"下载|打印|全屏|收藏|字号|加大|减小|当前位置|首页|发表时间|来源|阅读量|扫一扫|关闭窗口|相关报道|记者 张"
    r"三 摄"
)


def test_portal_chrome_is_not_the_document() -> None:
    prepared = prepare(RawDocument(source="portal_report.txt", text=PORTAL, fmt="txt", encoding="utf-8"))
    text = prepared.document.text
    assert not CHROME.search(text), CHROME.findall(text)
    assert text.split("\n")[0] == "政府工作报告"  # letter spacing removed, the page's trail gone
    assert not any(CHROME.search(c.text) for c in prepared.chunks)
    assert "冷链物流产业规模持续扩大" in text and text.rstrip().endswith("作出新的更大贡献！")


def test_the_title_and_the_opening_lines_say_where_when_and_who() -> None:
    cleaned = clean_text(PORTAL).text
    meta = infer_meta(PORTAL, cleaned, {})
    assert meta.title in ("政府工作报告", "2026年河南省政府工作报告")
    assert (meta.level, meta.province, meta.where) == ("provincial", "河南省", "河南省")
    assert meta.date == "2026-01-25"  # the meeting's date, not the page's 2026-02-05
    assert meta.speaker == "某某"
    lines = cleaned.split("\n")
    meeting = next(line for line in lines if line.startswith("——"))
    assert meeting.endswith("会议上")  # the signature is not run on to the meeting line


def test_a_title_naming_a_city_settles_it() -> None:
    meta = infer_meta(REGULATION, clean_text(REGULATION).text, {})
    assert (meta.city, meta.level, meta.city_confidence) == ("潍坊", "city", 1.0)
    assert meta.city_evidence == ("title: 潍坊市城市市容管理条例",) and meta.date == "2025-10-28"


def test_a_regulation_is_chunked_and_cited_by_article() -> None:
    prepared = prepare(RawDocument(source="regulation.txt", text=REGULATION, fmt="txt", encoding="utf-8"))
    sections = [c.section for c in prepared.chunks]
    assert "第二章 市容管理 > 第十二条" in sections and "第一章 总则 > 第二条" in sections
    assert "第三章 法律责任 > 第一百零一条" in sections
    article = next(c for c in prepared.chunks if c.section.endswith("第十二条"))
    assert (
        "禁止下列行为" in article.text and "（三）在树木、建筑物上涂写、刻画。" in article.text
    )  # its items with it
    assert not any(c.section.endswith("第十三条") and "禁止" in c.text for c in prepared.chunks)
    assert (
        len([s for s in sections if s.split(" > ")[-1].endswith("条") and " > " in s]) == 6
    )  # one an article


def test_a_portal_page_saved_as_html_reads_the_same(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The same page saved as HTML: the <title>'s site and section suffix is not the title, and the
    page's chrome goes as it does from text."""
    from pathlib import Path

    from ingest.loaders import load_file, page_title

    assert (
        page_title("2026年河南省政府工作报告_河南要闻_河南省人民政府门户网站") == "2026年河南省政府工作报告"
    )
    assert (
        page_title("市长讲话 - 某市政府网") == "市长讲话"
        and page_title("2025-2026年规划") == "2025-2026年规划"
    )
    lines = PORTAL.split("\n")
    html = (
        "<html><head><title>2026年河南省政府工作报告_河南要闻_河南省人民政府</title></head><body>"
        + "".join(f"<div>{line}</div>" for line in lines)
        + "</body></html>"
    )
    page = Path(tmp_path) / "page.html"
    page.write_text(html, encoding="utf-8")
    prepared = prepare(load_file(page).documents[0])
    meta = prepared.document.meta
    assert (meta.where, meta.level, meta.date, meta.speaker) == ("河南省", "provincial", "2026-01-25", "某某")
    assert "\ufffd" not in prepared.document.text and not CHROME.search(prepared.document.text)
