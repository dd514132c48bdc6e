"""Query understanding: language and script, cities and years named, comparison, follow-ups.

All rules are offline and general: they look at the form of the question (pronouns, ellipsis,
comparison words, place names from the gazetteer), never at particular questions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.query.places import (
    PlacesNamed,
    english_city_name,
    parallel_words,
    place_edits,
    place_forms,
    places_joined,
    read_places,
)
from assistant.query.words import (
    ASK_WHEN,
    ASKS_QUANTITY,
    COMPARISON_FRAME,
    FILLER,
    FOLLOWUP_EN,
    FOLLOWUP_ZH,
    IS_COMPARISON,
    TIME_FIRST,
    TIME_LATEST,
    TIME_TREND,
    TIME_TREND_ASKED,
    YEAR_FROM,
    YEAR_SHIFTS,
    YEAR_TO,
)
from ingest.calendar import congresses_asked
from ingest.grammar import YEAR
from ingest.names import levels_named
from ingest.normalize import CJK_RE, either_script, normalize_text, script_of, to_simplified

_YEAR = re.compile(rf"(?<!\d)({YEAR})(?!\d)")
_CODE_BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_TAGS = re.compile(r"</?[A-Za-z][^<>]*>")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_URL = re.compile(r"\b(?:https?|javascript|data|file):\S*", re.I)
_LATIN_WORD = re.compile(r"[A-Za-z0-9'+-]+")  # a word as typed in Latin letters, inside Chinese too


def plain_question(text: str) -> str:
    """What a person asked, without what came along with it: markup (tags, script bodies, link targets,
    URLs), control and invisible format characters (bidi overrides, zero-width spaces); whitespace
    collapsed. Pasted or hostile input then reads like typed input in every later stage."""
    text = _CODE_BLOCKS.sub(" ", text)
    text = _MD_LINK.sub(r"\1", _TAGS.sub(" ", text))
    text = _URL.sub(" ", text)
    text = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf"))
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """A question made standalone, with what was recognised in it."""

    original: str
    standalone: str  # the question to search with (history folded in)
    language: str  # zh | en
    script: str  # simplified | traditional | latin
    cities: tuple[str, ...] = ()
    # levels of government named (县里, 县长, the county: ingest.names.levels_named), read where no
    # place is named: Query.levels
    levels: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    year_span: tuple[str, str] = ("", "")  # an open span the question names: ("2020", "") for 2020年以后
    comparison: bool = False
    followup: bool = False
    topic: str = ""  # the standalone question less its entities, in its search form; each side searches it
    timeline: str = ""  # a question about time: first | latest | trend (how it changed), or ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    # the standalone question and the one asked in their search form (ingest.normalize.normalize_text:
    # half-width, Simplified, lower-case), and the language retrieval works in: that of the topic of the
    # standalone question, which can differ from the question asked ("那惠州呢？" after an English question
    # searches the English topic), and is not that of the places carried into it ("what about land? (临沂,
    # 聊城)" is English). Read once, with the plan; a copy (dataclasses.replace) reads them again only
    # when a text they were read from changed (`read_from`: the standalone question, the one asked, the
    # topic), so that no later stage normalises the question again. plan_query passes the search form
    # it read the question in.
    normalized: str = ""
    normalized_original: str = ""
    search_language: str = ""
    read_from: tuple[str, str, str] | None = None
    # the standalone question in Simplified as typed (not lower-cased): what the embedders read, as the
    # passages were embedded
    simplified: str = ""
    # the Party congresses the standalone question names (党的九大, the 9th Party Congress), read with its
    # search form: they name documents (query.build.documents_named), however short their names
    congresses: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        read = self.read_from or (self.standalone, self.original, self.topic)  # a new plan: as given
        if not self.normalized or read[0] != self.standalone:
            object.__setattr__(self, "normalized", normalize_text(self.standalone))
        if not self.simplified or read[0] != self.standalone:
            object.__setattr__(self, "simplified", to_simplified(self.standalone))
        if self.read_from is None or read[0] != self.standalone:
            object.__setattr__(self, "congresses", tuple(congresses_asked(self.normalized)))
        if not self.normalized_original or read[1] != self.original:
            same = self.original == self.standalone
            object.__setattr__(
                self, "normalized_original", self.normalized if same else normalize_text(self.original)
            )
        if not self.search_language or read[0] != self.standalone or read[2] != self.topic:
            object.__setattr__(self, "search_language", language_of(self.topic or self.standalone)[0])
        object.__setattr__(self, "read_from", (self.standalone, self.original, self.topic))

    @property
    def asks_amount(self) -> bool:
        """The question asks for an amount (多少, 目标, how many, target): quote the sentence stating one."""
        return bool(ASKS_QUANTITY.search(self.normalized))

    def as_typed(self, words: str) -> str:
        """Words in Latin letters (read in lower case) as the person typed them: GDP, Xi Jinping, NFT,
        also inside Chinese (今年的GDP增长目标)."""
        typed = {w.lower(): w for w in _LATIN_WORD.findall(self.standalone)}
        return _LATIN_WORD.sub(lambda m: typed.get(m.group(), m.group()), words)


def language_of(text: str) -> tuple[str, str]:
    """('zh', 'simplified'|'traditional') or ('en', 'latin')."""
    cjk = len(CJK_RE.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if cjk == 0 or latin > 3 * cjk:
        return "en", "latin"
    return "zh", script_of(text)


def years_in(text: str) -> list[str]:
    return list(dict.fromkeys(_YEAR.findall(text)))


def year_span(text: str) -> tuple[str, str]:
    """The open span of years a question names: ("2020", "") for 2020年以后 / since 2020, ("", "2015")
    for 2015年以前 / before 2015, ("", "") otherwise."""
    after = YEAR_FROM.search(text)
    before = YEAR_TO.search(text)
    start = next((g for g in (after.groups() if after else ()) if g and g.isdigit()), "")
    end = next((g for g in (before.groups() if before else ()) if g and g.isdigit()), "")
    return start, end


def _strip_entities(text: str, cities: Sequence[str], places: PlacesNamed | None = None) -> str:
    """The text in its search form without its places (`places`: the text's places, when the caller
    has read them)."""
    places = places or read_places(text)
    out = places.normalized
    # a comparison: the topic is what is compared, not the comparing words, nor the words each place
    # takes (陕西那篇和惠州那篇 compares what 那篇, the speech, says)
    parallel = ""
    if len(cities) > 1:
        parallel = parallel_words(places)
        out = COMPARISON_FRAME.sub(" ", out)
    for city in cities:
        for form in place_forms(city):
            out = (
                re.sub(rf"\b{form}\s*{re.escape(parallel)}|\b{form}\b", " ", out)
                if form.isascii()
                else out.replace(form + parallel, " ").replace(form, " ")
            )
    return out


def without_years(text: str) -> str:
    """The text less the years it names and the words that compare them ("2019年和2024年…在就业方面的目标"
    -> "…就业方面的目标"): what a comparison of years compares."""
    text = _YEAR.sub(" ", normalize_text(text)).replace("年", " ")
    return re.sub(r"\s+", " ", COMPARISON_FRAME.sub(" ", text)).strip()


def places_in(cities: Sequence[str], language: str) -> str:
    """The cities as a question in `language` names them: 临沂 聊城, or Linyi, Liaocheng."""
    return ", ".join(map(english_city_name, cities)) if language == "en" else " ".join(cities)


def has_own_topic(text: str, cities: Sequence[str], places: PlacesNamed | None = None) -> bool:
    """Whether anything but entities (cities, years) and filler is left: "那2023年呢？" and "次年呢？" have
    no topic. `places`: the text's places, when the caller has read them."""
    rest = _YEAR.sub(" ", _strip_entities(text, cities, places))
    for _, pattern in YEAR_SHIFTS:  # 次年呢？: a year, named from the conversation's
        rest = pattern.sub(" ", rest)
    rest = FILLER.sub("", rest)
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


