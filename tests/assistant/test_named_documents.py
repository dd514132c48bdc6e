"""Documents and years a question names become filters: every document it names by a distinct part of
its title (not only the first found), and the documents of each year it names (the range between them
only for a question about change over time)."""

from __future__ import annotations

import pytest

from assistant.answer.pipeline import Assistant
from assistant.query import build_query, plan_query
from tests.conftest import DATA
from vectorstore.index import Index
from vectorstore.sync import sync_paths

MEETINGS = {
    "a.txt": "沿海港口城市座谈会纪要\n一、会议认为，港口城市要扩大对外开放，发展外向型经济，建设深水泊位。\n"
    "二、会议要求，各港口城市抓好基础设施建设，改善投资环境。\n",
    "b.txt": "内陆山区发展工作会议纪要\n一、会议认为，山区要发展特色农业，修通乡村公路，搞好水土保持。\n"
    "二、会议肯定了港口城市座谈会以来对外开放的成绩，要求山区学习借鉴。\n",
    "c.txt": "全省教育工作会议纪要\n一、会议要求办好农村学校，提高教师待遇。\n",
}


@pytest.fixture(scope="module")
def meetings(tmp_path_factory: pytest.TempPathFactory) -> Index:
    folder = tmp_path_factory.mktemp("meetings")
    for name, text in MEETINGS.items():
        (folder / name).write_text(text, encoding="utf-8")
    index = Index(tmp_path_factory.mktemp("meetings-index"))
    assert not sync_paths(index, [folder], progress=False).errors
    return index


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Index:
    index = Index(tmp_path_factory.mktemp("reports-index"))
    assert not sync_paths(index, [DATA / "reports_excerpt.jsonl"], progress=False).errors
    return index


def doc_of(index: Index, title_part: str) -> str:
    return next(d for d, m in index.view().metas.items() if title_part in m.title)


def test_a_question_naming_two_documents_searches_both(meetings: Index) -> None:
    query = build_query(
        plan_query("内陆山区发展工作会议纪要怎么评价沿海港口城市座谈会？"),
        meetings.view(),
        calibrations=Assistant(meetings).calibrations,
    )
    assert query.documents_named == (doc_of(meetings, "内陆山区"), doc_of(meetings, "沿海港口"))
    assert set(query.filters.doc_ids) == set(query.documents_named)


@pytest.mark.heavy
def test_two_years_named_are_those_years_not_the_range(reports: Index) -> None:
    calibrations = Assistant(reports).calibrations
    view = reports.view()
    both = build_query(
        plan_query("1955年和2016年的政府工作报告对农业各有什么说法？"), view, calibrations=calibrations
    )
    assert set(both.filters.doc_ids) == {doc_of(reports, "1955年"), doc_of(reports, "2016年")}
    assert not both.filters.date_from  # 1957 lies between and is not asked about
    change = build_query(
        plan_query("从1955年到2016年，政府工作报告对农业的提法有什么变化？"), view, calibrations=calibrations
    )
    assert change.plan.timeline and (change.filters.date_from, change.filters.date_to) == ("1955", "2016")
    one = build_query(plan_query("2024年政府工作报告对就业有什么目标？"), view, calibrations=calibrations)
    # the reports are one yearly series: the year names its report (vectorstore.view.yearly_series)
    assert one.filters.doc_ids == (doc_of(reports, "2024年"),)


@pytest.mark.heavy
def test_the_answer_comes_from_a_named_year(reports: Index) -> None:
    answer = Assistant(reports).ask("1955年和2024年的政府工作报告分别怎么讲工业？")
    assert answer.ranked and {c.title[:5] for c in answer.ranked} <= {"1955年", "2024年"}


@pytest.mark.heavy
def test_an_english_comparison_of_two_years_reads_side_by_side(reports: Index) -> None:
    answer = Assistant(reports).ask("Compare the 2016 and 2024 reports on employment")
    assert [r.entity for r in answer.comparison] == ["2016", "2024"]
    by_n = {c.n: c for c in answer.citations}
    for row, year in zip(answer.comparison, ("2016", "2024"), strict=True):
        assert row.citations and all(by_n[n].date[:4] == year for n in row.citations)
