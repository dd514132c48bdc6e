"""Each cleaning step, on the real seeds and on literal input."""

from __future__ import annotations

import re

import pytest

from ingest import clean
from ingest.clean import UNREADABLE, clean_text

SPAM = [
    "版权所有",
    "版權所有",
    "相关热词搜索",
    "相關熱詞搜索",
    "VIP免费下载",
    "折扣价",
    "客服请联系",
    "新闻推荐",
    "由會員分享",
    "装配图网",
    "裝配圖網",
    "在线观看",
    "新文秘网",
    "新文秘網",
    "全文共",
    "正式會員",
    "微信",
    "發布時間",
    "点击",
    "公有领域",
    "维基文库",
]


def test_strip_pinyin_removes_annotations_only() -> None:
    assert clean.strip_pinyin("重點(diǎn)工作攻堅(jiān)年")[0] == "重點工作攻堅年"
    # Upper-case letters or a non-Chinese character before the bracket are not pinyin.
    assert clean.strip_pinyin("國內生產總值(GDP)增長")[0] == "國內生產總值(GDP)增長"


def test_seed_000_has_no_pinyin_spam_or_site_lines(seed_text: dict[str, str]) -> None:
    text = clean_text(seed_text["000"]).text
    assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)", text)
    assert "重點工作攻堅年" in text
    for word in SPAM:
        assert word not in text, word
    assert text.startswith("在全市“重點工作攻堅年”")  # the spam first line is gone


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_no_seed_keeps_site_text(seed: str, seed_text: dict[str, str]) -> None:
    text = clean_text(seed_text[seed]).text
    for word in SPAM:
        assert word not in text, word


def test_paywall_notice_removed_and_reported(seed_text: dict[str, str]) -> None:
    result = clean_text(seed_text["001"])
    assert "省略553字" not in result.text and "未完" not in result.text
    assert result.report.truncated and result.report.notices_removed == 2
    # the site's table of contents is gone; the headings stay once, in the body
    assert result.text.count("一要強化組織領導") == 1


def test_page_markers_rejoin_sentences(seed_text: dict[str, str]) -> None:
    result = clean_text(seed_text["002"])
    assert result.report.page_markers_joined >= 10
    assert "盡快發揮效益，是擺在我們面前的一個重要任務" in result.text
    assert not re.search(r"(?m)^\d+、", result.text)


def test_inline_heading_gets_its_own_line(seed_text: dict[str, str]) -> None:
    lines = clean_text(seed_text["002"]).text.split("\n")
    assert any(line.startswith("一、以時不我待") for line in lines)
    assert "三、以務實的作風服務推進項目建設" in lines


def test_stray_newlines_are_joined() -> None:
    text, joined = clean.rejoin_broken_lines(
        "政府工作报告\n我们要完善政府工作报\n告制度。\n\n一、总结\n过去一年"
    )
    assert text.startswith("政府工作报告\n我们要完善政府工作报告制度。") and joined == 1
    assert "一、总结\n过去一年" in text  # a heading line keeps its break


def test_footnotes_and_widths() -> None:
    assert clean.remove_footnote_markers("一万五千[\n2\n]，其中") == "一万五千，其中"
    assert clean.normalize_punctuation("首先报告２００１年的工作,要点:一") == "首先报告2001年的工作，要点：一"
    assert clean.normalize_punctuation("a\u200bb") == "ab"


def test_mojibake_is_marked_and_reported(seed_text: dict[str, str]) -> None:
    result = clean_text(seed_text["000"])
    spans = result.report.mojibake
    assert len(spans) >= 8
    assert any("偟" in s.original for s in spans)
    assert "偟" not in result.text and "?v" not in result.text
    assert all(result.text[s.start] == UNREADABLE for s in spans)
    # readable text right after a span survives
    assert "“跑一次”為上限、“不用跑”為常態" in result.text


def test_real_question_marks_are_not_mojibake() -> None:
    assert clean.find_mojibake("怎么运作?就是要通过市级领导直接抓") == []
    assert clean.find_mojibake("能得多少分?排位怎么样?") == []
    assert clean.find_mojibake("做到“三個確?!保捍_保項目建設") == [(6, 11)]


def test_clean_simplified_seed_unchanged_where_clean(seed_text: dict[str, str]) -> None:
    result = clean_text(seed_text["004"])
    assert result.report.mojibake == ()
    assert "市县两级都要在重点地区设立“双招双引”联络站" in result.text
    assert "高唐新闻" not in result.text  # unrelated news after the footer marker
