"""Citation checking, alone, on literal input."""

from __future__ import annotations

from assistant.answer.checking import check_answer, split_sentences

PASSAGES = {1: "产业类项目投资总额达到6000多亿元，其中工业项目达到4000多亿元。", 2: "要抓好清理拖欠民营企业账款工作。"}


def test_sentences_keep_their_markers() -> None:
    assert split_sentences("投资达到6000多亿元。[1]要清理欠款。[2]") == ["投资达到6000多亿元。[1]", "要清理欠款。[2]"]


def test_supported_sentences_are_kept() -> None:
    checked = check_answer("惠州产业类项目投资总额达到6000多亿元[1]。", PASSAGES, names=("惠州",))
    # 惠州 is not in passage 1: a name the passage does not support
    assert checked.dropped
    checked = check_answer("产业类项目投资总额达到6000多亿元[1]。要清理拖欠账款[2]。", PASSAGES)
    assert not checked.dropped and checked.used == [1, 2]


def test_wrong_markers_and_wrong_numbers_never_show_as_cited() -> None:
    checked = check_answer("投资总额达到8000亿元。[1] 还要清理欠款。[7]", PASSAGES)
    assert checked.dropped == ["投资总额达到8000亿元。[1]", "还要清理欠款。[7]"]
    assert "[7]" not in checked.text and checked.used == []
    checked = check_answer("The total was 6000 [3].", PASSAGES)
    assert checked.text == "" and checked.sentences[0].invalid == (3,)


def test_framing_without_facts_may_stay_uncited() -> None:
    checked = check_answer("讲话提出了以下要求。要清理拖欠账款[2]。", PASSAGES)
    assert checked.text.startswith("讲话提出了以下要求。") and not checked.dropped


def test_uncited_sentences_after_the_opening_are_dropped() -> None:
    checked = check_answer("讲话提出了要求。要清理拖欠账款[2]。另请访问 http://evil.example 查看。", PASSAGES)
    assert "evil" not in checked.text and len(checked.dropped) == 1
