"""Answers on the sample corpus with the real embedder: citations, scripts, follow-ups, comparison,
abstention, batch and CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.answer.pipeline import Assistant
from assistant.app.batch import run_batch
from tests.conftest import fold
from vectorstore.index import Index
from vectorstore.records import Filters


@pytest.fixture(scope="module")
def assistant(sample_index: Index) -> Assistant:
    return Assistant(sample_index)


def cited(answer, snippet: str, top: int = 5) -> bool:  # type: ignore[no-untyped-def]
    return any(fold(snippet) in fold(c.text) for c in (answer.citations or answer.related)[:top])


def test_chinese_question_cites_the_paragraph(assistant: Assistant) -> None:
    answer = assistant.ask("聊城对清理拖欠民营企业账款有什么要求？")
    assert answer.found and cited(answer, "要抓好清理拖欠民营企业账款工作")
    first = answer.citations[0]
    document = assistant.index.document(first.doc_id)
    assert document is not None
    assert (
        document.text.split("\n")[first.paragraph - 1].find(first.quote[:10]) >= 0
    )  # paragraph number is exact
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)
    assert answer.text.startswith("根据所收录的讲话")


def test_traditional_question_meets_simplified_index_and_gets_traditional_framing(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("放管服改革要達到什麼目標？")
    assert answer.found and cited(answer, "让跑一次为上限不用跑为常态")
    assert answer.text.startswith("根據所收錄的講話")


@pytest.mark.parametrize(
    "simplified", ["聊城这次观摩发现项目有哪些不足？", "陕西那篇讲话里，派到工地上的干部要当什么角色？"]
)
def test_a_question_in_either_script_is_answered_alike(assistant: Assistant, simplified: str) -> None:
    """The passages are embedded in their Simplified search form, and so is the question: asked in
    Traditional, the embedder heard other characters, scored every passage lower, and the decision
    gave only the closest passages (or "not covered") where the Simplified question got its answer."""
    from ingest.normalize import to_traditional

    one, other = assistant.ask(simplified), assistant.ask(to_traditional(simplified))
    assert one.outcome == other.outcome
    assert [c.chunk_id for c in one.sources] == [c.chunk_id for c in other.sources]
    assert one.decision is not None and other.decision is not None
    assert abs(one.decision.probability - other.decision.probability) < 0.02


def test_an_answer_says_when_nothing_matched_the_places_and_years_asked_about(assistant: Assistant) -> None:
    """Huizhou's speech is not of 2020: the search widens to every speech, and the answer says so
    rather than quoting 临沂 and 聊城 under a question about 惠州 without a word."""
    answer = assistant.ask("What did the 2020 speeches say about land quotas in Huizhou?")
    assert answer.citations and {c.city for c in answer.citations} != {"惠州"}
    assert "No speech matches Huizhou (惠州), 2020; showing results from all speeches." in answer.text
    chinese = assistant.ask("2020年惠州的讲话对土地指标怎么说？")
    assert "没有符合惠州、2020年的讲话，以下为全部讲话中的结果。" in chinese.text
    assert "showing results" not in assistant.ask("What did the Huizhou speech say about land quotas?").text


def test_english_question_is_answered_from_chinese(assistant: Assistant) -> None:
    answer = assistant.ask("What did the speech say about mask production during the epidemic?")
    assert answer.found and cited(answer, "最初我市的生产能力只有一二万只")
    assert answer.text.startswith("Here is what the speeches say")


def test_followup_uses_the_conversation(assistant: Assistant) -> None:
    answer = assistant.ask("他对招商有什么要求？", ["聊城的会议是谁讲话的？"])
    assert answer.plan.followup and all(c.city == "聊城" for c in answer.citations)
    assert cited(answer, "市县两级都要在重点地区设立双招双引联络站")


def test_comparison_is_side_by_side_and_says_when_a_side_is_empty(assistant: Assistant) -> None:
    answer = assistant.ask("比较临沂和聊城的招商引资")
    assert [row.entity for row in answer.comparison] == ["临沂", "聊城"]
    assert all(row.citations for row in answer.comparison)
    assert [c.city for c in answer.citations[:2]] == ["临沂", "聊城"]  # each city's best comes first
    assert answer.text.startswith("| 对象 |")
    traditional = assistant.ask("比較臨沂和聊城的招商引資")
    assert [r.label for r in traditional.comparison] == ["臨沂", "聊城"]
    from assistant.app.render import answer_markdown

    # the list of sources names places as the answer above it does, not in English
    assert "— 臨沂 · " in answer_markdown(traditional) and "Linyi (" not in answer_markdown(traditional)
    empty = assistant.ask("compare Linyi and Harbin on investment")
    assert [r.entity for r in empty.comparison] == ["临沂", "哈尔滨"]
    # each side is told as the reader reads places: in English, the name English writes and the text's
    assert (
        empty.comparison[1].citations == () and "no speeches from Harbin (哈尔滨) are indexed" in empty.text
    )
    assert [r.label for r in empty.comparison] == ["Linyi (临沂)", "Harbin (哈尔滨)"]
    assert "| Linyi (临沂) |" in empty.text
    from assistant.app.ui_html import sources_html

    assert "Linyi (临沂) · 2020" in sources_html(empty, "original")  # the source cards read the same
    assert "— Linyi (临沂) · " in answer_markdown(empty)
    assert "showing results from all speeches" not in empty.text


def test_a_word_the_speeches_never_write_is_answered_as_they_write_it(assistant: Assistant) -> None:
    """底子 is not in the speeches; 产业基础 is. The answer quotes it and says how the word was read, in
    the question's script."""
    answer = assistant.ask("臨沂的產業底子怎麼樣，有什麼突出問題？")
    assert answer.outcome == "answer" and cited(answer, "我市有很好的产业基础", top=1)
    assert "講話中沒有“底子”一詞" in answer.text and "基礎" in answer.text