def time_question(question: str, simplified: str = "") -> tuple[str, str]:
    """(first | latest | trend | "", the question without its time framing): "乡村振兴最早是什么时候提出的？"
    -> ("first", "乡村振兴是什么"). Several kinds asked at once count as a trend. `simplified`: the question
    in Simplified, when the caller has it."""
    text = simplified or to_simplified(question)
    kinds = [
        kind
        for kind, pattern in (
            ("first", TIME_FIRST),
            ("latest", TIME_LATEST),
            ("trend", TIME_TREND),
            ("trend", TIME_TREND_ASKED),
        )
        if pattern.search(text)
    ]
    if not kinds:
        return "", question
    for pattern in (TIME_TREND, TIME_FIRST, TIME_LATEST, ASK_WHEN):
        text = pattern.sub(" ", text)
    rest = re.sub(r"\s+", " ", text).strip(" ？?，,。.")
    return (kinds[0] if len(set(kinds)) == 1 else "trend"), (rest or question)


def is_followup(question: str) -> bool:
    q = normalize_text(question.strip())
    return bool(FOLLOWUP_ZH.search(q) or FOLLOWUP_EN.search(q) or shift_of(q)) or len(q) <= 6


def shift_of(text: str) -> int:
    """+1 for a question about the year after the conversation's ("第二年的报告", "the following year"),
    -1 for the year before, 0 otherwise."""
    return next((shift for shift, pattern in YEAR_SHIFTS if pattern.search(text)), 0)


