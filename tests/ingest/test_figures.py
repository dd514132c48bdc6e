"""Figures in sentences (ingest/figures.py): value with its scale, unit, qualifier, ranges, Chinese
numerals, redacted figures, and what is not a figure; and the extractor against the 100 sentences
labelled by hand before it was written (tests/data/figures_labelled.jsonl)."""

from __future__ import annotations

import json

import pytest

from evaluation.figures_eval import score
from ingest.figures import figures, names_a_kind
from tests.conftest import DATA


def read(sentence: str) -> list[tuple[float | None, str, str]]:
    return [(f.value, f.unit, f.qualifier) for f in figures(sentence)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("城镇新增就业1100万人以上，城镇登记失业率4.5%以内；", [(1.1e7, "人", "以上"), (4.5, "%", "以内")]),
        ("今年安排地方专项债券1.35万亿元", [(1.35e12, "元", "")]),
        ("新增4万多亿元", [(4e12, "元", "多")]),
        ("产业类项目投资总额达到6000多億元", [(6e11, "元", "多")]),
        ("实行试点的工业企业有6，600个左右", [(6600, "个", "左右")]),
        ("粮食产量将要达到３，９８９亿斤，比上年增长８．４％", [(3.989e11, "斤", ""), (8.4, "%", "")]),
        ("比一九五八年增长百分之十九", [(19, "%", "")]),
        ("全国粮食产量计划达到三亿六千万斤", [(3.6e8, "斤", "")]),
        ("五年内扩大播种面积三千二百多万亩", [(3.2e7, "亩", "多")]),
        ("去年价格上涨的翘尾影响约有1个百分点", [(1, "个百分点", "约")]),
        ("出口增长近30%", [(30, "%", "近")]),
    ],
)
def test_a_figure_is_read_with_its_scale_unit_and_qualifier(
    sentence: str, expected: list[tuple[float, str, str]]
) -> None:
    got = read(sentence)
    assert [(pytest.approx(v), u, q) for v, u, q in expected] == got


def test_a_range_keeps_both_ends_and_a_target_is_told_from_a_result() -> None:
    (gdp, prices) = figures("今年发展的主要预期目标是：国内生产总值增长6.5%－7%，居民消费价格涨幅3%左右。")
    assert (gdp.value, gdp.high, gdp.unit, gdp.indicator, gdp.kind) == (
        6.5,
        7.0,
        "%",
        "国内生产总值增长",
        "target",
    )
    assert prices.indicator == "居民消费价格涨幅" and prices.qualifier == "左右"
    (done,) = figures("就业稳，城镇新增就业1322万人，高于上年。")
    assert done.kind == "result" and done.indicator == "城镇新增就业"


@pytest.mark.parametrize(
    "sentence",
    [
        "2019年是新中国成立70周年",  # a year (70周年 has no unit of measure)
        "排在全省第X位",  # an ordinal
        "广义货币M2余额",  # a code
        "沈白高铁、G331通车",
        "会议书面印发了全市201X年重点项目计划安排",  # a redacted year
        "今年10、我们既要做好服务",  # a list number
        "建设一个现代化城市，两家企业",  # a single Chinese digit before a classifier
    ],
)
def test_what_is_not_a_figure(sentence: str) -> None:
    assert figures(sentence) == []


def test_a_redacted_figure_is_never_a_number() -> None:
    got = figures(
        "地方财政收入增长X%，排在全省第X位，与全省平均水平相差X个百分点，X亿元的投资任务要超额完成。"
    )
    assert [(f.value, f.unit, f.redacted) for f in got] == [
        (None, "%", True),
        (None, "个百分点", True),
        (None, "元", True),
    ]


def test_kind_words_are_not_what_is_measured() -> None:
    assert names_a_kind("目标") and names_a_kind("预期目标") and names_a_kind("主要预期目标")
    assert not names_a_kind("城镇新增就业") and not names_a_kind("目标任务书")


def test_the_hand_labelled_sentences() -> None:
    items = [
        json.loads(line)
        for line in (DATA / "figures_labelled.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    result = score(items)
    assert result["sentences"] == 100 and result["labelled"] >= 180
    for level in ("value", "value+unit", "value+unit+qualifier"):
        assert result[level]["precision"] >= 0.95 and result[level]["recall"] >= 0.85, (level, result[level])
    assert result["redacted_labelled"] >= 20 and result["redacted_read_as_numbers"] == 0
