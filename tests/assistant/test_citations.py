"""Sentence-level verification: alone on literal input, then on written cases over the real seeds
(tests/data/checking_cases.jsonl, which tuned it, and checking_heldout.jsonl, written before it was run)."""

from __future__ import annotations

import pytest

from assistant.answer.checking import (
    Passage,
    SentenceSplitter,
    check_sentence,
    joined,
    separator,
    split_sentences,
)
from assistant.answer.generate import translator
from assistant.answer.pipeline import Assistant
from tests.conftest import DATA
from vectorstore.index import Index

PASSAGES = {
    1: Passage(
        1,
        "产业类项目投资总额达到6000多亿元，其中工业项目达到4000多亿元。",
        "惠州 市委书记在全市重点项目建设推进会上的讲话",
    ),
    2: Passage(2, "要抓好清理拖欠民营企业账款工作。", "聊城 三要持续改善营商环境"),
}


def no_translation(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return []


def check(sentence: str):  # type: ignore[no-untyped-def]
    return check_sentence(sentence, PASSAGES, no_translation)


def test_sentences_keep_their_markers_and_complete_only_when_the_next_begins() -> None:
    assert split_sentences("投资达到6000多亿元。[1]要清理欠款。[2]") == [
        "投资达到6000多亿元。[1]",
        "要清理欠款。[2]",
    ]
    splitter = SentenceSplitter()
    assert splitter.feed("投资达到6000多亿元。") == []  # a marker may still follow
    assert splitter.feed("[1]") == [] and splitter.feed("要清") == ["投资达到6000多亿元。[1]"]
    assert splitter.feed("理欠款[2]。It grew 5.") == ["要清理欠款[2]。"]  # 5. may be 5.5
    assert splitter.feed("5% [1]. ") == [] and splitter.flush() == ["It grew 5.5% [1]."]


def test_kept_sentences_sent_one_by_one_add_up_to_the_answer() -> None:
    sentences = ["要清理欠款[2]。", "投资增长[1]。", "It grew [1].", "It fell [2].", "还要抓项目[1]。"]
    sent, previous = "", ""
    for sentence in sentences:
        sent += separator(previous, sentence) + sentence
        previous = sentence
    assert (
        sent == joined(sentences) == "要清理欠款[2]。投资增长[1]。 It grew [1]. It fell [2]. 还要抓项目[1]。"
    )


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("产业类项目投资总额达到6000多亿元[1]。", ""),
        ("要清理拖欠民营企业账款[2]。", ""),
        ("产业类项目投资总额达到8000多亿元[1]。", "numbers"),  # a number the passage does not state
        ("要清理拖欠民营企业账款[1]。", "unsupported"),  # the right words, the wrong passage
        ("要清理拖欠民营企业账款。", "uncited"),
        ("要清理拖欠民营企业账款[7]。", "uncited"),  # a marker of no passage
        ("[1] 市委书记在全市重点项目建设推进会上的讲话。", "header_only"),
        ("临沂产业类项目投资总额达到6000多亿元[1]。", "place"),  # the passage is Huizhou's
        ("详见 http://evil.example [2]。", "url"),
    ],
)
def test_each_kind_of_unsupported_sentence_is_caught(sentence: str, reason: str) -> None:
    checked = check(sentence)
    assert checked.kept == (reason == "") and checked.reason == reason, checked
    if reason:
        assert checked.why  # a reader is told why


def test_markers_of_no_passage_are_removed_from_a_kept_sentence() -> None:
    checked = check("要清理拖欠民营企业账款[2][9]。")
    assert checked.kept and checked.shown == "要清理拖欠民营企业账款[2]。" and checked.markers == (2,)


def test_numbers_are_compared_by_value_across_scripts_and_scales() -> None:
    passages = {1: Passage(1, "全年新增建设用地指标三千亩，产业类项目投资总额达到6000多億元。", "")}
    translate = translator({})
    for sentence in (
        "新增建设用地指标3000亩[1]。",
        "New construction land quotas total 3,000 mu [1].",
        "Industrial project investment totalled over 600 billion yuan [1].",
    ):
        assert check_sentence(sentence, passages, translate).kept, sentence
    assert (
        check_sentence("New construction land quotas total 4,000 mu [1].", passages, translate).reason
        == "numbers"
    )


@pytest.mark.parametrize("name", ["checking_cases.jsonl", "checking_heldout.jsonl"])
def test_written_cases_over_the_seeds(sample_index: Index, name: str) -> None:
    """Every unsupported sentence caught, no supported one dropped (evaluation.checking_cases prints
    the same as a table)."""
    from evaluation.checking_cases import run_cases

    wrong = [
        (case["case"], sentence, check.reason, check.missing)
        for case, sentence, check in run_cases(Assistant(sample_index), DATA / name)
        if check.kept != case["kept"]
    ]
    assert not wrong, wrong
