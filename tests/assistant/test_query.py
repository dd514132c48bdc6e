"""Query understanding on literal questions in all three scripts."""

from __future__ import annotations

import pytest

from assistant.query.english import Translation, choose_translations, translate_terms
from assistant.query.places import find_english_cities
from assistant.query.plan import language_of, plan_query


@pytest.mark.parametrize(("question", "expected"), [
    ("放管服改革要达到什么目标？", ("zh", "simplified")),
    ("放管服改革要達到什麼目標？", ("zh", "traditional")),
    ("What did the speeches say about land quotas?", ("en", "latin")),
])
def test_language_and_script(question: str, expected: tuple[str, str]) -> None:
    assert language_of(question) == expected


def test_cities_years_and_comparison() -> None:
    plan = plan_query("compare Linyi and Liaocheng on investment")
    assert plan.cities == ("临沂", "聊城") and plan.comparison
    assert "investment" in plan.topic and "linyi" not in plan.topic
    assert plan_query("2022年政府工作报告提出的经济增长目标是多少？").years == ("2022",)
    assert plan_query("比較臨沂和聊城的招商").cities == ("临沂", "聊城")


def test_followups_carry_topic_or_entities() -> None:
    plan = plan_query("And Huizhou?", ["What did the speeches say about land quotas?"])
    assert plan.followup and plan.cities == ("惠州",) and "land quotas" in plan.standalone
    plan = plan_query("那惠州呢？", ["临沂对土地指标有什么要求？"])
    assert plan.cities == ("惠州",) and "土地指标" in plan.standalone
    plan = plan_query("他对招商有什么要求？", ["聊城的会议是谁讲话的？"])
    assert plan.cities == ("聊城",) and "招商" in plan.standalone
    assert not plan_query("河长制有什么要求？", ["聊城的会议是谁讲话的？"]).followup


def test_a_followup_naming_only_another_year_keeps_the_topic() -> None:
    plan = plan_query("那2023年呢？", ["2022年政府工作报告的赤字率是多少？"])
    assert plan.years == ("2023",) and plan.standalone == "2023年政府工作报告的赤字率是多少？"
    plan = plan_query("And 2023?", ["What deficit ratio did the 2024 report plan?"])
    assert plan.years == ("2023",) and "2024" not in plan.standalone and "deficit ratio" in plan.standalone


def test_english_terms_map_to_chinese() -> None:
    chinese = {w for t in translate_terms("mask production during the epidemic") for w in t.chinese}
    assert "口罩" in chinese
    assert find_english_cities("compare Huizhou with Linyi") == ["惠州", "临沂"]


def test_irregular_and_british_forms_find_their_entries() -> None:
    english = {t.english for t in translate_terms("Which meetings were held on the centre's programmes?")}
    assert {"hold", "center"} <= english


def test_the_corpus_chooses_among_dictionary_senses() -> None:
    """'party' beside 'interfere': the sense whose passages also hold the other terms' words wins,
    and a word the corpus never uses is not searched for."""
    import numpy as np

    passages = {"共产党": [1, 2, 3, 9], "干涉": [2, 3], "派对": [], "聚会": [7], "一行": [5, 6, 8]}
    rows = lambda word: np.asarray(passages.get(word, []), dtype=np.int64)  # noqa: E731
    chosen = choose_translations([Translation("party", ("一行", "派对", "聚会", "共产党")),
                                  Translation("interfere", ("干涉", "干扰"))], rows)
    assert chosen[0].chinese[0] == "共产党" and "派对" not in chosen[0].chinese
    assert chosen[1].chinese == ("干涉",)
    missing = choose_translations([Translation("world cup", ("世界杯",))], rows)
    assert missing[0].chinese == ("世界杯",)  # kept: the abstention check must see the corpus lacks it


def test_a_compound_is_mentioned_when_all_its_parts_are() -> None:
    from assistant.answer.evidence import mentions

    assert mentions("从主观上讲，我们自身的原因必须深刻剖析", "主观原因")
    assert not mentions("火星探测取得新进展", "火星移民")
    assert mentions("河长制", "河长制") and not mentions("河长", "河长制")


def test_terms_with_function_words_are_found_after_a_possessive() -> None:
    """A dictionary term holding a function word (rule of law, five-year plan) is taken whole, and the
    words after a possessive are still cut at the right place."""
    found = {t.english: t.chinese for t in translate_terms("What did the people's congress say about socialist rule of law?")}
    assert found["rule of law"][0] == "法治" and {"congress", "socialist"} <= set(found) and "law" not in found
    assert {t.english for t in translate_terms("the first five-year plan")} == {"five year plan"}
