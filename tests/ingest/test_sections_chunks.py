"""Headings, sections and chunks of the real seeds."""

from __future__ import annotations

import pytest

from ingest.chunking import chunk_sections
from ingest.clean import clean_text
from ingest.sections import heading_of, parse_sections


@pytest.mark.parametrize(
    ("paragraph", "style", "heading"),
    [
        ("第一，扎實開展“打擂攻堅”，推動重點工作突破", "di", "第一，扎實開展“打擂攻堅”，推動重點工作突破"),
        (
            "一、充分认识严峻形势，进一步增强追赶超越的紧迫感和责任感",
            "cn",
            "一、充分认识严峻形势，进一步增强追赶超越的紧迫感和责任感",
        ),
        ("(一)全力抓项目促投资。没有项目支撑，无论是追赶超越", "paren", "(一)全力抓项目促投资"),
        ("一要抓好項目策劃儲備。上次在全市開工開賽動員會議上", "yao", "一要抓好項目策劃儲備"),
        ("首先，要明白重要意義。", "seq", "首先，要明白重要意義"),
        ("1.加强组织领导", "arabic", "1.加强组织领导"),
    ],
)
def test_heading_styles(paragraph: str, style: str, heading: str) -> None:
    assert heading_of(paragraph) == (style, heading)


def test_not_headings() -> None:
    assert heading_of("一要求大家都来参加") is None
    assert heading_of("1.5万亿元的投资") is None
    assert heading_of("同志们，攻坚目标已经明确") is None


def test_nested_section_path_of_seed_000(seed_text: dict[str, str]) -> None:
    text = clean_text(seed_text["000"]).text
    paths = [s.heading_path for s in parse_sections("000", text)]
    assert ("第三，樹牢“項目為王”理念，推進高質量發展", "一要抓好項目策劃儲備") in paths
    assert ("第二，深化“十項改革”，破除體制機制障礙", "二要在放管服上改革突破") in paths


def test_heading_only_section_merges_into_child(seed_text: dict[str, str]) -> None:
    text = clean_text(seed_text["002"]).text
    sections = parse_sections("002", text)
    first_of_child = next(s for s in sections if s.heading_path[-1] == "一要向產業類項目聚焦")
    assert text[first_of_child.start :].startswith("二、圍繞高質量發展的要求")


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_chunks_are_exact_slices_within_size_and_never_cut_a_sentence(
    seed: str, seed_text: dict[str, str]
) -> None:
    text = clean_text(seed_text[seed]).text
    sections = parse_sections(seed, text, title="t")
    chunks = chunk_sections(text, sections, doc_id=seed)
    assert chunks
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.heading_path and chunk.paragraphs
        assert chunk.text[-1] in "。！？；”）)" or chunk.end == len(text) or text[chunk.end] == "\n", (
            chunk.text[-20:]
        )
        assert len(chunk.text) <= 900
    covered = sum(c.end - c.start for c in chunks)
    assert covered >= 0.9 * len(text.replace("\n", ""))  # nothing of substance is dropped
    assert len({c.chunk_id for c in chunks}) == len(chunks)
