"""Questions about time, topic mentions, the scope of an answer, trends and digests, on the real seeds
(the sample corpus with its manifest: 2019, 2020 and 2021 are dated) and on literal questions."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from docx import Document as Docx

from assistant.answer.comparison import answer_comparison
from assistant.answer.evidence import Retrieved
from assistant.answer.mentions import find_mentions, topic_forms
from assistant.answer.pipeline import Assistant
from assistant.answer.stopwatch import Stopwatch
from assistant.app.cli import main
from assistant.query import Query
from assistant.query.plan import plan_query, time_question
from assistant.records import Answer, Decision
from assistant.research.digest import digest, to_markdown
from assistant.research.trends import to_csv, to_png, trend
from evaluation.timeline_eval import judge
from tests.conftest import DATA, fold
from vectorstore.index import Index
from vectorstore.records import Filters
from vectorstore.view import IndexView


@pytest.fixture(scope="module")
def assistant(hashed_sample_index: Index) -> Assistant:
    """Mentions, trends, digests and time answers read the text, not the embedder."""
    return Assistant(hashed_sample_index)


@pytest.mark.parametrize(
    ("question", "kind", "left"),
    [
        ("乡村振兴最早是什么时候提出的？", "first", "乡村振兴"),
        ("鄉村振興最早是什麼時候提出的？", "first", "乡村振兴"),
        ("政府工作报告最近一次提到“放管服”是哪一年？", "latest", "放管服"),
        ("历年报告对粮食生产的表述有何变化？", "trend", "粮食生产"),
        ("When did the reports first mention the Belt and Road?", "first", "Belt and Road"),
        ("What is the most recent mention of land quotas?", "latest", "land quotas"),
        ("How has the emphasis on grain production changed over the years?", "trend", "grain production"),
        ("气候变化有什么要求？", "", "气候变化"),  # 变化 as part of a topic, not a question about time
        ("在第一次全国代表大会上讲了什么？", "", "第一次全国代表大会"),
        ("What were the first batch of projects?", "", "first batch"),
        # 发展 with an object is "to develop" (how to develop it), without one how it developed
        ("吉林如何发展冰雪旅游？", "", "冰雪旅游"),
        ("乡村振兴这些年是如何发展的？", "trend", "乡村振兴"),
        ("民营经济有什么发展？", "trend", "民营经济"),
    ],
)
def test_questions_about_time_are_told_by_their_form(question: str, kind: str, left: str) -> None:
    found, rest = time_question(question)
    assert found == kind
    assert left in rest
    assert plan_query(question).timeline == kind


def test_a_followup_asks_about_time_as_the_question_before_it() -> None:
    plan = plan_query("那惠州呢？", ["重点项目最早是什么时候提出的？"])
    assert plan.timeline == "first" and plan.cities == ("惠州",)


def test_quoted_and_written_together_terms_are_matched_as_written(assistant: Assistant) -> None:
    view = assistant.index.view()
    for question, forms in [
        ("“招商引资”最早出现在哪一年？", (("招商引资",),)),
        ("重点项目最早是什么时候提出的？", (("重点项目",),)),
        # jieba cuts 钢 off as a word of one character, which is no key term: the whole as written
        ("精品钢基地最早是什么时候提出的？", (("精品钢基地",),)),
    ]:
        query = assistant.query(plan_query(question), view, Filters())
        assert topic_forms(query, view) == forms
    query = assistant.query(plan_query("招商引资最早是什么时候提出的？"), view, Filters())
    mentions = find_mentions(query, view)
    assert mentions and all("招商引资" in view.chunks[m.chunk_id].search_text for m in mentions)
    assert [m.date for m in mentions if m.date] == sorted(m.date for m in mentions if m.date)
    assert "“精品钢基地”最早见于2020年" in assistant.ask("精品钢基地最早是什么时候提出的？").text


@pytest.mark.parametrize(
    "case",
    [
        json.loads(line)
        for line in (DATA / "time_heldout.jsonl").read_text(encoding="utf-8").splitlines()
        + (DATA / "time_heldout2.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line)["corpus"] == "seeds"
    ],
    ids=lambda c: c["id"],
)
def test_first_and_latest_mentions_on_the_dated_speeches(assistant: Assistant, case: dict[str, str]) -> None:
    answer = assistant.ask(case["question"])
    stated, right, cited = judge(case, answer)
    assert right and cited, (stated, answer.text)
    assert answer.timeline is not None and answer.timeline.searched == ("2019", "2020", "2021")
    dates = [c.date for c in answer.citations]
    assert dates == sorted(dates)  # the answer in date order
    assert case["year"] in answer.text


def test_the_time_answer_states_first_latest_and_years_in_three_scripts(assistant: Assistant) -> None:
    zh = assistant.ask("招商引资最早是什么时候提出的？")
    assert (
        "最早见于2019年 [1]" in zh.text
        and "最近一次见于2021年" in zh.text
        and "3个年份（2019—2021年）" in zh.text
    )
    hant = assistant.ask("招商引資最早是什麼時候提出的？")
    assert "最早見於2019年 [1]" in hant.text
    en = assistant.ask("When did the speeches first mention attracting investment?")
    assert "first appears in 2019 [1]" in en.text and "3 years searched (2019–2021)" in en.text


def test_the_scope_of_an_answer_and_asking_again_without_a_chip(assistant: Assistant) -> None:
    answer = assistant.ask("比较临沂和聊城在招商引资方面的要求")
    assert answer.scope is not None
    assert answer.scope.chips() == ["城市: 临沂", "城市: 聊城"] and answer.scope.topic == "招商引资"
    narrower = answer.scope.keeping(["城市: 聊城"])
    assert narrower.question() == "聊城 招商引资"
    again = assistant.ask(narrower.question())
    assert not again.comparison and {c.known_city for c in again.citations} == {"聊城"}
    followup = assistant.ask(
        "那临沂呢？", [narrower.question()]
    )  # the next follow-up starts from the scope shown
    assert (
        followup.scope is not None
        and followup.scope.cities == ("临沂",)
        and "招商引资" in followup.plan.standalone
    )
    # the topic chip holds the topic, not the question's framing or the words naming the document
    assert assistant.ask("讲话里关于土地指标都说了什么？").scope.fixed()[0] == "话题: 土地指标"
    hant = assistant.ask("臨沂的講話對美麗鄉村建設是怎麼部署的？").scope
    assert hant.fixed()[0] == "話題: 美麗鄉村建設"
    english = assistant.ask("What did the 2020 speeches say about land quotas in Huizhou?")
    assert english.scope is not None and english.scope.chips() == ["city: Huizhou (惠州)", "year: 2020"]
    assert english.scope.topic == "land quotas" and english.scope.to_dict()["search_language"] == "en"


def test_a_topic_chip_keeps_latin_letters_as_typed_and_is_left_out_when_nothing_but_framing(
    assistant: Assistant,
) -> None:
    """The plan reads a question in lower case; the chip shows what was typed. A question holding only
    its place and its framing (惠州的讲话讲了什么) has no topic to show, as an English one has none, and
    asked again from the chips it is its place."""
    gdp = assistant.ask("今年的GDP增长目标是多少？").scope
    assert gdp is not None and gdp.fixed()[0] == "话题: 今年的GDP增长目标"
    for question, place in (("惠州的讲话讲了什么？", "惠州"), ("臨沂講了什麼？", "臨沂")):
        scope = assistant.ask(question).scope
        assert scope is not None and scope.topic == "" and scope.fixed()[0] == ""
        assert scope.chips()[0].endswith(place)
    assert assistant.ask("惠州的讲话讲了什么？").scope.question() == "惠州"  # type: ignore[union-attr]


def test_a_trend_counts_mentions_per_year_and_city(assistant: Assistant) -> None:
    by_year = trend(assistant, "招商引资")
    assert [p.key for p in by_year.points] == ["2019", "2020", "2021"]
    view = assistant.index.view()
    for p in by_year.points:
        assert all(
            view.metas[m.doc_id].date.startswith(p.key) and "招商引资" in view.chunks[m.chunk_id].search_text
            for m in p.mentions
        )
    assert by_year.first is not None and by_year.first.date == "2019-12-05"
    assert to_csv(by_year).splitlines()[0] == "year,passages,documents,topic"
    by_city = trend(assistant, "attracting investment", "city")
    # by where each speech is from: 003's city is not told, its province (陕西, in the manifest) is
    assert {p.key for p in by_city.points} <= {"临沂", "聊城", "惠州", "陕西省"} and by_city.forms == (
        "招商",
    )


def test_trend_and_digest_commands_write_their_files(sample_index: Index, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = ["--data-dir", str(sample_index.data_dir)]
    assert (
        main(["trend", "招商引资", *data, "--csv", str(tmp_path / "t.csv"), "--png", str(tmp_path / "t.png")])
        == 0
    )
    out = capsys.readouterr().out
    assert "2019" in out and "first: 2019-12-05" in out
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").count("\n") == 4
    assert (
        main(
            [
                "digest",
                "招商引资",
                *data,
                "--city",
                "临沂",
                "--city",
                "聊城",
                "--out",
                str(tmp_path / "d.docx"),
            ]
        )
        == 0
    )
    paragraphs = [p.text for p in Docx(str(tmp_path / "d.docx")).paragraphs]
    assert "临沂" in paragraphs and "聊城" in paragraphs and "惠州" not in paragraphs
    assert sum("招商引資" in p or "招商引资" in p for p in paragraphs) >= 3


def test_a_digest_groups_every_paragraph_by_city_and_date(assistant: Assistant) -> None:
    d = digest(assistant, "招商引资")
    view = assistant.index.view()
    held = {c.chunk_id for c in view.chunks.values() if "招商引资" in c.search_text}
    assert {c.chunk_id for _, cs in d.groups for c in cs} == held  # every paragraph, none twice
    for _, citations in d.groups:
        assert [c.date for c in citations] == sorted(c.date for c in citations)
    text = to_markdown(d)
    assert text.index("## 临沂") < text.index("## 聊城") and fold("二要抓好招商引資") in fold(text)


def test_set_through_the_cli_says_what_changed(tmp_path: Path, capsys, own_files_index: Index) -> None:  # type: ignore[no-untyped-def]
    import shutil

    data = tmp_path / "index"
    shutil.copytree(own_files_index.data_dir, data)
    assert (
        main(
            [
                "set",
                "001_f95cae93732fd9ad",
                "--city",
                "惠州市",
                "--date",
                "2019-12-5",
                "--data-dir",
                str(data),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "city: 惠州 (set by you; inferred: city unknown" in out and "date: 2019-12-05 (set by you" in out
    assert main(["set", "001_f95cae93732fd9ad", "--date", "2019-02-30", "--data-dir", str(data)]) == 1
    assert "not a date that exists" in capsys.readouterr().err
    assert main(["docs", "--json", "--data-dir", str(data)]) == 0
    rows = {r["doc_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (
        rows["001_f95cae93732fd9ad"]["edited"] == ["city", "date"]
        and rows["001_f95cae93732fd9ad"]["date"] == "2019-12-05"
    )


def test_a_trend_by_place_shows_every_place_searched_with_its_zeros(
    assistant: Assistant, tmp_path: Path
) -> None:
    """A place whose speeches never mention the topic is a finding: it is shown with none, and the
    chart counts whole passages."""
    by_city = trend(assistant, "擂台赛", "city")
    view = assistant.index.view()
    assert {p.key for p in by_city.points} == set(view.cities)
    counts = {p.key: p.passages for p in by_city.points}
    assert (
        counts["临沂"] > 0
        and counts["聊城"] == 0
        and list(counts.values()) == sorted(counts.values(), reverse=True)
    )
    import matplotlib.pyplot as plt

    shown = []
    original = plt.Figure.savefig

    def keep(fig, *args, **kwargs):  # type: ignore[no-untyped-def]
        shown.extend(t for ax in fig.axes for t in ax.get_yticks())
        return original(fig, *args, **kwargs)

    plt.Figure.savefig = keep  # type: ignore[method-assign]
    try:
        to_png(by_city, tmp_path / "t.png")
    finally:
        plt.Figure.savefig = original  # type: ignore[method-assign]
    assert shown and all(float(t).is_integer() for t in shown)


def test_chips_read_in_the_questions_script_and_name_a_province_as_one(assistant: Assistant) -> None:
    from assistant.query.scope import make_scope

    view = assistant.index.view()
    scope = make_scope(
        assistant.understand("比較臨沂和聊城對招商引資有什麼要求？", [], view), view, Filters()
    )
    assert scope.chips() == ["城市: 臨沂", "城市: 聊城"] and scope.fixed()[0].startswith("話題: ")
    assert scope.keeping(["城市: 聊城"]).cities == ("聊城",)  # a chip removed by its label, as shown
    province = make_scope(assistant.understand("陕西那篇讲话讲了什么？", [], view), view, Filters())
    assert province.chips() == ["省份: 陕西省"]  # 003 is 陕西省's in the sample's manifest


@pytest.mark.parametrize("topic", ["招商引资", "营商环境", "棚户区改造"])
def test_a_comparison_column_is_silent_only_where_trends_counts_no_mention(
    sample_index: Index, topic: str
) -> None:
    assistant = Assistant(sample_index)
    counts = {p.key: p.passages for p in trend(assistant, topic, by="city").points}
    answer = assistant.ask(f"比较临沂、聊城和惠州的{topic}")
    assert [r.entity for r in answer.comparison] == ["临沂", "聊城", "惠州"]
    for row in answer.comparison:
        assert bool(row.citations) or not counts.get(row.entity), (topic, row.entity, counts, row.summary)


def test_a_comparison_column_is_silent_only_if_no_passage_of_its_place_mentions_the_topic(
    hashed_sample_index: Index,
) -> None:
    """However retrieval and the decision judge a place's passages, the column quotes the passages
    that mention the topic, the ones the Trends tab counts: the two views never disagree."""
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()

    def finds_nothing(query: Query, view: IndexView, watch: Stopwatch) -> Retrieved:
        return Retrieved(query, [], Decision("not_covered", 0.0, ()))

    def compare(question: str) -> Answer:
        plan = assistant.understand(question, [], view)
        return answer_comparison(
            plan, view, Filters(), Stopwatch(), assistant.query, finds_nothing, assistant.options
        )

    counts = {p.key: p.passages for p in trend(assistant, "招商引资", by="city").points}
    assert counts.get("临沂") and counts.get("聊城")
    answer = compare("比较临沂和聊城的招商引资")
    by_n = {c.n: c for c in answer.citations}
    for row in answer.comparison:
        assert row.citations and all("招商引资" in fold(by_n[n].text) for n in row.citations)
    silent = compare("比较临沂和聊城的区块链")  # no passage of either mentions it
    assert all(not r.citations for r in silent.comparison)
    assert not trend(assistant, "区块链", by="city").total


def test_the_chart_writes_chinese_with_a_font_installed_after_matplotlib_listed_its_fonts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """matplotlib keeps the fonts it found on its first run; on a machine whose Chinese font came later
    (this one's), the chart's labels were empty boxes. The chart finds the font in the system's
    folders. The machine has one (Debian's fonts-wqy-zenhei)."""
    from matplotlib import font_manager

    from assistant.research.trends import CJK_FONTS, _pyplot

    assert any("wqy" in path or "CJK" in path for path in font_manager.findSystemFonts())
    listed = font_manager.fontManager.ttflist  # the one list matplotlib draws from
    stale = [f for f in listed if not any(k in f.name for k in CJK_FONTS)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    plt, cjk = _pyplot()
    assert cjk and any(k in plt.rcParams["font.family"][0] for k in CJK_FONTS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the font is a warning
        fig, ax = plt.subplots()
        ax.set_title("临沂 聊城")
        fig.savefig(tmp_path / "t.png")
        plt.close(fig)


def test_the_charts_labels_stand_upright_only_when_they_would_run_into_each_other(tmp_path: Path) -> None:
    """Nine provinces side by side (新疆维吾尔自治区 beside 广西壮族自治区) overlapped when lying flat;
    three cities' short names lie flat."""
    import matplotlib.pyplot as plt

    from assistant.research.trends import Point, Trend

    def rotation(keys: list[str]) -> float:
        points = tuple(Point(k, 1, 1, ()) for k in keys)
        seen: list[float] = []
        original = plt.Figure.savefig

        def keep(fig, *args, **kwargs):  # type: ignore[no-untyped-def]
            seen.extend(label.get_rotation() for ax in fig.axes for label in ax.get_xticklabels())
            return original(fig, *args, **kwargs)

        plt.Figure.savefig = keep  # type: ignore[method-assign]
        try:
            to_png(Trend("低空经济", ("低空经济",), "city", points, None, None, 0), tmp_path / "t.png")
        finally:
            plt.Figure.savefig = original  # type: ignore[method-assign]
        return max(seen)

    provinces = [
        "山东省",
        "云南省",
        "吉林省",
        "新疆维吾尔自治区",
        "广西壮族自治区",
        "陕西省",
        "宁夏回族自治区",
    ]
    assert rotation(provinces + ["河北省", "西藏自治区"]) == 90
    assert rotation(["临沂", "惠州", "聊城"]) == 0