def shifted_years(normalized: str, previous: Sequence[str]) -> tuple[str, ...]:
    """The year a follow-up (in its search form) names from the conversation's one year: 2009 -> 2010
    for 第二年."""
    shift = shift_of(normalized)
    return (str(int(previous[0]) + shift),) if shift and len(previous) == 1 else ()


def plan_query(question: str, history: Sequence[str] = ()) -> QueryPlan:
    """Understand a question in the light of the questions asked before it (oldest first)."""
    language, script = language_of(question)
    normalized = normalize_text(question)
    places = read_places(question, normalized)
    cities = places.cities
    # read from the search form: half-width, so that ２０２０年 (typed in full width) is 2020 too
    years = years_in(normalized)
    span = year_span(normalized)
    # a comparison is asked for in words, or by naming places side by side; two places named otherwise
    # are a subject and what is said of it ("惠州如何看待深圳")
    comparison = bool(IS_COMPARISON.search(normalized)) or (len(cities) > 1 and places_joined(places))
    simplified = to_simplified(question)
    timeline, searched = time_question(question, simplified)
    plan = QueryPlan(
        original=question,
        standalone=searched,
        language=language,
        script=script,
        cities=tuple(cities),
        levels=levels_named(normalized),
        years=tuple(years),
        year_span=span,
        comparison=comparison,
        topic=_strip_entities(searched, cities, places if searched == question else None).strip(),
        timeline=timeline,
        normalized=normalized if searched == question else "",
        normalized_original=normalized,
        simplified=simplified if searched == question else "",
    )
    edits = place_edits(places) if history else {}
    if not history or not (is_followup(question) or edits or not has_own_topic(question, cities, places)):
        return plan
    previous = plan_query(history[-1], history[:-1])
    if language == previous.language == "zh" and either_script(question):
        # 那惠州呢？ is written alike in both scripts: answered in the conversation's
        plan = replace(plan, script=previous.script)
    notes = []
    if not years and (shifted := shifted_years(normalized, previous.years)):
        years = list(shifted)
        plan = replace(plan, years=shifted)
        notes.append(f"the year {shifted[0]}, counted from {previous.years[0]}")
    standalone = searched
    topic = plan.topic
    if edits and previous.cities:
        # "再加上惠州", "去掉聊城", "和聊城比呢", "without Liaocheng": the conversation's places, edited; its
        # topic unless the follow-up brings one
        kept = [c for c, kind in edits.items() if kind == "only"] or list(previous.cities)
        for city, kind in edits.items():
            if kind == "remove" and city in kept:
                kept.remove(city)
            elif kind == "add" and city not in kept:
                kept.append(city)
        own = has_own_topic(question, cities, places)
        topic = plan.topic if own else with_years(previous.topic, previous.years, years)
        standalone = f"{topic} {places_in(kept, language_of(topic)[0])}".strip()
        notes.append("places of the conversation edited: " + ", ".join(f"{k} {c}" for c, k in edits.items()))
        return replace(
            plan,
            standalone=standalone,
            cities=tuple(kept),
            years=tuple(years) or previous.years,
            followup=True,
            topic=topic,
            comparison=len(kept) > 1,
            timeline=plan.timeline or ("" if own else previous.timeline),
            notes=tuple(notes),
        )
    if not has_own_topic(question, cities, places):
        # "And Huizhou?": the previous topic, about the entities named now (and asked the same way)
        plan = replace(plan, timeline=plan.timeline or previous.timeline)
        topic = with_years(previous.topic, previous.years, years)
        standalone = (
            f"{topic} {' '.join(cities)}".strip()
            if cities
            else with_years(previous.standalone, previous.years, years)
        )
        notes.append("topic carried over from the previous question")
    elif not cities and previous.cities:
        # "他对招商有什么要求？": the entities of the conversation, the topic asked now
        standalone = (
            f"{''.join(previous.cities)} {searched}"
            if language == "zh"
            else f"{searched} ({', '.join(previous.cities)})"
        )
        notes.append("cities carried over from the previous question")
    carried_cities = tuple(cities) or previous.cities
    carried_years = tuple(years) or previous.years
    return replace(
        plan,
        standalone=standalone,
        cities=carried_cities,
        years=carried_years,
        followup=True,
        topic=topic,
        comparison=comparison or (len(carried_cities) > 1),
        notes=tuple(notes),
    )
