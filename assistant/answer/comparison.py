"""Comparisons ("比较临沂和聊城的招商引资", "compare Linyi and Liaocheng on investment"): the topic is
asked once per city, through the same stages as any question (Query, retrieval, the answer decision),
limited to that city's documents; the answer sets the cities side by side and says plainly when a
city's speeches are silent on the topic."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.answer.compose import city_notes, compose_comparison, degraded_notes, with_notes
from assistant.answer.evidence import Retrieved, bearing
from assistant.answer.quotes import cite
from assistant.answer.stopwatch import Stopwatch
from assistant.options import Options
from assistant.query import Query, QueryPlan
from assistant.records import Answer, Citation, Decision
from vectorstore.records import Filters, Hit
from vectorstore.view import IndexView

MakeQuery = Callable[[QueryPlan, IndexView, Filters], Query]  # the question stage (Assistant.query)
Retrieve = Callable[[Query, IndexView, Stopwatch], Retrieved]  # retrieval and decision (Assistant.retrieve)


def side_plan(plan: QueryPlan, city: str) -> QueryPlan:
    """The comparison's topic as a question about one city."""
    topic = plan.topic or plan.standalone
    return replace(plan, standalone=topic, topic=topic, cities=(city,), comparison=False)


def answer_comparison(
    plan: QueryPlan,
    view: IndexView,
    filters: Filters,
    watch: Stopwatch,
    make_query: MakeQuery,
    retrieve: Retrieve,
    options: Options,
) -> Answer:
    """The comparison's topic asked of each city through the stages given, the cities side by side."""
    per_city = max(3, options.top_k // len(plan.cities))
    sides = []
    for city in plan.cities:
        with watch("query"):
            # a city no document is tagged with is left to the Query, which searches the documents
            # that name it or its places (and notes so), or finds that there are none
            side_filters = replace(filters, cities=(city,)) if city in view.cities else filters
            query = make_query(side_plan(plan, city), view, side_filters)
            query = replace(query, text=f"{city} {query.text}")  # the embedders hear which city is meant
        if city not in view.cities and not query.inferred:
            sides.append(Retrieved(query, [], Decision("not_covered", 0.0, ())))  # no speeches from this city
            continue
        sides.append(retrieve(query, view, watch))
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
                    quoted = side.decision.found and rank < per_city and bears[i][rank]
                    (shown_order if quoted else rest).append((i, side.ranked[rank]))
        shown = _cite_sides(shown_order, sides, view, start=1)
        ranked = shown + _cite_sides(rest, sides, view, start=len(shown) + 1)
        rows = [
            (
                city,
                [c for (owner, _), c in zip(shown_order, shown, strict=True) if owner == i],
                city in view.cities or bool(sides[i].query.inferred),
                searched_dates(sides[i], city, view),
            )
            for i, city in enumerate(plan.cities)
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


def searched_dates(side: Retrieved, city: str, view: IndexView) -> list[str]:
    """The dates ("" when undated) of the documents searched for one side: its city's, or those found
    naming it, within the years asked about."""
    if city not in view.cities and not side.query.inferred:
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
