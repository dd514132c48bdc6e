"""The question path, stage by stage: plan -> Query -> retrieval -> decision -> quotes -> answer
(extractive, or a chat model's, checked). Each stage lives in its own module; the Assistant only runs
them in order over one view of the index and times them."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace

from assistant.answer.comparison import answer_comparison
from assistant.answer.compose import (
    city_notes,
    compose_abstention,
    compose_answer,
    compose_closest,
    compose_ledger,
    degraded_notes,
    never_written,
    phrase,
    read_as,
    related_line,
    searched,
    searched_as,
    widened_note,
    with_notes,
)
from assistant.answer.decision import DecisionModel, decide, model_for
from assistant.answer.evidence import Retrieved, quoted_and_related, specific_first
from assistant.answer.generate import ModelHealth, generate, rewrite_followup, translator
from assistant.answer.ledger import ledger
from assistant.answer.mentions import Mention, cite_mentions, find_mentions, topic_forms
from assistant.answer.quotes import cite
from assistant.answer.stopwatch import Stopwatch
from assistant.answer.timeline import compose_timeline, make_timeline, pick, topic_label
from assistant.chat_model import ChatModel
from assistant.errors import ChatModelError, EmptyQuestion, QuestionTooLong
from assistant.options import Options
from assistant.query import Query, QueryPlan, build_query, plan_query
from assistant.query.english import english_senses, spelled, verb_words
from assistant.query.places import held_places, where_label
from assistant.query.plan import plain_question
from assistant.query.scope import make_scope
from assistant.query.words import IS_COMPARISON
from assistant.records import (
    Answer,
    AnswerEvent,
    Citation,
    Done,
    LedgerRow,
    Ranked,
    RetrieverScore,
    Search,
    Sources,
)
from ingest.figures import names_a_kind, without_kind
from vectorstore.calibration import Calibration
from vectorstore.hybrid import HybridRetriever
from vectorstore.index import Index
from vectorstore.records import Filters, Hit
from vectorstore.view import IndexView

MAX_QUESTION_CHARS = 2000  # a long question is a few hundred characters; more is a pasted document


class Assistant:
    """Answers questions over one Index; `chat_model` (assistant.chat_model) writes answers when set."""

    def __init__(
        self,
        index: Index,
        *,
        options: Options = Options(),
        chat_model: ChatModel | None = None,
        calibrations: Mapping[str, Calibration] | None = None,
        decision_models: Mapping[str, DecisionModel] | None = None,
    ) -> None:
        self.index = index
        self.options = options
        self.chat_model = chat_model
        self.model_health = ModelHealth()
        self.retriever = HybridRetriever(index, fusion=options.fusion)
        # what each embedder's scores mean, read once (speechqa calibrate measures other values)
        self.calibrations = dict(calibrations or {spec: index.calibration(spec) for spec in index.specs})
        self.decision_models = (
            decision_models  # None: the fitted ones shipped in assistant/data/decision.json
        )

    def warm_up(self) -> float:
        """Load models, dictionaries and the keyword index now, not on the first question; returns seconds.
        Retrieval only: the chat model is not asked (check_model does that with one token)."""
        began = time.perf_counter()
        self.search("重点项目有什么要求？")
        self.search("What was said about investment?")
        english_senses()  # read on the first question with a word the corpus never writes
        verb_words()
        spelled("speach")  # the spelling checker and the pinyin syllables: read on the first unknown word
        return time.perf_counter() - began

    def check_model(self) -> str:
        """One 1-token request to the chat model: "" when it answers, else why it does not (also
        remembered, so that answers say it instead of asking a model that fails on every call)."""
        if self.chat_model is None:
            return ""
        try:
            self.chat_model.complete("Reply with OK.", "OK?", max_tokens=1)
        except ChatModelError as exc:
            self.model_health.record(exc)
            return str(exc)
        self.model_health.healed()
        return ""

    # stages ------------------------------------------------------------------------------------
    def understand(self, question: str, history: Sequence[str], view: IndexView | None = None) -> QueryPlan:
        """The plan: the question as typed, without markup (`plain_question`; EmptyQuestion or
        QuestionTooLong if nothing or too much is left), its language, places, years, comparison; a
        follow-up made standalone; with a view, the places as the index holds them
        (query.places.held_places). The only stage that reads the question's text."""
        question = plain_question(question)
        if not question:
            raise EmptyQuestion("empty question: type what you want to know about the speeches")
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLong(
                f"the question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
                "Ask about one thing (a pasted document can be ingested instead)"
            )
        plan = plan_query(question, history if self.options.rewrite_followups else ())
        if view is not None:
            plan = replace(
                plan,
                cities=held_places(
                    plan.cities,
                    view.cities,
                    lambda place: bool(view.documents_naming(place)),
                    by_place=view.by_place,
                ),
            )
        if self.chat_model is not None and plan.followup and self.options.rewrite_followups:
            rewritten = rewrite_followup(self.chat_model, question, history, self.model_health)
            plan = replace(plan, standalone=rewritten or plan.standalone)
        return plan

    def query(self, plan: QueryPlan, view: IndexView, filters: Filters) -> Query:
        reader, _ = model_for(self._embedders_asked(), self.decision_models)  # the decision's embedder
        return build_query(
            plan,
            view,
            filters=filters,
            options=self.options,
            calibrations=self.calibrations,
            embed=(lambda texts: self.index.embed_queries(reader, texts)) if reader else None,
            embedder=reader,
        )

    def _embedders_asked(self) -> list[str]:
        """The index's embedders the options let answer (all, unless `Options.retrievers` names some)."""
        only = self.options.retrievers
        return [e for e in self.index.specs if not only or e in only]

    def retrieve(self, query: Query, view: IndexView, watch: Stopwatch) -> Retrieved:
        """Hybrid retrieval under the query's filters (its fallback when they find nothing), the ranking
        diversified across documents, and the answer decision over it."""
        with watch("retrieve"):
            trace = self.retriever.search(
                view, query.search, k=2 * self.options.depth, filters=query.filters, fallback=query.fallback
            )
            ranked = specific_first(
                query, diversify(trace.fused, query.max_per_doc)[: self.options.depth], view
            )
        with watch("evidence"):
            decision = decide(query, trace, ranked, view, self._embedders_asked(), self.decision_models)
        return Retrieved(query, ranked, decision, tuple(trace.unavailable), trace)

    def search(
        self, question: str, k: int = 10, filters: Filters = Filters(), history: Sequence[str] = ()
    ) -> Search:
        """Retrieval alone, as the answer would run it: the Query (terms, translations, filters) and
        the ranked passages, each with every retriever's own rank and score (the Retrieval test tab,
        POST /v1/search)."""
        view = self.index.view()
        query = self.query(self.understand(question, history, view), view, filters)
        found = self.retrieve(query, view, Stopwatch())
        hits = found.ranked[:k]
        trace = found.trace
        own_ranks = {
            name: {h.chunk.chunk_id: rank for rank, h in enumerate(hits_of, start=1)}
            for name, hits_of in (trace.by_retriever.items() if trace else ())
        }
        passages = tuple(
            Ranked(
                rank,
                citation,
                hit.score,
                tuple(
                    RetrieverScore(
                        name, own_ranks[name].get(hit.chunk.chunk_id), table.get(hit.chunk.chunk_id)
                    )
                    for name, table in (trace.scores.items() if trace else ())
                ),
            )
            for rank, (hit, citation) in enumerate(
                zip(hits, cite(hits, query.highlight, query.quantity, view), strict=True), start=1
            )
        )
        return Search(query, passages, found.decision.found, tuple(found.unavailable), found.decision)

    # answering ---------------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[str] = (), filters: Filters = Filters()) -> Answer:
        """Answer a question; `history` holds the earlier questions of the conversation, oldest first.
        The whole answer is made from one view of the index."""
        final = None
        for event in self.stream(question, history, filters):
            if isinstance(event, Done):
                final = event.answer
        assert final is not None, "every stream ends with Done"
        return final

    def stream(
        self, question: str, history: Sequence[str] = (), filters: Filters = Filters()
    ) -> Iterator[AnswerEvent]:
        """The answer as it is made: Sources as soon as retrieval is done, then (with a chat model)
        Waiting, Draft and Checked while it writes, and Done with the final answer, always last.
        Bad questions raise (EmptyQuestion, QuestionTooLong) before anything is yielded. The question is
        read here, once (`understand`); every later stage reads its plan, not its text."""
        watch = Stopwatch()
        view = self.index.view()
        with watch("understand"):
            plan = self.understand(question, history, view)
        return self._stream(plan, view, filters, watch)

    def _stream(
        self, plan: QueryPlan, view: IndexView, filters: Filters, watch: Stopwatch
    ) -> Iterator[AnswerEvent]:
        if not view.size:  # nothing to search: say why, rather than "the speeches do not cover this"
            why = phrase(
                "building" if self.index.ingestion_running() else "empty_index", plan.language, plan.script
            )
            empty = Answer(
                plan.original, why, (), False, plan, notes=(why,), timings=tuple(watch.laps.items())
            )
            yield Sources(empty)
            yield Done(empty)
            return
        # places side by side, or two years (a third year named is as often one referred to, "the target
        # for 2020", as one compared: such a question searches the years' documents together)
        compared = len(plan.cities) > 1 or (len(plan.years) == 2 and not plan.timeline)
        if plan.comparison and compared and not filters.cities:
            answer = answer_comparison(plan, view, filters, watch, self.query, self.retrieve, self.options)
        elif plan.timeline:
            answer = self._timeline_answer(plan, view, filters, watch)
        elif plan.comparison and not plan.cities and len(plan.years) < 2:  # across places: 各市…分别是多少
            answer = self._across_answer(plan, view, filters, watch)
        else:
            answer = self._answer(plan, view, filters, watch)
        answer = replace(answer, timings=tuple(watch.laps.items()), scope=make_scope(plan, view, filters))
        yield Sources(answer)
        if self.chat_model is None or not answer.found:
            yield Done(answer)
            return
        began = time.perf_counter()
        for event in generate(
            self.chat_model, answer, translator(view.romanised), self.model_health, self.options.answer_tokens
        ):
            if isinstance(event, Done):
                watch.laps["generate"] = time.perf_counter() - began
                event = Done(replace(event.answer, timings=tuple(watch.laps.items())))
            yield event

    def _answer(self, plan: QueryPlan, view: IndexView, filters: Filters, watch: Stopwatch) -> Answer:
        with watch("query"):
            query = self.query(plan, view, filters)
        found = self.retrieve(query, view, watch)
        with watch("compose"):
            top = found.ranked[: self.options.top_k]
            quoted_hits, related_hits = (
                quoted_and_related(query, top, view) if found.decision.found else (top, [])
            )
            shown = quoted_hits + related_hits
            ranked = tuple(
                cite(
                    shown + [h for h in found.ranked if h not in shown], query.highlight, query.quantity, view
                )
            )
            quoted, aside = ranked[: len(quoted_hits)], ranked[len(quoted_hits) : len(shown)]
            degraded = degraded_notes(bool(found.unavailable), plan.language, plan.script)
            widened = (
                widened_note(query.filters, query.fallback, plan.language, plan.script)
                if found.trace is not None and found.trace.widened
                else ()
            )
            notes = city_notes(query, plan.language, plan.script) + widened + degraded
            decision = found.decision
            if decision.outcome == "closest":
                nearest = ranked[: self.options.top_k]
                text = with_notes(compose_closest(nearest, query, view, plan.language, plan.script), notes)
                return Answer(
                    plan.original,
                    text,
                    (),
                    False,
                    plan,
                    related=nearest,
                    ranked=ranked,
                    notes=notes,
                    outcome="closest",
                    decision=decision,
                )
            if decision.outcome == "not_covered":
                text = with_notes(
                    compose_abstention(
                        ranked[:3],
                        plan.language,
                        plan.script,
                        searched=searched(query, view, plan.language, plan.script),
                        absent=never_written(query, plan.language, plan.script),
                    ),
                    degraded,
                )
                return Answer(
                    plan.original,
                    text,
                    (),
                    False,
                    plan,
                    related=ranked[:3],
                    ranked=ranked,
                    notes=notes,
                    outcome="not_covered",
                    decision=decision,
                )
            terms = " ".join(
                line
                for line in (
                    searched_as(
                        [(plan.as_typed(t.english), t.chinese) for t in query.translations],
                        plan.language,
                        plan.script,
                    ),
                    read_as([(c.forms[0], c.readings) for c in query.concepts], plan.language, plan.script),
                )
                if line
            )
            text = with_notes(
                compose_answer(quoted, plan.language, plan.script, related=aside, terms=terms), notes
            )
            return Answer(
                plan.original,
                text,
                quoted,
                True,
                plan,
                related=aside,
                ranked=ranked,
                notes=notes,
                decision=decision,
            )

    def ledger(
        self, query: Query, view: IndexView, mentions: Sequence[Mention]
    ) -> tuple[list[Citation], list[LedgerRow]]:
        """A figure over the years: what is measured is the topic less the words that only say the
        figure is a target (城镇新增就业目标 -> 城镇新增就业, a target), whose mentions may be in another
        clause than the figure (主要预期目标是：……城镇新增就业1100万人以上)."""
        concepts = tuple(
            c for c in topic_forms(query, view) if not all(IS_COMPARISON.fullmatch(f) for f in c)
        )
        # 增长目标 measures 增长 as a target, as "growth target" does (its forms 增长目标 and 预期目标), and a
        # figure's indicator must name it; an idea whose first form names only a kind ("target": 目标,
        # 指标) is a kind, whatever its other senses name (指标, an indicator, is no figure's subject)
        kept = [
            () if names_a_kind(c[0]) else tuple(dict.fromkeys(m for f in c if (m := without_kind(f))))
            for c in concepts
        ]
        measured = tuple(c for c in kept if c)
        required = tuple(m for c, m in zip(concepts, kept, strict=True) if m and m != c)
        if measured and measured != concepts:
            mentions = find_mentions(query, view, concepts=measured)
        return ledger(mentions, measured or concepts, view, target=measured != concepts, required=required)

    def _across_answer(self, plan: QueryPlan, view: IndexView, filters: Filters, watch: Stopwatch) -> Answer:
        """A figure asked across places ("各市的投资目标分别是多少？"): a row per document that states
        one, by place; any other question across places is answered as an ordinary one."""
        if not plan.asks_amount:
            return self._answer(plan, view, filters, watch)
        with watch("query"):
            query = self.query(plan, view, filters)
        with watch("retrieve"):
            figure_citations, rows = self.ledger(query, view, find_mentions(query, view))
        if not rows:
            return self._answer(plan, view, filters, watch)
        with watch("compose"):
            order = sorted(range(len(rows)), key=lambda i: (rows[i].where, rows[i].year))
            cited = tuple(replace(figure_citations[i], n=k) for k, i in enumerate(order, start=1))
            by_place = tuple(replace(rows[i], n=k) for k, i in enumerate(order, start=1))
            forms = tuple(f[0] for f in topic_forms(query, view) if not IS_COMPARISON.fullmatch(f[0]))
            topic = topic_label(query, forms)
            text = compose_ledger(by_place, None, topic, plan.language, plan.script)
            # the places searched that state no figure named as the question names it: silence is a
            # finding, but only of those words (吉林 writes 地区生产总值增长5%左右 where 经济增长 was
            # asked), so each such place's closest passage is shown beside it, not a claim of absence
            searched = {view.metas[d].where for d in view.documents_allowed(query.filters)}
            silent = sorted(searched - {r.where for r in by_place} - {""})
            nearest: tuple[Citation, ...] = ()
            if silent:
                labels = "、".join(where_label(p, plan.language, plan.script) for p in silent)
                text += "\n\n" + phrase("ledger_without", plan.language, plan.script).format(
                    topic=topic, places=labels
                )
                nearest = self._nearest_of(query, view, silent, len(cited) + 1, watch)
            if nearest:
                text += "\n" + "\n".join(
                    [phrase("ledger_nearest", plan.language, plan.script)]
                    + [related_line(c, plan.language, plan.script) for c in nearest]
                )
            return Answer(
                plan.original,
                text,
                cited,
                True,
                plan,
                related=nearest,
                ranked=cited + nearest,
                ledger=by_place,
            )

    def _nearest_of(
        self, query: Query, view: IndexView, places: Sequence[str], start: int, watch: Stopwatch
    ) -> tuple[Citation, ...]:
        """The best passage of each place, from one retrieval of the question over those places (over
        all the places searched, a place whose passages rank below the others' would show none), in
        rank order (as many as the answer shows); numbered from `start`."""
        over = replace(query, filters=replace(query.filters, cities=tuple(places)))
        found = self.retrieve(over, view, watch)
        best: dict[str, Hit] = {}
        for hit in found.ranked:
            where = view.metas[hit.chunk.doc_id].where
            if where in places and where not in best:
                best[where] = hit
        hits = list(best.values())[: self.options.top_k]
        return tuple(cite(hits, query.highlight, query.quantity, view, start=start))

    def _timeline_answer(
        self, plan: QueryPlan, view: IndexView, filters: Filters, watch: Stopwatch
    ) -> Answer:
        """A question about time: every dated passage mentioning the topic, the first and the latest
        cited, in date order (research.timeline). A question about one document or one year ("十九大报告
        如何表述…的变化") is answered from it as any other; without a dated mention, the ordinary answer,
        saying so."""
        with watch("query"):
            query = self.query(plan, view, filters)
        named = query.documents_named
        # one document, or one year (not the year a span opens: since 2015): what it says, not when
        if (named and not view.series_of(named)) or (len(plan.years) == 1 and not any(plan.year_span)):
            return self._answer(plan, view, filters, watch)
        with watch("retrieve"):
            mentions = find_mentions(query, view)
            # the places and years named hold no document at all (a year the index lacks): the reader's
            # own filters are searched instead, and the answer says so, as retrieval does. Documents that
            # exist but never mention the topic are not widened away: that is the answer for them
            widened = (
                not mentions and query.filters != query.fallback and not view.documents_allowed(query.filters)
            )
            if widened:
                mentions = find_mentions(query, view, query.fallback)
            widened_notes = (
                widened_note(query.filters, query.fallback, plan.language, plan.script) if widened else ()
            )
        if not any(m.year for m in mentions):
            answer = self._answer(plan, view, filters, watch)
            note = phrase("no_dated", plan.language, plan.script)
            return replace(answer, text=with_notes(answer.text, (note,)), notes=(*answer.notes, note))
        with watch("compose"):
            forms = tuple(f[0] for f in topic_forms(query, view))
            searched = query.fallback if widened else query.filters
            timeline = make_timeline(plan.timeline, forms, mentions, view, view.documents_allowed(searched))
            label = topic_label(query, forms)
            if query.quantity:  # a figure over the years: a row per document, if the documents state one
                figure_citations, rows = self.ledger(query, view, mentions)
                if len(rows) >= 2:
                    text = compose_ledger(rows, timeline, label, plan.language, plan.script)
                    notes = city_notes(query, plan.language, plan.script) + widened_notes
                    cited = tuple(figure_citations)
                    return Answer(
                        plan.original,
                        with_notes(text, notes),
                        cited,
                        True,
                        plan,
                        ranked=cited,
                        notes=notes,
                        timeline=timeline,
                        ledger=tuple(rows),
                    )
            chosen = pick(mentions, self.options.top_k)  # the time answer cites these, in date order
            citations = tuple(cite_mentions(chosen, query.highlight, view, query.quantity))
            text = compose_timeline(citations, timeline, label, plan.language, plan.script)
            notes = city_notes(query, plan.language, plan.script) + widened_notes
            return Answer(
                plan.original,
                with_notes(text, notes),
                citations,
                True,
                plan,
                ranked=citations,
                notes=notes,
                timeline=timeline,
            )


def diversify(hits: Sequence[Hit], max_per_doc: int) -> list[Hit]:
    """At most max_per_doc hits from one document; later ones move to the end, not out."""
    counts: dict[str, int] = {}
    first: list[Hit] = []
    rest: list[Hit] = []
    for hit in hits:
        counts[hit.chunk.doc_id] = counts.get(hit.chunk.doc_id, 0) + 1
        (first if counts[hit.chunk.doc_id] <= max_per_doc else rest).append(hit)
    return first + rest
