"""Query understanding: language and script, cities and years named, comparison, follow-ups.

All rules are offline and general: they look at the form of the question (pronouns, ellipsis,
comparison words, place names from the gazetteer), never at particular questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ingest.gazetteer import find_city
from ingest.normalize import CJK_RE, normalize_text, script_of

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_COMPARE_ZH = re.compile(r"(比较|比較|对比|對比|相比|异同|異同|区别|區別|不同|各地|各市|分别|分別|哪些城市|两地|兩地)")
_COMPARE_EN = re.compile(r"\b(compare|comparison|versus|vs\.?|differ|difference|different|each city|both)\b", re.I)
_FOLLOWUP_ZH = re.compile(r"^(那|那么|那麼|还有|還有|另外|再|而|又)|呢[？?]?$|^(他|她|他们|他們|该|該|这|這|此|其)")
_FOLLOWUP_EN = re.compile(r"^(and|what about|how about|also|then|so)\b|\b(he|she|they|him|her|them|his|their|it|that|this|there)\b", re.I)
# Words that carry no topic: what is left of a question after removing them and the entities tells
# whether the question brings a topic of its own ("那惠州呢？" does not).
_FILLER = re.compile(
    r"(那么|那麼|那|呢|还有|還有|另外|的|吗|嗎|怎么样|怎麼樣|怎么说|怎麼說|如何|呢|市|县|縣|区|區|和|与|與|及|"
    r"\band\b|\bwhat about\b|\bhow about\b|\bthe\b|\bcity\b|\bof\b|\bin\b|\babout\b|\bwhat\b|\bsay\b|\bsaid\b|"
    r"\bdid\b|\bdo\b|\bdoes\b|[\s?？!！,，.。、:：]+)",
    re.I,
)
# Words that frame a question about what speeches say ("如何表述", "有什么规定") rather than name
# its subject: a passage need not repeat them to answer it.
FRAMING_WORDS = frozenset(
    "表述 论述 阐述 描述 提到 提及 谈到 谈及 说到 讲到 讲了 认为 表示 规定 安排 部署 说明 介绍 主要 具体 哪几 几个 "
    "哪几个 有关 关于 报告 会议".split()
)


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """A question made standalone, with what was recognised in it."""

    original: str
    standalone: str  # the question to search with (history folded in)
    language: str  # zh | en
    script: str  # simplified | traditional | latin
    cities: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    comparison: bool = False
    followup: bool = False
    topic: str = ""  # the standalone question without its entities, for per-entity searches
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def search_language(self) -> str:
        """The language retrieval works in: that of the standalone question, which can differ from the
        question asked ("那惠州呢？" after an English question searches the English topic)."""
        return language_of(self.standalone)[0]


def language_of(text: str) -> tuple[str, str]:
    """('zh', 'simplified'|'traditional') or ('en', 'latin')."""
    cjk = len(CJK_RE.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if cjk == 0 or latin > 3 * cjk:
        return "en", "latin"
    return "zh", script_of(text)


def cities_in(text: str) -> list[str]:
    from assistant.translate import find_english_cities

    found = find_city(normalize_text(text))
    for city in find_english_cities(text):
        if city not in found:
            found.append(city)
    return found


def years_in(text: str) -> list[str]:
    return list(dict.fromkeys(_YEAR.findall(text)))


_COMPARE_WORDS = re.compile(r"(比较|对比|相比|异同|区别|不同|分别|两地|\bcompare[sd]?\b|\bcomparison\b|\bversus\b|\bvs\b|"
                            r"\bdiffer(ence)?s?\b|\bbetween\b|\bon\b|\band\b|\bwith\b|在|和|与|及)")


def _strip_entities(text: str, cities: Sequence[str]) -> str:
    from assistant.translate import english_place_names

    out = normalize_text(text)
    if len(cities) > 1:  # a comparison: the topic is what is compared, not the comparing words
        out = _COMPARE_WORDS.sub(" ", out)
    for city in cities:
        out = out.replace(city, " ")
        for roman, chinese in english_place_names().items():
            if chinese == city:
                out = re.sub(rf"\b{roman}\b", " ", out)
    return out


def has_own_topic(text: str, cities: Sequence[str]) -> bool:
    """Whether anything but entities (cities, years) and filler is left: "那2023年呢？" has no topic."""
    rest = _FILLER.sub("", _YEAR.sub(" ", _strip_entities(text, cities)))
    return len(rest) >= 2


def with_years(text: str, old: Sequence[str], new: Sequence[str]) -> str:
    """`text` about the years `new` instead of `old` ("2022年…赤字率" -> "2023年…赤字率")."""
    if not new:
        return text
    if old and old[0] in text:
        text = text.replace(old[0], "/".join(new), 1)
        for year in old[1:]:
            text = text.replace(year, "")
        return text
    return f"{'/'.join(new)} {text}"


def is_followup(question: str) -> bool:
    q = question.strip()
    return bool(_FOLLOWUP_ZH.search(q) or _FOLLOWUP_EN.search(q)) or len(normalize_text(q)) <= 6


def plan_query(question: str, history: Sequence[str] = ()) -> QueryPlan:
    """Understand a question in the light of the questions asked before it (oldest first)."""
    language, script = language_of(question)
    cities = cities_in(question)
    years = years_in(question)
    comparison = bool(_COMPARE_ZH.search(question) or _COMPARE_EN.search(question)) or len(cities) > 1
    plan = QueryPlan(original=question, standalone=question, language=language, script=script,
                     cities=tuple(cities), years=tuple(years), comparison=comparison,
                     topic=_strip_entities(question, cities).strip())
    if not history or not is_followup(question):
        return plan
    previous = plan_query(history[-1], history[:-1])
    notes = []
    standalone = question
    topic = plan.topic
    if not has_own_topic(question, cities):
        # "And Huizhou?": the previous topic, about the entities named now
        topic = with_years(previous.topic, previous.years, years)
        standalone = f"{topic} {' '.join(cities)}".strip() if cities else with_years(previous.standalone, previous.years, years)
        notes.append("topic carried over from the previous question")
    elif not cities and previous.cities:
        # "他对招商有什么要求？": the entities of the conversation, the topic asked now
        standalone = f"{''.join(previous.cities)} {question}" if language == "zh" else f"{question} ({', '.join(previous.cities)})"
        notes.append("cities carried over from the previous question")
    carried_cities = tuple(cities) or previous.cities
    carried_years = tuple(years) or previous.years
    return replace(plan, standalone=standalone, cities=carried_cities, years=carried_years, followup=True,
                   topic=topic, comparison=comparison or (len(carried_cities) > 1), notes=tuple(notes))


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals: 19 -> 十九, 20 -> 二十."""
    tens, ones = divmod(n, 10)
    if n < 10:
        return _DIGITS[n]
    return (_DIGITS[tens] if tens > 1 else "") + "十" + (_DIGITS[ones] if ones else "")


def ordinal_congress(question: str) -> str:
    """'the 19th party congress' -> '十九大' (how Chinese titles name a congress); '' if none."""
    m = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)\s+(?:national\s+)?(?:party\s+|cpc\s+)?congress", question, re.I)
    return f"{chinese_number(int(m.group(1)))}大" if m else ""
