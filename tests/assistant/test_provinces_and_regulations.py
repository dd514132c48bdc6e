"""Provincial reports and a city's regulation as users bring them: a province named in a question is a
place like a city, follow-ups carry the topic to the next province, a regulation is cited by article."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answer.pipeline import Assistant
from assistant.query.english import english_terms
from assistant.query.places import held_places
from assistant.query.plan import plan_query
from tests.conftest import DATA
from vectorstore.index import Index
from vectorstore.records import Filters


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    from vectorstore.index import Index
    from vectorstore.sync import sync_paths

    files = tmp_path_factory.mktemp("portal-src")
    for name in ("portal_report.txt", "regulation.txt"):
        shutil.copy(DATA / "documents" / name, files / name)
    index = Index(tmp_path_factory.mktemp("portal-index"))
    report = sync_paths(index, [Path(files)], progress=False)
    assert not report.errors, report.errors
    return Assistant(index)


def test_a_province_is_a_place_the_index_holds(assistant: Assistant) -> None:
    view = assistant.index.view()
    assert "河南省" in view.cities and "潍坊" in view.cities
    answer = assistant.ask("河南的报告对冷链物流有什么部署？")
    assert answer.found and answer.citations
    assert {c.where for c in answer.citations} == {"河南省"}
    assert "河南省" in answer.text and "城市不详" not in answer.text
    english = assistant.ask("What did Henan plan for cold-chain logistics?")
    assert {c.where for c in english.citations} == {"河南省"}


def test_a_province_named_short_is_a_place_not_a_term(assistant: Assistant) -> None:
    """河南 is how a question writes 河南省: a filter, as the full name is, never a key term that every
    passage of the province's report holds (a term held everywhere made a topic the report never
    speaks of look half answered)."""
    view = assistant.index.view()
    for asked in (
        "河南对冷链物流有什么部署？",
        "河南省对冷链物流有什么部署？",
        "河南和潍坊对冷链物流有什么部署？",
    ):
        query = assistant.query(assistant.understand(asked, [], view), view, Filters())
        words = {w for c in query.concepts for w in c.held_as}
        assert "河南" not in words and "河南省" not in words, asked
        assert "冷链" in words or "冷链物流" in words, asked


def test_a_time_question_keeps_to_the_place_whose_documents_never_mention_the_topic(
    assistant: Assistant,
) -> None:
    """潍坊's regulation never mentions cold-chain logistics; 河南's report does. Asked how it changed
    in 潍坊, the answer is 潍坊's (nothing dated mentions it there), not 河南's passages shown as if they
    were the answer for 潍坊. A place that holds no document at all is searched beyond, and says so."""
    english = "How has cold-chain logistics in Weifang changed over the years?"
    for asked in ("潍坊的冷链物流这些年有什么变化？", english):
        answer = assistant.ask(asked)
        shown = (*answer.citations, *answer.related)
        assert shown and {c.where for c in shown} == {"潍坊"}, asked
    elsewhere = assistant.ask("惠州的冷链物流这些年有什么变化？")  # no document of 惠州 at all
    assert {c.where for c in elsewhere.citations} == {"河南省"}
    assert any("惠州" in note for note in elsewhere.notes)


def test_a_province_the_collection_lacks_is_said_to_be_missing(assistant: Assistant) -> None:
    """The index holds 河南's report: asked about 广东 or Zhejiang, whose documents it lacks, the answer
    says so before it shows what the other documents say (the province was dropped from the question,
    which was then answered from 河南 as if asked of it), and a comparison gives the province its row."""
    for asked, name in (
        ("廣東對冷鏈物流有什麼部署？", "廣東"),
        ("What did Zhejiang plan for cold-chain logistics?", "Zhejiang"),
    ):
        answer = assistant.ask(asked)
        assert any(name in note for note in answer.notes), (asked, answer.notes)
        assert {c.where for c in answer.citations} == {"河南省"}
    compared = assistant.ask("比较河南和广东的冷链物流")
    assert compared.comparison is not None
    rows = {row.entity: row for row in compared.comparison}
    assert set(rows) == {"河南省", "广东省"}
    assert rows["河南省"].citations and not rows["广东省"].citations
    assert "索引中没有广东省的讲话" in rows["广东省"].summary


def test_a_figure_asked_of_each_province_is_asked_across_places(assistant: Assistant) -> None:
    """各省 asks across provinces as 各市 asks across cities; the chip's topic is what is measured, not
    the words that ask across places (各省, 分别)."""
    for asked in ("各省的冷链物流目标分别是多少？", "各省的冷链物流目标是多少？"):
        assert plan_query(asked).comparison, asked
        answer = assistant.ask(asked)
        assert answer.scope is not None and answer.scope.topic == "冷链物流目标", (asked, answer.scope)
    # in English "each province" asks across places; "province" stays a word a question may be about
    english = "What are each province's cold-chain logistics targets?"
    assert plan_query(english).comparison and "province" not in english_terms(english)
    answer = assistant.ask(english)
    assert answer.scope is not None and "province" not in answer.scope.topic, answer.scope
    assert "province" in english_terms("The province has delegated land approval powers to the cities")


def test_a_regulation_answers_by_article(assistant: Assistant) -> None:
    answer = assistant.ask("潍坊的条例禁止在公共场所做哪些事？")
    assert answer.citations[0].section.endswith("第十二条") and answer.citations[0].where == "潍坊"


def test_places_are_read_as_the_index_holds_them() -> None:
    held = ("临沂", "吉林省", "河北省")
    assert held_places(plan_query("吉林如何发展冰雪旅游？").cities, held) == ("吉林省",)  # the province, held
    # in national documents a place no document is from is what they are asked about ...
    assert held_places(plan_query("陕西那篇讲话讲了什么？").cities, held) == ()
    expo = plan_query("What did the reports say about the Shanghai World Expo?")
    assert expo.cities == ("上海市",) and held_places(expo.cities, held) == ()
    # ... unless a document of unknown place names places in it: then it is searched there
    named = {"陕西省"}.__contains__
    assert held_places(plan_query("陕西那篇讲话讲了什么？").cities, held, named) == ("陕西省",)
    assert held_places(plan_query("比较山东和临沂").cities, held) == ("临沂",)
    # in a collection of places' documents, a province or city none is from is one the collection
    # lacks; a province named beside one of its cities still only says where the city lies
    assert held_places(plan_query("广东对冷链物流有什么部署？").cities, held, by_place=True) == ("广东省",)
    assert held_places(plan_query("比较山东和临沂").cities, held, by_place=True) == ("临沂",)
    assert held_places(plan_query("惠州的讲话讲了什么？").cities, held, by_place=True) == ("惠州",)
    followup = plan_query("那河北呢？", ["山东的报告怎么说海洋经济？"])
    assert followup.cities == ("河北省",) and "海洋经济" in followup.standalone


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    from vectorstore.index import Index
    from vectorstore.sync import sync_paths

    index = Index(tmp_path_factory.mktemp("series-index"))
    report = sync_paths(index, [DATA / "documents" / "series"], progress=False)
    assert not report.errors, report.errors
    return Assistant(index)


def test_a_yearly_series_is_recognised_and_questions_stay_in_it(series: Assistant) -> None:
    """One district's reports of three years, and another district's of one of them: a question on
    that district's report of a year, its follow-up for another year and a question over time stay
    in the district's series."""
    view = series.index.view()
    luozhuang = {d for d in view.doc_ids if "罗庄区" in view.metas[d].title}
    assert len(luozhuang) == 3 and all(
        view.series[d] == view.series[next(iter(luozhuang))] for d in luozhuang
    )
    assert not any(d in view.series for d in view.doc_ids if "兰山区" in view.metas[d].title)
    first = series.ask("2020年罗庄区政府工作报告对冷链物流说了什么？")
    assert first.citations and {c.title for c in first.citations} == {"2020年罗庄区政府工作报告"}
    history = ["2020年罗庄区政府工作报告对冷链物流说了什么？"]
    followup = series.ask("那2021年的报告呢？", history)
    assert followup.citations and {c.title for c in followup.citations} == {"2021年罗庄区政府工作报告"}
    over_time = series.ask("罗庄区政府工作报告最早是哪一年提到冷链物流的？")
    assert over_time.citations and all("罗庄区" in c.title for c in over_time.citations)
    assert over_time.timeline is not None and over_time.timeline.first.startswith("2020")
    assert set(over_time.timeline.searched) == {"2019", "2020", "2021"}  # the series' years, searched


