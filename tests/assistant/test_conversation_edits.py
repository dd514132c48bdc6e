"""A comparison is a conversation: the next turn adds a place, removes one, keeps only one, or turns a
one-city answer into a comparison, in all three scripts, by one mechanism (the nearest edit word of
the clause, assistant/query/places.place_edits); the topic is carried unless the turn brings one."""

from __future__ import annotations

import pytest

from assistant.answer.pipeline import Assistant
from assistant.query.places import place_edits, read_places
from assistant.query.plan import plan_query
from vectorstore.index import Index

COMPARE = "比较临沂和聊城在招商引资方面的做法"


@pytest.mark.parametrize(
    ("history", "question", "cities", "comparison"),
    [
        (COMPARE, "再加上惠州", ("临沂", "聊城", "惠州"), True),
        (COMPARE, "去掉聊城", ("临沂",), False),
        (COMPARE, "去掉聊城，只看临沂", ("临沂",), False),
        ("比較臨沂和聊城的招商引資", "加上惠州呢", ("临沂", "聊城", "惠州"), True),
        ("临沂对招商引资有什么要求？", "和聊城比呢？", ("临沂", "聊城"), True),
        ("Compare Linyi and Liaocheng on investment", "and Huizhou too", ("临沂", "聊城", "惠州"), True),
        ("Compare Linyi and Liaocheng on investment", "without Liaocheng", ("临沂",), False),
        ("惠州对土地有什么要求？", "那聊城呢？", ("聊城",), False),  # no edit word: the place is replaced
    ],
)
def test_the_next_turn_edits_the_places(
    history: str, question: str, cities: tuple[str, ...], comparison: bool
) -> None:
    plan = plan_query(question, [history])
    assert plan.cities == cities and plan.comparison is comparison and plan.followup
    topic = plan_query(history).topic
    assert plan.topic == topic  # the conversation's topic is carried: the turn names places only
    assert plan.search_language == plan_query(history).search_language


def test_a_turn_with_its_own_topic_keeps_the_places() -> None:
    plan = plan_query("那在土地方面呢？", [COMPARE])
    assert plan.cities == ("临沂", "聊城") and plan.comparison and "土地" in plan.standalone


@pytest.mark.parametrize(
    ("history", "question"),
    [
        (["临沂对招商引资有什么要求？", "再加上聊城"], "比较一下"),
        (["临沂对招商引资有什么要求？", "再加上聊城"], "兩地對比看看"),
        (["What does Linyi require on investment?", "and Liaocheng too"], "compare them"),
        (["What does Linyi require on investment?", "And Liaocheng?"], "compare Linyi and Liaocheng on that"),
    ],
)
def test_a_turn_that_only_asks_to_compare_compares_on_the_conversations_topic(
    history: list[str], question: str
) -> None:
    """A turn like 比较一下, "compare them" or "… on that" brings no topic: what is left of it once
    the places and the comparing words are gone (一下, 两地, them, that) points back to the
    conversation."""
    topic = plan_query(history[0]).topic
    plan = plan_query(question, history)
    assert plan.cities == ("临沂", "聊城") and plan.comparison and plan.followup
    assert plan.topic == topic, (question, plan.topic)


def test_edits_are_read_per_clause_and_place() -> None:
    assert place_edits(read_places("去掉聊城，只看临沂")) == {"聊城": "remove", "临沂": "only"}
    assert place_edits(read_places("和聊城比呢？")) == {"聊城": "add"}
    assert place_edits(read_places("and Huizhou too")) == {"惠州": "add"}
    assert place_edits(read_places("那聊城呢？")) == {}
    assert place_edits(read_places("惠州如何看待深圳？")) == {}


def test_the_edited_comparison_is_answered_side_by_side(own_files_index: Index) -> None:
    assistant = Assistant(own_files_index)
    three = assistant.ask("再加上惠州", [COMPARE])
    assert [r.entity for r in three.comparison] == ["临沂", "聊城", "惠州"]
    assert three.scope is not None and three.scope.to_dict()["cities"] == ["临沂", "聊城", "惠州"]
    one = assistant.ask("去掉聊城，只看临沂", [COMPARE])
    assert not one.comparison and one.found and {c.where for c in one.citations} == {"临沂"}


@pytest.mark.parametrize(
    ("question", "span"),
    [
        ("只看2020年以后", ("2020", "")),
        ("2015年以前呢？", ("", "2015")),
        ("only since 2015", ("2015", "")),
        ("before 2010?", ("", "2010")),
        ("2024年的报告对就业有什么目标？", ("", "")),
    ],
)
def test_an_open_span_of_years(question: str, span: tuple[str, str]) -> None:
    assert plan_query(question).year_span == span


def test_narrowing_time_keeps_the_comparison_and_holds_in_the_answer(sample_index: Index) -> None:
    plan = plan_query("只看2020年以后", [COMPARE])
    assert plan.cities == ("临沂", "聊城") and plan.comparison and plan.year_span == ("2020", "")
    answer = Assistant(sample_index).ask("只看2020年以后", [COMPARE])
    rows = {r.entity: r for r in answer.comparison}
    assert rows["临沂"].citations and not rows["聊城"].citations  # 聊城's one speech is of 2019-12-05
    assert all(c.date >= "2020" for c in answer.citations)


def test_a_silent_side_says_what_was_searched(sample_index: Index) -> None:
    assistant = Assistant(sample_index)
    silent = {r.entity: r.summary for r in assistant.ask("比较临沂和聊城的足球场建设").comparison}
    assert silent == {
        "临沂": "所检索的临沂1篇讲话（2020）没有谈到这个话题",
        "聊城": "所检索的聊城1篇讲话（2019）没有谈到这个话题",
    }
    narrowed = {r.entity: r.summary for r in assistant.ask("只看2020年以后", [COMPARE]).comparison}
    assert (
        narrowed["聊城"] == "所问的时间内没有聊城的讲话"
    )  # it has a speech, but not in the years asked about
    absent = {r.entity: r.summary for r in assistant.ask("比较临沂和深圳的招商引资").comparison}
    assert absent["深圳"] == "索引中没有深圳的讲话"
    english = {
        r.entity: r.summary
        for r in assistant.ask("Compare Linyi and Liaocheng on football stadiums").comparison
    }
    assert english["聊城"] == "Liaocheng (聊城) speeches searched: 1 (2019); none speaks of this topic"


def test_an_english_turn_keeps_searching_in_english_with_the_places_carried() -> None:
    history = ["Compare Linyi and Liaocheng on investment promotion", "and Huizhou too"]
    plan = plan_query("what about land?", history)
    assert plan.cities == ("临沂", "聊城", "惠州") and plan.comparison and plan.search_language == "en"
    assert (
        plan_query(
            "Did he admit any weaknesses?", ["What did the Linyi speech say about investment?"]
        ).search_language
        == "en"
    )


def test_a_turn_written_alike_in_both_scripts_is_answered_in_the_conversations_script() -> None:
    """那惠州呢？ and 再加上聊城 are written alike in Simplified and Traditional: after a question in
    Traditional they were answered in Simplified."""
    traditional = ["臨沂對招商引資提出了哪些具體要求？"]
    assert plan_query("那惠州呢？", traditional).script == "traditional"
    assert plan_query("再加上聊城", [*traditional, "那惠州呢？"]).script == "traditional"
    assert plan_query("那惠州呢？", ["临沂对招商引资提出了哪些具体要求？"]).script == "simplified"
    assert plan_query("那临沂呢？", ["惠州對招商引資有什麼要求？"]).script == "simplified"  # 临 is Simplified
    assert plan_query("那惠州呢？").script == "simplified"
