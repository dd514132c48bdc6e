"""What was retrieved for a Query, ordered and split for the reader: the ranking with passages that
hold the question's names and terms first, which passages bear on the question (quoted) and which
are only possibly related. Whether the corpus answers at all is decided in assistant.answer.decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.query import Query
from assistant.records import Decision
from ingest.normalize import normalize_text
from vectorstore.hybrid import RetrievalTrace
from vectorstore.keyword import tokenize_zh
from vectorstore.records import Hit
from vectorstore.view import IndexView


@dataclass(frozen=True, slots=True)
class Retrieved:
    """What retrieval found for a Query: the ranking (diversified) and whether it answers."""

    query: Query
    ranked: list[Hit]
    decision: Decision
    unavailable: tuple[str, ...] = ()  # retrievers that could not be asked (a stopped vector store)
    trace: RetrievalTrace | None = None  # each retriever's own ranking and scores, for the search view


def specific_first(query: Query, hits: Sequence[Hit], view: IndexView) -> list[Hit]:
    """The ranking with passages holding more of the names the question spells first, then more of
    its specific terms (潼湖, 河长制), then more of its key terms (not its verbs) in their own text; in fused
    order
    otherwise. A passage that holds them together answers before one that shares only the question's
    general words, or only its document's title (the opening passage of a speech carries the title,
    which names the document, not the answer). A name counts before a translated term, which may be
    the wrong sense. For the specific terms the title counts (县长 in 县长讲话中… names the document
    whose passages answer); among passages holding as many, those of a document of the level the
    question names (县里, the county: `Query.levels`) come first."""
    if not query.concepts and not query.levels:
        return list(hits)

    def held(hit: Hit) -> tuple[int, int, int, int]:
        full, own = context(hit, view), context(hit, view, title=False)
        found = [c for c in query.specific if any(mentions(full, w) for w in c.forms)]
        in_text = sum(any(mentions(own, w) for w in c.forms) for c in query.concepts if not c.action)
        meta = view.metas.get(hit.chunk.doc_id)
        of_level = bool(meta and meta.level in query.levels)
        return -sum(c.name for c in found), -len(found), -of_level, -in_text

    keys = [held(hit) for hit in hits]
    return [hit for _, _, hit in sorted(zip(keys, range(len(hits)), hits, strict=True))]


BEARING = 0.6  # a passage holding at least this share of what the best one holds bears on the question


def bearing(query: Query, hits: Sequence[Hit], view: IndexView) -> list[bool]:
    """Which passages bear on the question, to be quoted; the others are only possibly related. The
    first always does (the decision passed on it); another must hold `BEARING` of the IDF-weighted
    share of the question's key terms (verbs aside) that the best passage holds, in its own text or
    section path, or as much as the first holds. Whether the passages answer at all is the decision's
    (assistant.answer.decision). Counting specific terms and names here as well dropped the answering
    passage from the quotes of a third of outside questions (the natural set's tuning part, when the
    decision was built)."""
    topics = query.topics
    if not topics:
        return [True] * len(hits)
    total = sum(c.weight for c in topics) or 1.0
    texts = [context(hit, view, title=False) for hit in hits]
    shares = [
        sum(c.weight for c in topics if any(mentions(text, w) for w in c.held_as)) / total for text in texts
    ]
    best = max(shares, default=0.0)
    # a passage holding as much as the first, which is always quoted, is quoted too
    enough = min(BEARING * best, shares[0]) if shares and shares[0] > 0 else BEARING * best
    return [i == 0 or best == 0.0 or share >= enough for i, share in enumerate(shares)]


def in_reading_order(hits: Sequence[Hit]) -> list[Hit]:
    """The quotes as the answer reads: grouped by document, each document where its best passage
    ranks, so that the numbers run [1] [2] [3] down the answer."""
    order = list(dict.fromkeys(hit.chunk.doc_id for hit in hits))
    return sorted(hits, key=lambda hit: order.index(hit.chunk.doc_id))


def quoted_and_related(query: Query, hits: Sequence[Hit], view: IndexView) -> tuple[list[Hit], list[Hit]]:
    """The passages to quote (those that bear on the question) and those to list beside them as
    possibly related: the others of the first `top_k`, whether or not they share a word with the
    question: a passage that answers in other words, found by the embedder, was hidden when only those
    sharing a key term were listed."""
    bears = bearing(query, hits, view)
    quoted = in_reading_order([hit for hit, b in zip(hits, bears, strict=True) if b])
    related = [hit for hit, b in zip(hits, bears, strict=True) if not b]
    return quoted, related


def context(hit: Hit, view: IndexView, title: bool = True) -> str:
    """What a passage says, with its section path (headings of speeches are summaries) and, unless
    `title` is False, its document's title (which also heads the opening section's path)."""
    meta = view.metas.get(hit.chunk.doc_id)
    doc_title = meta.title if meta else ""
    headings = " ".join(h for h in hit.chunk.heading_path if title or h != doc_title)
    return hit.chunk.search_text + normalize_text(f"{doc_title if title else ''} {headings}")


def mentions(context: str, word: str) -> bool:
    """The word, or every part of a compound (主观原因: 主观 and 原因), occurs in the context: a
    passage saying 从主观上讲 … 自身的原因 speaks of 主观原因 without writing it."""
    if word in context:
        return True
    parts = [p for p in tokenize_zh(word) if len(p) >= 2 and p != word] if len(word) >= 4 else []
    return bool(parts) and all(p in context for p in parts)
