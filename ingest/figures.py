"""Figures in a sentence: a quantity with its scale and unit (6000多亿元, 百分之六点五, 5.5%左右, X个百分点).

A figure is a number written in digits (half- or full-width, with thousands separators: 6，600) or in
Chinese numerals (read with cn2an), followed by a scale (万, 亿, 万亿) and/or a unit of measure. A bare
count is a number with a scale and no unit (裁员100万). Not figures: years and dates (2019年, 一九五九年),
ordinals (第X位), codes (M2, G331, V8), list numbers (10、), and a single Chinese digit before a
classifier (一个, 两家: wording, not a statistic). A redacted figure (X%, **亿元, X个百分点) is kept with
no value, never read as a number. The qualifier is the word that bounds it (左右, 以上, 多, 超过, 近 …).

Measured on tests/data/figures_labelled.jsonl (`python -m evaluation.figures_eval`).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

from ingest.grammar import FIGURE_CLAUSE_END
from ingest.normalize import fold_width, to_simplified


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of a sentence; `start`/`end` index the sentence as given."""

    value: float | None  # with its scale applied (1.35万亿元 -> 1.35e12); None when redacted
    unit: str  # %, 个百分点, 元, 美元, 人, 亩, 吨 …; "" for a bare count
    qualifier: str  # 左右, 以上, 以内, 以下, 多, 余, 超过, 近, 约 … or ""
    indicator: str  # what is measured: the clause's words before the figure (城镇新增就业)
    kind: str  # target (目标, 预期, 力争, 要 … in its clause) or result
    start: int
    end: int
    high: float | None = None  # the upper end of a range (6.5%－7%: value 6.5, high 7.0)

    @property
    def redacted(self) -> bool:
        return self.value is None


UNITS = (
    "个百分点",
    "百分点",
    "%",
    "万亿元",
    "美元",
    "元",
    "公斤",
    "斤",
    "吨级",
    "吨",
    "千瓦时",
    "千瓦",
    "千伏",
    "平方公里",
    "平方米",
    "立方米",
    "公里",
    "亩",
    "公顷",
    "人次",
    "人",
    "户",
    "家",
    "个",
    "项",
    "件",
    "张",
    "列",
    "株",
    "名",
    "只",
    "台",
    "辆",
    "座",
    "所",
    "套",
    "条",
    "倍",
    "小时",
)
SCALES = {"万": 1e4, "亿": 1e8}
BEFORE = (
    "至少",
    "超过",
    "不低于",
    "不少于",
    "不超过",
    "低于",
    "少于",
    "高于",
    "突破",
    "接近",
    "约有",
    "超",
    "近",
    "约",
    "逾",
)
AFTER = ("左右", "以上", "以内", "以下")
TARGET_WORDS = r"目标|预期|预计|力争|争取|确保|计划|拟|将要|要求|安排"
TARGET = re.compile(TARGET_WORDS)

_CN_DIGITS = "零〇○一二三四五六七八九两"
# a Chinese number holds its own scales (三亿六千万, 二千四百四十二万, 一万万): read whole
_CN = rf"[{_CN_DIGITS}十百千][{_CN_DIGITS}十百千万亿]*(?:点[{_CN_DIGITS}]+)?"
_DIGITS = r"\d+(?:,\d{3}(?!\d))*(?:\.\d+)?|\d(?: \d)+(?!\d)"
_REDACTED = r"[Xx×*]{1,3}"
_UNIT = "|".join(re.escape(u) for u in UNITS)
_QUALIFIER_BEFORE = "|".join(BEFORE)
FIGURE = re.compile(
    rf"(?P<percent>百分之)?(?:(?P<digits>{_DIGITS})(?:%?[－\-–—~～至到](?P<high>{_DIGITS}))?"
    rf"|(?P<redacted>{_REDACTED})|(?P<cn>{_CN}))"
    rf"(?P<more1>多|余)?(?P<scale>(?:万|亿)(?:多|余)?(?:亿)?)?(?P<more2>多|余)?(?P<unit>{_UNIT})?"
    rf"(?P<after>{'|'.join(AFTER)})?"
)
_QUALIFIED_BEFORE = re.compile(rf"(?:{_QUALIFIER_BEFORE})$")


def _searchable(sentence: str) -> str:
    """The sentence with one character for each of the original's: half-width digits and letters, %,
    the decimal point and the thousands comma half-width, Simplified characters."""
    text = fold_width(sentence).replace("％", "%").replace("．", ".")
    simplified = to_simplified(text)
    text = simplified if len(simplified) == len(text) else text
    # a full-width comma between digits is a thousands separator (6，600) when three digits follow
    return re.sub(r"(?<=\d)，(?=\d{3}(?!\d))", ",", text)


