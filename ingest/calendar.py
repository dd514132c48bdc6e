"""Years of the Party's national congresses, whose reports name them (第十九次全国代表大会, 十九大, a
record's `congress` field) but carry no date. A fixed table of public facts, like the gazetteer.

The NPC's resolutions on the government work report (第十三届全国人民代表大会第五次会议关于…的决议) are
left undated on purpose: dated, they enter every year filter beside that year's report and push the
report's passages down for "the 2024 government work report" (measured in docs/benchmarks.md); they need
a way to tell a document about the report from the report first."""

from __future__ import annotations

import re
from typing import Any

from ingest.normalize import to_simplified

CPC_CONGRESS_YEAR = {
    1: 1921,
    2: 1922,
    3: 1923,
    4: 1925,
    5: 1927,
    6: 1928,
    7: 1945,
    8: 1956,
    9: 1969,
    10: 1973,
    11: 1977,
    12: 1982,
    13: 1987,
    14: 1992,
    15: 1997,
    16: 2002,
    17: 2007,
    18: 2012,
    19: 2017,
    20: 2022,
}
_CPC = re.compile(
    r"(?:中国共产党第([一二三四五六七八九十]{1,3})次全国代表大会|[(（]([一二三四五六七八九十]{1,3})大[)）])"
)


# How a question names a Party congress: in full (中国共产党第九次全国代表大会), as the Party's (党的九大), by
# its report (九大报告, 九大政治报告), or in English (the 9th Party Congress)
_CPC_ASKED = re.compile(
    r"中国共产党第([一二三四五六七八九十]{1,3})次全国代表大会|党的([一二三四五六七八九十]{1,3})大"
    r"|(?<![一二三四五六七八九十])([一二三四五六七八九十]{1,3})大(?=(?:政治)?报告)"
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)"
_CPC_ASKED_EN = re.compile(
    rf"\b((?:{_ORDINAL}(?:\s*,\s*|\s+and\s+|\s+or\s+))*{_ORDINAL})\s+(?:national\s+)?(?:party\s+|cpc\s+)?"
    r"congress",
    re.I,
)


def _number(numeral: str) -> int:
    """Chinese numerals as a number (cn2an): 十九 -> 19, 二十 -> 20."""
    import cn2an

    return int(cn2an.cn2an(numeral, "smart"))


def congress_year(title: str, fields: dict[str, Any]) -> str:
    """The year of the Party congress a report's title or record names, or ""."""
    congress = fields["congress"] if isinstance(fields.get("congress"), int) else congress_of(title)
    return str(CPC_CONGRESS_YEAR.get(congress, ""))


def congress_of(title: str) -> int:
    """The Party congress a report's title names, or 0: 9 for 在中国共产党第九次全国代表大会上的报告, 7 for
    論聯合政府 (七大)."""
    m = _CPC.search(to_simplified(title))
    return _number(m.group(1) or m.group(2)) if m else 0


def congresses_asked(simplified: str) -> list[int]:
    """The Party congresses a question (in Simplified: its search form, `QueryPlan.normalized`) names,
    in the order it names them (党的十大 -> 10, "the 9th Party Congress" -> 9). The short name alone
    (十大) is too often something else (十大罪名, ten charges)."""
    found = [(m.start(), _number(next(g for g in m.groups() if g))) for m in _CPC_ASKED.finditer(simplified)]
    found += [
        (m.start(), int(ordinal))
        for m in _CPC_ASKED_EN.finditer(simplified)
        for ordinal in re.findall(r"\d+", m.group(1))  # the 18th and 19th party congresses
    ]
    return list(dict.fromkeys(n for _, n in sorted(found) if n in CPC_CONGRESS_YEAR))


def without_congresses(simplified: str) -> str:
    """The text less the Party congresses it names in Chinese (`congresses_asked` reads them), each
    replaced by a space: 中国共产党第十次全国代表大会 holds 全国代表大会, which every congress report's
    title holds."""
    return _CPC_ASKED.sub(" ", simplified)


def with_congress_name(title: str) -> str:
    """The title with the short name of the Party congress it names in full, as the other reports'
    titles carry it: 在中国共产党第十一次全国代表大会上的政治报告 -> … (十一大), so that a question asking
    for the 十一大 report (or "the 11th Party Congress report") finds it. Other titles as they are."""
    simplified = to_simplified(title)
    m = _CPC.search(simplified)
    if not m or not m.group(1) or f"{m.group(1)}大" in simplified:
        return title
    return f"{title} ({m.group(1)}大)"
