"""Rank fusion and near-duplicate merging: pure functions over Hit lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vectorstore.records import Hit

RRF_K = 60


def reciprocal_rank_fusion(
    ranked: Mapping[str, Sequence[Hit]], weights: Mapping[str, float] | None = None, k: int = RRF_K
) -> list[Hit]:
    """Weighted RRF: score(chunk) = sum over retrievers of weight / (k + rank). Retrievers with weight 0
    are left out; ties keep the order of first appearance."""
    scores: dict[str, float] = {}
    chunks: dict[str, Hit] = {}
    for name, hits in ranked.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        if weight <= 0:
            continue
        for rank, hit in enumerate(hits, start=1):
            key = hit.chunk.chunk_id
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
            chunks.setdefault(key, hit)
    order = sorted(scores, key=lambda key: -scores[key])
    return [Hit(chunks[key].chunk, scores[key], "fused") for key in order]


def fuse_scores(
    scores: Mapping[str, Mapping[str, float]], weights: Mapping[str, float] | None = None
) -> list[tuple[str, float]]:
    """Convex combination of complete score tables (every retriever has scored every candidate): the
    weighted sum of each retriever's scores min-max normalised over the candidates. Unlike RRF it
    keeps how far ahead a passage is, and a passage one side ranks first is not sunk by a middling
    score on the other (Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval", 2023)."""
    fused: dict[str, float] = {}
    for name, table in scores.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        if weight <= 0 or not table:
            continue
        low, high = min(table.values()), max(table.values())
        for key, value in table.items():
            fused[key] = fused.get(key, 0.0) + weight * ((value - low) / (high - low) if high > low else 1.0)
    return sorted(fused.items(), key=lambda item: -item[1])


def _shingles(text: str, n: int = 3) -> set[str]:
    return {text[i : i + n] for i in range(max(1, len(text) - n + 1))}


def merge_near_duplicates(hits: Sequence[Hit], threshold: float = 0.8) -> list[Hit]:
    """Drop a hit whose text mostly repeats a better-ranked one (the same speech indexed twice,
    a report and its reprint): Jaccard similarity of character trigrams above `threshold`."""
    kept: list[tuple[Hit, set[str]]] = []
    for hit in hits:
        shingles = _shingles(hit.chunk.search_text)
        if any(_jaccard_at_least(shingles, other, threshold) for _, other in kept):
            continue
        kept.append((hit, shingles))
    return [hit for hit, _ in kept]


def _jaccard_at_least(a: set[str], b: set[str], threshold: float) -> bool:
    """|a & b| / |a | b| >= threshold. Two sets of very different sizes cannot reach it (the ratio is at
    most the smaller over the larger), which spares most pairs their intersection."""
    small, large = sorted((len(a), len(b)))
    if small < threshold * large:
        return False
    both = len(a & b)
    return both / max(1, small + large - both) >= threshold