def test_a_province_over_cities_speeches_is_its_cities(hashed_sample_index: Index) -> None:
    """Over speeches of cities, a province named alone is its cities' speeches (山东: 临沂 and 聊城), and
    one whose cities the collection lacks is said to be missing, not answered from the others as if
    it were them; a province named beside one of its cities still only says where the city lies."""
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    assert view.by_place and view.holds("山东省") and not view.holds("浙江省")
    shandong = assistant.ask("山东的讲话对招商引资有什么要求？")
    assert shandong.plan.cities == ("山东省",) and not shandong.notes
    assert shandong.citations and {c.where for c in shandong.citations} <= {"临沂", "聊城"}
    english = assistant.ask("What did the Shandong speeches say about investment attraction?")
    assert english.citations and {c.where for c in english.citations} <= {"临沂", "聊城"}
    zhejiang = assistant.ask("浙江对项目建设有什么要求？")
    assert zhejiang.notes and "浙江省" in zhejiang.notes[0]
    compared = assistant.ask("比较山东和广东的招商引资")
    assert [row.entity for row in compared.comparison] == ["山东省", "广东省"]
    where = {c.n: c.where for c in compared.citations}
    assert {where[n] for n in compared.comparison[0].citations} <= {"临沂", "聊城"}
    assert {where[n] for n in compared.comparison[1].citations} <= {"惠州"}
    assert not any("索引中没有" in row.summary for row in compared.comparison), compared.comparison
    beside = assistant.ask("山东省里对临沂的招商有什么要求？")
    assert beside.plan.cities == ("临沂",) and {c.where for c in beside.citations} == {"临沂"}
    # a national collection is asked about provinces as topics (西藏的发展): no place is made of them
    national = replace(view, levels=frozenset({"national"}))
    assert not national.by_place
