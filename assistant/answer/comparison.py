"""Comparisons ("比较临沂和聊城的招商引资", "compare Linyi and Liaocheng on investment"): the topic is
asked once per city, through the same stages as any question (Query, retrieval, the answer decision),
limited to that city's documents; the answer sets the cities side by side and says plainly when a
city's speeches are silent on the topic."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.answer.compose import city_notes, compose_comparison, degraded_notes, with_notes
from assistant.answer.evidence import Retrieved, bearing
from assistant.answer.mentions import find_mentions
from assistant.answer.quotes import cite
from assistant.answer.stopwatch import Stopwatch
from assistant.options import Options
from assistant.query import Query, QueryPlan
from assistant.query.places import where_label
from assistant.query.plan import without_years
from assistant.records import Answer, Citation, Decision
from assistant.wording import phrase
from vectorstore.records import Filters, Hit
from vectorstore.view import IndexView

MakeQuery = Callable[[QueryPlan, IndexView, Filters], Query]  # the question stage (Assistant.query)
Retrieve = Callable[[Query, IndexView, Stopwatch], Retrieved]  # retrieval and decision (Assistant.retrieve)


@dataclass(frozen=True, slots=True)
class Side:
    """One column of a comparison: a city, or a year of one body's documents."""

    label: str  # 临沂, or 2019
    shown: str  # how the reader is told it: Linyi (临沂), 臨沂, 2019年
    plan: QueryPlan  # the comparison's topic asked of this side alone
    filters: Filters  # this side's documents
    held: bool  # the index holds documents of this side (a city's may be inferred from the text)


def compared_sides(plan: QueryPlan, view: IndexView, filters: Filters) -> list[Side]:
    """The columns: the cities named, else the years named (2019年和2024年的报告比较)."""
    topic = plan.topic or plan.standalone
    if len(plan.cities) > 1:
        # a city no document is tagged with is left to the Query, which searches the documents that
        # name it or its places (and notes so), or finds that there are none
        return [
            Side(
                city,
                where_label(city, plan.language, plan.script),
                replace(plan, standalone=topic, topic=topic, cities=(city,), comparison=False),
                replace(filters, cities=(city,)) if view.holds(city) else filters,
                view.holds(city),
            )
            for city in plan.cities
        ]
    topic = without_years(topic)
    out = []
    for year in plan.years:
        side_filters = replace(filters, date_from=year, date_to=year)
        label = phrase("year_label", plan.language, plan.script).format(year=year)
        out.append(
            Side(
                label,
                label,
                replace(plan, standalone=topic, topic=topic, years=(year,), comparison=False),
                side_filters,
                bool(view.documents_allowed(side_filters)),
            )
        )
    return out


def answer_comparison(
    plan: QueryPlan,
    view: IndexView,
    filters: Filters,
    watch: Stopwatch,
    make_query: MakeQuery,
    retrieve: Retrieve,
    options: Options,
) -> Answer:
    """The comparison's topic asked of each side (city or year) through the stages given, side by side."""
    columns = compared_sides(plan, view, filters)
    per_city = max(3, options.top_k // len(columns))
    sides = []
    for column in columns:
        with watch("query"):
            query = make_query(column.plan, view, column.filters)
            query = replace(query, text=f"{column.label} {query.text}")  # the embedders hear which is meant
        if not column.held and not query.inferred:
            sides.append(Retrieved(query, [], Decision("not_covered", 0.0, ())))  # no documents of this side
            continue
        sides.append(mentioned(retrieve(query, view, watch), view, per_city))
    with watch("compose"):
        # numbered round robin (each city's best first), so the first citations cover every city; a
        # city whose passages fail the evidence check is silent on the topic and has none quoted, and
        # of the others only passages that bear on the topic are quoted
        shown_order: list[tuple[int, Hit]] = []
        rest: list[tuple[int, Hit]] = []
        bears = [bearing(side.query, side.ranked[:per_city], view) for side in sides]
        for rank in range(options.depth):
            for i, side in enumerate(sides):
                if rank < len(side.ranked):
                    hit = side.ranked[rank]
                    quoted = (
                        side.decision.found
                        and rank < per_city
                        and (bears[i][rank] or hit.retriever == "mentions")
                    )
                    (shown_order if quoted else rest).append((i, side.ranked[rank]))
        shown = _cite_sides(shown_order, sides, view, start=1)
        ranked = shown + _cite_sides(rest, sides, view, start=len(shown) + 1)
        rows = [
            (
                column.label,
                column.shown,
                [c for (owner, _), c in zip(shown_order, shown, strict=True) if owner == i],
                column.held or bool(sides[i].query.inferred),
                searched_dates(sides[i], column, view),
            )
            for i, column in enumerate(columns)
        ]
        table, comparison = compose_comparison(rows, plan.language, plan.script)
        found = bool(shown)
        # a city with no speeches at all says so in its own row
        notes = tuple(
            n
            for side in sides
            for n in city_notes(side.query, plan.language, plan.script, searched_all=False)
        )
        notes += degraded_notes(any(side.unavailable for side in sides), plan.language, plan.script)
        return Answer(
            plan.original,
            with_notes(table, notes),
            tuple(shown),
            found,
            plan,
            comparison=tuple(comparison),
            related=() if found else tuple(ranked[:3]),
            ranked=tuple(ranked),
            notes=notes,
        )


def mentioned(side: Retrieved, view: IndexView, per_city: int) -> Retrieved:
    """A side whose retrieved passages do not answer is silent only if none of its passages mentions
    the topic, as the Trends tab counts mentions (find_mentions): else its passages that mention it,
    best first, are quoted. The two views agree on whether a place speaks of a topic whose words the
    corpus writes."""
    if side.decision.found or any(c.absent and c.thing for c in side.query.topics):
        # answered, or the topic names a thing the corpus never writes (足球场): silent. A word it
        # never writes that says how the question asks (两边 "both sides") silences no side
        return side
    found = sorted(find_mentions(side.query, view), key=lambda m: -m.score)[:per_city]
    if not found:
        return side
    hits = [Hit(view.chunks[m.chunk_id], m.score, "mentions") for m in found]
    quoted = {m.chunk_id for m in found}
    rest = [h for h in side.ranked if h.chunk.chunk_id not in quoted]
    decision = Decision("answer", side.decision.probability, side.decision.signals)
    return replace(side, ranked=hits + rest, decision=decision)


def searched_dates(side: Retrieved, column: Side, view: IndexView) -> list[str]:
    """The dates ("" when undated) of the documents searched for one side: its city's (or those found
    naming it) or its year's, within the years asked about."""
    if not column.held and not side.query.inferred:
        return []
    return [view.metas[d].date for d in view.documents_allowed(side.query.filters)]


def _cite_sides(
    order: list[tuple[int, Hit]], sides: list[Retrieved], view: IndexView, start: int
) -> list[Citation]:
    """Citations for (side, hit) pairs, each quoted with its own side's terms."""
    out: list[Citation] = []
    for i, hit in order:
        query = sides[i].query
        out += cite([hit], query.highlight, query.quantity, view, start=start + len(out))
    return out
