"""Provincial reports and a city's regulation as users bring them: a province named in a question is a
place like a city, follow-ups carry the topic to the next province, a regulation is cited by article."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answer.pipeline import Assistant
from assistant.query.places import held_places
from assistant.query.plan import plan_query
from tests.conftest import DATA


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


def test_a_regulation_answers_by_article(assistant: Assistant) -> None:
    answer = assistant.ask("潍坊的条例禁止在公共场所做哪些事？")
    assert answer.citations[0].section.endswith("第十二条") and answer.citations[0].where == "潍坊"


def test_places_are_read_as_the_index_holds_them() -> None:
    held = ("临沂", "吉林省", "河北省")
    assert held_places(plan_query("吉林如何发展冰雪旅游？").cities, held) == ("吉林省",)  # the province, held
    assert held_places(plan_query("陕西那篇讲话讲了什么？").cities, held) == ()  # a province no document is from
    assert held_places(plan_query("比较山东和临沂").cities, held) == ("临沂",)
    assert held_places(plan_query("惠州的讲话讲了什么？").cities, held) == ("惠州",)  # a city: answered as missing
    followup = plan_query("那河北呢？", ["山东的报告怎么说海洋经济？"])
    assert followup.cities == ("河北省",) and "海洋经济" in followup.standalone
