"""A figure over the years as a table (assistant/answer/ledger.py): one row per document, the figure
whose indicator names the topic, each cited to the sentence that states it; a target when the
question asks for one; a redacted figure shown as written, never as a number; in three scripts.
Two years of one body compared side by side use the same documents: the target and result
paragraphs of four national reports (2015, 2018, 2021, 2025)
and a city's 2020 report with its figures redacted (tests/data/ledger_reports.jsonl)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from docx import Document as Docx

from assistant.answer.pipeline import Assistant
from assistant.app.cli import main
from assistant.research.export import table
from assistant.research.trends import figure_series
from tests.conftest import DATA
from vectorstore.index import Index
from vectorstore.sync import sync_paths


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    index = Index(tmp_path_factory.mktemp("ledger"), ["hashing"])  # mentions read the text, not vectors
    assert not sync_paths(index, [DATA / "ledger_reports.jsonl"], progress=False).errors
    return Assistant(index)


@pytest.mark.parametrize("question", ["历年城镇新增就业目标是多少？", "歷年城鎮新增就業目標是多少？"])
def test_a_target_over_the_years_is_a_row_per_report_each_cited(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    rows = [(r.year, r.value, r.figure, r.kind) for r in answer.ledger]
    assert rows == [
        ("2015", 1e7, "1000万人以上", "target"),
        ("2018", 1.1e7, "1100万人以上", "target"),
        ("2020", None, "X万人以上", "target"),  # redacted: shown as written, no value
        ("2021", 1.1e7, "1100万人以上", "target"),
        ("2025", 1.2e7, "1200万人以上", "target"),
    ]
    cited = {c.n: c for c in answer.citations}
    for row in answer.ledger:  # each figure is quoted from the sentence that states it, in its paragraph
        assert row.figure in cited[row.n].quote and "预期目标" in cited[row.n].quote
        assert cited[row.n].paragraph == (1 if row.year == "2020" else 2)  # the results come first
    assert "1322万人" not in answer.text  # 2015's result, not its target
    assert "| 2018 |" in answer.text and ("性質" in answer.text) == (question[0] == "歷")
    assert answer.to_dict()["ledger"][2]["value"] is None


def test_an_english_question_over_a_span_of_years(assistant: Assistant) -> None:
    answer = assistant.ask("How did the GDP growth target change between 2015 and 2025?")
    assert [(r.year, r.value, r.qualifier) for r in answer.ledger] == [
        ("2015", 7.0, "左右"),
        ("2018", 6.5, "左右"),
        ("2021", 6.0, "以上"),
        ("2025", 5.0, "左右"),
    ]
    assert (
        answer.text.startswith("Across the documents")
        and "| Year | Place | Figure | Kind | Sources |" in answer.text
    )


def test_a_question_about_wording_over_time_stays_a_timeline(assistant: Assistant) -> None:
    answer = assistant.ask("历年报告对城镇新增就业的表述有何变化？")
    assert answer.timeline is not None and not answer.ledger


def test_the_ledger_exports_as_csv_and_docx_from_the_cli(
    assistant: Assistant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = str(assistant.index.data_dir)
    question = "历年城镇新增就业目标是多少？"
    code = main(
        [
            "ask",
            question,
            "--data-dir",
            data_dir,
            "--csv",
            str(tmp_path / "t.csv"),
            "--docx",
            str(tmp_path / "t.docx"),
        ]
    )
    assert code == 0 and "| 2025 |" in capsys.readouterr().out
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["year"], r["value"], r["figure"]) for r in rows][:3] == [
        ("2015", "1e+07", "1000万人以上"),
        ("2018", "1.1e+07", "1100万人以上"),
        ("2020", "", "X万人以上"),
    ]
    assert all(r["figure"] in r["quote"] and r["paragraph"] and r["document"] for r in rows)
    doc = Docx(str(tmp_path / "t.docx"))
    assert doc.paragraphs[0].text == question and len(doc.tables[0].rows) == 1 + len(rows)


def test_a_comparison_exports_place_by_place(hashed_sample_index: Index) -> None:
    answer = Assistant(hashed_sample_index).ask("比较临沂和聊城在招商引资方面的做法")
    header, rows = table(answer)
    assert header[:2] == ["place", "said"] and {r[0] for r in rows} == {"临沂", "聊城"}
    cited = [r for r in rows if r[2]]  # a place with passages: one row per passage, with its citation
    assert cited and all(r[header.index("quote")] for r in cited)


@pytest.mark.parametrize(
    ("question", "labels"),
    [
        ("比较2018年和2025年的报告在就业方面的目标", ["2018年", "2025年"]),
        ("比較2018年和2025年的報告在就業方面的目標", ["2018年", "2025年"]),
    ],
)
def test_two_years_compared_side_by_side(assistant: Assistant, question: str, labels: list[str]) -> None:
    answer = assistant.ask(question)
    assert [r.entity for r in answer.comparison] == labels
    by_n = {c.n: c for c in answer.citations}
    for row, year in zip(answer.comparison, ("2018", "2025"), strict=True):
        assert row.citations and all(
            by_n[n].date[:4] == year for n in row.citations
        )  # each year's own report


def test_a_year_the_index_holds_nothing_for_says_so_in_its_column(assistant: Assistant) -> None:
    answer = assistant.ask("比较2016年和2025年的报告在就业方面的目标")
    silent, quoted = answer.comparison
    assert silent.entity == "2016年" and not silent.citations and "没有2016年" in silent.summary
    assert quoted.citations


def test_a_figure_asked_across_places_is_a_row_per_place_and_names_the_places_without_one(
    hashed_sample_index: Index,
) -> None:
    answer = Assistant(hashed_sample_index).ask("各市的投资目标分别是多少？")
    (row,) = answer.ledger  # 临沂's speech states its investment targets, redacted as X亿元
    assert (row.where, row.value, row.unit, row.kind) == ("临沂", None, "元", "target")
    assert row.figure.endswith("X億元") and row.figure in answer.citations[0].quote
    assert "分别" not in answer.text.split("\n")[0]
    (without,) = [line for line in answer.text.split("\n") if line.startswith("所检索的文件中没有")]
    assert "惠州" in without and "聊城" in without  # searched, and no such figure stated in these words
    assert "投资" in without  # the words searched: another wording may state it
    # silence in the question's words is no proof of absence: each such place's closest passage is shown
    # beside the table, numbered after its figures, never as a figure
    silent = set(without.rstrip("。").split("：")[1].split("、"))
    assert answer.related and {c.where for c in answer.related} <= silent and "临沂" not in silent
    assert len({c.where for c in answer.related}) == len(answer.related)
    assert [c.n for c in answer.related] == list(range(2, 2 + len(answer.related)))
    assert all(f"[{c.n}]" in answer.text.split(without)[1] for c in answer.related)
    assert [c.n for c in answer.ranked] == [1, *(c.n for c in answer.related)]


def test_an_indicator_over_the_years_from_the_trend_command(
    assistant: Assistant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    series = figure_series(assistant, "城镇新增就业目标")
    assert [(r.year, r.value) for r in series.rows] == [
        ("2015", 1e7),
        ("2018", 1.1e7),
        ("2020", None),
        ("2021", 1.1e7),
        ("2025", 1.2e7),
    ]
    png, table = tmp_path / "f.png", tmp_path / "f.csv"
    args = ["trend", "城镇新增就业目标", "--figures", "--data-dir", str(assistant.index.data_dir)]
    assert main([*args, "--png", str(png), "--csv", str(table)]) == 0
    assert "2018" in capsys.readouterr().out and png.stat().st_size > 10000
    with table.open(encoding="utf-8-sig", newline="") as handle:
        assert [r["year"] for r in csv.DictReader(handle)] == ["2015", "2018", "2020", "2021", "2025"]