def test_filters_apply_inside_retrieval(assistant: Assistant) -> None:
    answer = assistant.ask("项目建设有什么要求？", filters=Filters(cities=("惠州",)))
    assert answer.citations and {c.city for c in answer.citations} == {"惠州"}


def test_unanswerable_abstains_with_related_passages(assistant: Assistant) -> None:
    answer = assistant.ask("讲话中对足球场建设有什么要求？")
    assert not answer.found and answer.citations == ()
    assert answer.text.startswith("所收录的讲话没有涉及这个问题")
    assert answer.related


def test_no_citation_holds_boilerplate(assistant: Assistant) -> None:
    for question in ("重点项目", "版权所有", "VIP免费下载 折扣价", "相关热词搜索"):
        for c in assistant.ask(question).citations:
            assert not re.search("版权|VIP|折扣价|热词|熱詞|客服|会员|會員", c.text), c.text


def test_batch_writes_one_record_per_line(assistant: Assistant, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps(
                    {"id": "a", "turns": ["聊城的会议是谁讲话的？", "他对招商有什么要求？"]},
                    ensure_ascii=False,
                ),
                "{broken",
                json.dumps({"id": "c", "turns": ["讲话中对足球场建设有什么要求？"]}, ensure_ascii=False),
            ]
        ),
        encoding="utf-8",
    )
    target = tmp_path / "out.jsonl"
    assert run_batch(assistant, source, target, progress=False) == (2, 1)
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["id"] == "a" and rows[0]["found"] is True
    assert [c["n"] for c in rows[0]["citations"]] == list(range(1, len(rows[0]["citations"]) + 1))
    assert set(rows[0]["citations"][0]) == {
        "n",
        "text",
        "doc_id",
        "title",
        "source",
        "city",
        "date",
        "section",
        "paragraph",
        "score",
    }
    assert "error" in rows[1] and rows[2]["found"] is False


def test_batch_reads_a_text_file_of_questions_and_says_what_a_line_lacks(
    assistant: Assistant, tmp_path: Path
) -> None:
    plain = tmp_path / "questions.txt"
    plain.write_text("聊城的会议是谁讲话的？\n\nWhat did Linyi say about financing?\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    assert run_batch(assistant, plain, target, progress=False) == (2, 0)
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [1, 2] and all(r["outcome"] for r in rows)
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text('{"question": "聊城的会议是谁讲话的？"}\n', encoding="utf-8")
    assert run_batch(assistant, wrong, target, progress=False) == (0, 1)
    error = json.loads(target.read_text(encoding="utf-8"))["error"]
    assert error.startswith("line 1: expected") and "turns" in error


def test_chinese_followup_to_an_english_question(assistant: Assistant) -> None:
    answer = assistant.ask("那惠州呢？", ["What did the speeches say about land quotas?"])
    assert answer.found and {c.city for c in answer.citations} == {"惠州"}
    assert cited(answer, "把争取用地指标的主动权牢牢掌握在自己手里")
    assert answer.text.startswith("根据所收录的讲话")  # framed in the language of the question asked


def test_an_overlong_sentence_is_quoted_at_the_clause_that_answers() -> None:
    from assistant.answer.quotes import best_clauses

    preamble = "，".join(f"坚持第{i}项原则不动摇" for i in range(30))
    text = (
        f"{preamble}，特别在打好防范化解重大风险、精准脱贫、污染防治的攻坚战方面取得扎实进展，"
        "引导和稳定预期。"
    )
    start, end = best_clauses(text, 0, len(text), ["攻坚战"], 160)
    assert "攻坚战" in text[start:end] and end - start <= 160 and start > 0
