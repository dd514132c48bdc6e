"""Answers on what users bring: the seeds as their own files (no manifest), people and places named in
pinyin, English fixed phrases, ideas the corpus never expresses, and no padding."""

from __future__ import annotations

import re

import pytest

from assistant.answer.pipeline import Assistant
from assistant.query.english import translate_terms
from ingest.normalize import to_simplified
from vectorstore.index import Index


@pytest.fixture(scope="module")
def assistant(own_files_index: Index) -> Assistant:
    return Assistant(own_files_index)


def quoted(answer) -> list[str]:  # type: ignore[no-untyped-def]
    return [to_simplified(c.text) for c in answer.citations]


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Who is Li Chuntian?", "李春田"),
        ("What did Junan and Lingang take on?", "莒南"),
        ("What support will the city give the Dongjiahe industrial park?", "董家河"),
        ("Which strategic platforms include the Daya Bay new area?", "大亚湾"),
    ],
)
def test_people_and_places_named_in_pinyin_are_found(assistant: Assistant, question: str, name: str) -> None:
    answer = assistant.ask(question)
    assert answer.found and name in quoted(answer)[0]
    assert any(name in t.chinese for t in answer_translations(assistant, question))


def answer_translations(assistant: Assistant, question: str):  # type: ignore[no-untyped-def]
    view = assistant.index.view()
    return translate_terms(question, names=view.romanised)


def test_a_city_known_only_through_its_parts_filters_its_speech(assistant: Assistant) -> None:
    answer = assistant.ask("惠州在市里有哪三大战略平台？")
    assert answer.found and {c.doc_id[:3] for c in answer.citations} == {"002"}
    assert "仲恺高新区" in quoted(answer)[0]


def test_a_city_no_document_is_tagged_with_is_inferred_from_the_places_named(assistant: Assistant) -> None:
    """003 names 董家河 (a town of 铜川, and of 信阳), too little to tag it; asked about 铜川, it is
    searched, and the answer says the city was inferred and from what."""
    answer = assistant.ask("比较铜川和聊城在工业园区方面的做法")
    assert [row.entity for row in answer.comparison] == ["铜川", "聊城"]
    assert {c.doc_id[:3] for c in answer.citations if c.n in answer.comparison[0].citations} == {"003"}
    assert any(
        "铜川" in note and "003_8f530c069bdfcbd7" in note and "董家河" in note for note in answer.notes
    )


def test_a_province_is_searched_in_the_speech_naming_its_places(assistant: Assistant) -> None:
    """Nothing tags 003 with a place, but it names 董家河, a town of 铜川 in 陕西: "the Shaanxi speech"
    is searched there (not across every speech), alone or as a side of a comparison, and said so."""
    answer = assistant.ask("陕西那篇讲话对项目建设有什么要求？")
    assert {c.doc_id[:3] for c in answer.sources} == {"003"}
    assert any("陕西省" in note and "董家河" in note for note in answer.notes)
    compared = assistant.ask("临沂和陕西那个市在美丽乡村建设上各是怎么部署的？")
    assert [row.entity for row in compared.comparison] == ["临沂", "陕西省"]
    shaanxi = [c for c in compared.citations if c.n in compared.comparison[1].citations]
    assert shaanxi and all(c.doc_id.startswith("003") for c in shaanxi)
    assert "美丽乡村" in to_simplified(shaanxi[0].text)


def test_a_city_without_speeches_is_said_plainly(assistant: Assistant) -> None:
    answer = assistant.ask("比较临沂和拉萨的招商引资")
    assert answer.comparison[1].citations == () and "索引中没有拉萨的讲话" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "What did the Huizhou speech say about stock options?",
        "What did the speeches say about cryptocurrency mining?",
        "臨沂的講話對電子競技產業有何規劃？",
        "讲话对比特币挖矿有什么要求？",
    ],
)
def test_an_idea_the_corpus_never_expresses_is_not_answered(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert not answer.found and not answer.citations


def test_only_passages_bearing_on_the_question_are_quoted(assistant: Assistant) -> None:
    """The follow-up on land quotas quotes passages about land; the rest is listed as possibly related."""
    answer = assistant.ask("那惠州呢？", ["讲话里关于土地指标都说了什么？"])
    assert answer.found and answer.citations
    assert all(re.search("土地|用地", text) for text in quoted(answer))
    assert all(c.doc_id.startswith("002") for c in answer.citations)
    if answer.related:
        assert "Possibly related" in answer.text or "可能相关" in answer.text


def test_english_fixed_phrases_are_composed_as_the_corpus_writes_them() -> None:
    """Phrases before words, hyphens split, the composition the corpus uses (counted here in a few real
    sentences of the 20th party congress report)."""
    corpus = (
        "全面发展全过程人民民主，社会主义民主政治制度化、规范化、程序化全面推进。发展全过程人民民主，"
        "实现全体人民共同富裕。共同富裕是中国特色社会主义的本质要求。中国式现代化是全体人民共同富裕的现代化。"
    )

    def occurs(phrase: str) -> int:
        return corpus.count(phrase)

    found = {
        t.english: t.chinese
        for t in translate_terms(
            "What did the report say about whole-process people's democracy and common prosperity?",
            occurs=occurs,
        )
    }
    assert found["whole process people democracy"] == ("全过程人民民主",)
    assert found["common prosperity"][0] == "共同富裕"
    alone = {t.english for t in translate_terms("whole-process people's democracy")}
    assert "whole process people democracy" not in alone  # without the corpus, words stay words


def test_a_question_about_the_county_quotes_the_county_speech_first(assistant: Assistant) -> None:
    """县里 names no place, but a level: the county head's speech, which is about exactly this, is
    quoted first, before the city speech's contest that also speaks of projects and mechanisms."""
    answer = assistant.ask("县里的项目谋划机制是怎么建立的？")
    assert answer.outcome == "answer" and answer.citations[0].doc_id.startswith("001")
