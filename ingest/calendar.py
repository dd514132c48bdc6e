"""Years of the national meetings whose reports name them but carry no date: the Party's national
congresses (第十九次全国代表大会, 十九大, a record's `congress` field) and the sessions of the National
People's Congress (第十三届全国人民代表大会第五次会议). A fixed table of public facts, like the gazetteer."""

from __future__ import annotations

import re
from typing import Any

from ingest.normalize import to_simplified

CPC_CONGRESS_YEAR = {1: 1921, 2: 1922, 3: 1923, 4: 1925, 5: 1927, 6: 1928, 7: 1945, 8: 1956, 9: 1969, 10: 1973,
                     11: 1977, 12: 1982, 13: 1987, 14: 1992, 15: 1997, 16: 2002, 17: 2007, 18: 2012, 19: 2017, 20: 2022}
# The NPC's sessions: irregular in its first terms, then one a year from the term's first.
NPC_SESSION_YEAR = {(1, 1): 1954, (1, 2): 1955, (1, 3): 1956, (1, 4): 1957, (1, 5): 1958,
                    (2, 1): 1959, (2, 2): 1960, (2, 3): 1962, (2, 4): 1963, (3, 1): 1964, (4, 1): 1975,
                    (5, 1): 1978, (5, 2): 1979, (5, 3): 1980, (5, 4): 1981, (5, 5): 1982}
NPC_TERM_FIRST_YEAR = {6: 1983, 7: 1988, 8: 1993, 9: 1998, 10: 2003, 11: 2008, 12: 2013, 13: 2018, 14: 2023}

_NUMERAL = "一二三四五六七八九十"
_CPC = re.compile(r"(?:中国共产党第([一二三四五六七八九十]{1,3})次全国代表大会|[(（]([一二三四五六七八九十]{1,3})大[)）])")
_NPC = re.compile(r"第([一二三四五六七八九十]{1,3})届全国人民代表大会第([一二三四五六七八九十]{1,3})次会议")


def _number(numeral: str) -> int:
    """一 .. 九十九 as a number: 十九 -> 19, 二十 -> 20."""
    if "十" not in numeral:
        return _NUMERAL.index(numeral) + 1
    tens, _, ones = numeral.partition("十")
    return (_NUMERAL.index(tens) + 1 if tens else 1) * 10 + (_NUMERAL.index(ones) + 1 if ones else 0)


def meeting_year(title: str, fields: dict[str, Any]) -> str:
    """The year of the national meeting a report's title or record names, or ""."""
    if isinstance(fields.get("congress"), int):
        return str(CPC_CONGRESS_YEAR.get(fields["congress"], ""))
    simplified = to_simplified(title)
    if m := _NPC.search(simplified):
        term, session = _number(m.group(1)), _number(m.group(2))
        year = NPC_SESSION_YEAR.get((term, session)) or (NPC_TERM_FIRST_YEAR[term] + session - 1
                                                         if term in NPC_TERM_FIRST_YEAR else None)
        return str(year or "")
    if m := _CPC.search(simplified):
        return str(CPC_CONGRESS_YEAR.get(_number(m.group(1) or m.group(2)), ""))
    return ""
