"""A Party congress named as researchers name it (党的九大, 九大报告, 中国共产党第九次全国代表大会, the 9th
Party Congress) finds the reports whose titles name it, the early congresses with two-character short
names as the later ones; a short name standing for something else (十大罪名) names no report."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answer.pipeline import Assistant
from assistant.query.plan import plan_query
from ingest.calendar import congresses_asked
from vectorstore.records import Filters

REPORTS = {
    "在中国共产党第九次全国代表大会上的报告": "我们要团结起来，争取更大的胜利。国际形势对我们有利。",
    "在中国共产党第十次全国代表大会上的报告": "大会总结了过去几年的经验。四人帮罗织十大罪名。",
    "在中国共产党第十九次全国代表大会上的报告": "实施乡村振兴战略。农业农村农民问题是根本性问题。",
    "2019年中华人民共和国国务院政府工作报告": "实施乡村振兴战略，推进农业农村现代化。",
    "2019年罗庄区人民政府工作报告": "深入贯彻党的十九大精神，推进乡村振兴。",
    "2020年罗庄区人民政府工作报告": "全面落实各项任务，推进乡村振兴。",
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    from vectorstore.index import Index
    from vectorstore.sync import sync_paths

    files = tmp_path_factory.mktemp("congress-src")
    with (files / "reports.jsonl").open("w", encoding="utf-8") as out:
        for title, content in REPORTS.items():
            out.write(json.dumps({"title": title, "content": content}, ensure_ascii=False) + "\n")
    index = Index(tmp_path_factory.mktemp("congress-index"), ["hashing"])  # naming, not ranking
    report = sync_paths(index, [Path(files)], progress=False)
    assert not report.errors, report.errors
    return Assistant(index)


def searched(assistant: Assistant, question: str) -> set[str]:
    view = assistant.index.view()
    query = assistant.query(assistant.understand(question, [], view), view, Filters())
    return {view.metas[d].title for d in query.filters.doc_ids}


@pytest.mark.parametrize(
    ("question", "congresses"),
    [
        ("党的九大报告对国际形势怎么说？", ["在中国共产党第九次全国代表大会上的报告"]),
        ("黨的十大是在什麼背景下召開的？", ["在中国共产党第十次全国代表大会上的报告"]),
        ("九大报告讲了什么？", ["在中国共产党第九次全国代表大会上的报告"]),
        ("中国共产党第十次全国代表大会提出了什么？", ["在中国共产党第十次全国代表大会上的报告"]),
        (
            "What did the 9th Party Congress report say about the world?",
            ["在中国共产党第九次全国代表大会上的报告"],
        ),
        (
            "Compare the 9th and 19th party congress reports on the countryside",
            ["在中国共产党第九次全国代表大会上的报告", "在中国共产党第十九次全国代表大会上的报告"],
        ),
        ("十九大报告对乡村振兴怎么说？", ["在中国共产党第十九次全国代表大会上的报告"]),
    ],
)
def test_a_congress_named_as_a_congress_finds_its_report(
    assistant: Assistant, question: str, congresses: list[str]
) -> None:
    assert searched(assistant, question) == set(congresses)


def test_the_plan_reads_the_congresses_once_and_again_only_for_a_new_question() -> None:
    plan = plan_query("黨的十大是在什麼背景下召開的？")
    assert plan.congresses == (10,)
    assert replace(plan, years=("1973",)).congresses == (10,)  # a copy carries them
    assert replace(plan, standalone="十九大报告讲了什么？").congresses == (19,)


def test_a_congress_named_beside_a_yearly_series_leaves_the_series_named(assistant: Assistant) -> None:
    assert searched(assistant, "2019年罗庄区人民政府工作报告怎么落实党的十九大精神？") == {
        "2019年罗庄区人民政府工作报告",
        "在中国共产党第十九次全国代表大会上的报告",
    }


def test_a_short_name_standing_for_something_else_names_no_report(assistant: Assistant) -> None:
    assert congresses_asked("四人帮罗织了哪十大罪名？") == []
    assert plan_query("四人帮罗织了哪十大罪名？").congresses == ()
    assert searched(assistant, "四人帮罗织了哪十大罪名？") == set()