@lru_cache(maxsize=4096)
def chinese_number(text: str) -> float | None:
    """三千二百 -> 3200.0, 二十二点八 -> 22.8, 千 -> 1000.0 (cn2an; a leading 一 added where left out)."""
    import cn2an

    text = text.replace("〇", "零").replace("○", "零")
    factor = 1.0
    while text:
        for candidate in (text, "一" + text):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return float(cn2an.cn2an(candidate, "smart")) * factor
            except (ValueError, KeyError, IndexError, TypeError):
                continue
        if text[-1] not in SCALES:  # 一万万: read 一万, then its trailing 万
            return None
        factor *= SCALES[text[-1]]
        text = text[:-1]
    return None


_KIND_AFTER = re.compile(rf"(?:{TARGET_WORDS}|主要)+$")


def without_kind(word: str) -> str:
    """What a word says is measured, less the words after it that only say the figure is a target
    (增长目标 -> 增长, 国内生产总值增长目标 -> 国内生产总值增长; 目标 -> "")."""
    return _KIND_AFTER.sub("", to_simplified(word))


def names_a_kind(word: str) -> bool:
    """The word only says a figure is a target (目标, 预期目标, target's 目标), not what is measured:
    nothing is left without its kind."""
    return not without_kind(word)


def _scale(text: str) -> float:
    factor = 1.0
    for ch in text:
        factor *= SCALES.get(ch, 1.0)
    return factor


def _is_figure(m: re.Match[str], text: str) -> bool:
    start = m.start()
    before = text[max(0, start - 1) : start]
    unit, scale = m.group("unit") or "", m.group("scale") or ""
    following = text[m.end() : m.end() + 1]
    if before == "第" or (before.isascii() and before.isalpha()):  # 第X位, M2, G331
        return False
    if not (unit or scale or m.group("percent")):
        return False
    if following == "年" and not unit and not scale:  # 2019年, 201X年
        return False
    if m.group("redacted") and not (unit or scale):
        return False
    if m.group("cn"):
        value = chinese_number(m.group("cn"))
        if value is None:
            return False
        # a single Chinese digit before a classifier (一个, 两家) is wording, not a statistic
        if value < 10 and not scale and not m.group("percent") and unit not in ("%", "个百分点"):
            return False
    return True


def _indicator(text: str, sentence: str, start: int) -> str:
    """The clause's words before the figure, less a bounding word (超过), as the sentence writes them."""
    clause_start = max((e.end() for e in FIGURE_CLAUSE_END.finditer(text, 0, start)), default=0)
    bound = _QUALIFIED_BEFORE.search(text, clause_start, start)
    return sentence[clause_start : bound.start() if bound else start].strip()


def figures(sentence: str) -> list[Figure]:
    """Every figure of the sentence, in order."""
    text = _searchable(sentence)
    out = []
    for m in FIGURE.finditer(text):
        if not m.group(0) or not _is_figure(m, text):
            continue
        scale = _scale(m.group("scale") or "")
        if m.group("redacted"):
            value: float | None = None
        elif m.group("digits"):
            value = float(m.group("digits").replace(",", "").replace(" ", "")) * scale
        else:
            number = chinese_number(m.group("cn"))
            value = None if number is None else number * scale
        unit = "%" if m.group("percent") else (m.group("unit") or "")
        unit = {"百分点": "个百分点", "万亿元": "元"}.get(unit, unit)
        if m.group("unit") == "万亿元" and value is not None:
            value *= 1e12
        before = _QUALIFIED_BEFORE.search(text, 0, m.start())
        around = (m.group("more1") or "") + (m.group("scale") or "") + (m.group("more2") or "")
        qualifier = (
            m.group("after")
            or next((q for q in ("多", "余") if q in around), "")
            or (before.group(0).removesuffix("有") if before else "")
        )
        high = float(m.group("high").replace(",", "")) * scale if m.group("high") else None
        # a target is announced anywhere before it in the sentence (主要预期目标是：国内生产总值增长7%左右)
        kind = "target" if TARGET.search(text, 0, m.start()) else "result"
        indicator = _indicator(text, sentence, m.start())
        out.append(Figure(value, unit, qualifier, indicator, kind, m.start(), m.end(), high))
    return out
