"""Does the corpus answer the question? The evidence check behind abstention.

Two signals, either enough: an embedder's best similarity at or above the threshold calibrated for
that embedder (vectorstore.calibration), or one of the top passages (with its title and section path)
holding an IDF-weighted share of the question's key terms. A passage that lacks a *specific* term of
the question (one the corpus seldom or never uses) holds no share at all: a passage on 火星 that says
nothing of 移民 does not answer a question about 火星移民. English questions may miss one such term,
since dictionary translations miss some, but not a term the corpus never writes in any of its
translations (space tourism -> 太空游): that idea is missing from the corpus, and so is the evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.query import Query
from ingest.normalize import normalize_text
from vectorstore.calibration import Calibration
from vectorstore.hybrid import RetrievalTrace
from vectorstore.keyword import tokenize_zh
from vectorstore.records import Hit
from vectorstore.view import IndexView

TOP_PASSAGES = 3  # the passages whose terms are counted


@dataclass(frozen=True, slots=True)
class Evidence:
    similar: bool  # an embedder's best similarity reached its calibrated threshold
    share: float  # best IDF-weighted share of the key terms held by one top passage
    found: bool


@dataclass(frozen=True, slots=True)
class Retrieved:
    """What retrieval found for a Query: the ranking (diversified) and whether it answers."""

    query: Query
    ranked: list[Hit]
    evidence: Evidence
    unavailable: tuple[str, ...] = ()  # retrievers that could not be asked (a stopped vector store)
    trace: RetrievalTrace | None = None  # each retriever's own ranking and scores, for the search view


def weigh_evidence(query: Query, trace: RetrievalTrace, ranked: Sequence[Hit], view: IndexView,
                   calibrations: Mapping[str, Calibration], share_needed: float) -> Evidence:
    if not ranked:
        return Evidence(False, 0.0, False)
    similar = any(max((h.score for h in trace.by_retriever.get(name, [])), default=0.0) >= c.evidence_similarity
                  for name, c in calibrations.items())
    share = keyword_share(query, ranked[:TOP_PASSAGES], view)
    return Evidence(similar, share, similar or share >= share_needed)


def specific_first(query: Query, hits: Sequence[Hit], view: IndexView) -> list[Hit]:
    """The ranking with passages holding more of the names the question spells first, then more of
    its specific terms (潼湖, 河长制), then more of its key terms (not its verbs) in their own text; in fused order
    otherwise. A passage that holds them together answers before one that shares only the question's
    general words, or only its document's title (the opening passage of a speech carries the title,
    which names the document, not the answer). A name counts before a translated term, which may be
    the wrong sense. For the specific terms the title counts (县长 in 县长讲话中… names the document
    whose passages answer)."""
    if not query.concepts:
        return list(hits)

    def held(hit: Hit) -> tuple[int, int, int]:
        context, own = _context(hit, view), _context(hit, view, title=False)
        found = [c for c in query.specific if any(mentions(context, w) for w in c.forms)]
        in_text = sum(any(mentions(own, w) for w in c.forms) for c in query.concepts if not c.action)
        return -sum(c.name for c in found), -len(found), -in_text

    keys = [held(hit) for hit in hits]
    return [hit for _, _, hit in sorted(zip(keys, range(len(hits)), hits, strict=True))]


BEARING = 0.6  # a passage holding at least this share of what the best one holds bears on the question


def bearing(query: Query, hits: Sequence[Hit], view: IndexView) -> list[bool]:
    """Which passages bear on the question, to be quoted; the others are only possibly related. The
    first always does (the evidence check passed on it). Another must hold as many of the names the
    question spells as any passage does, as many of its specific terms (潼湖, 河长制) as the passage
    holding most of them (an English question may hold one fewer, translations being uncertain), and
    `BEARING` of the IDF-weighted share of all its
    key terms that the best passage holds: fewer right quotes beat five padded ones. The passage and
    its section path count, not its document's title, which every passage of the document shares."""
    if not query.concepts:
        return [True] * len(hits)
    total = sum(c.weight for c in query.concepts) or 1.0
    held = [[c for c in query.concepts if any(mentions(_context(hit, view, title=False), w) for w in c.forms)]
             for hit in hits]
    shares = [sum(c.weight for c in h) / total for h in held]
    specific = [sum(c.specific for c in h) for h in held]
    names = [sum(c.name for c in h) for h in held]
    best, most, named = max(shares, default=0.0), max(specific, default=0), max(names, default=0)
    slack = 1 if query.plan.search_language == "en" and most > 1 else 0
    return [i == 0 or best == 0.0 or (share >= BEARING * best and count >= most - slack and name >= named)
            for i, (share, count, name) in enumerate(zip(shares, specific, names, strict=True))]


def quoted_and_related(query: Query, hits: Sequence[Hit], view: IndexView) -> tuple[list[Hit], list[Hit]]:
    """The passages to quote (those that bear on the question) and those to list beside them as
    possibly related (the others that share a key term with it); the rest are not shown."""
    bears = bearing(query, hits, view)
    quoted = [hit for hit, b in zip(hits, bears, strict=True) if b]
    related = [hit for hit, b in zip(hits, bears, strict=True) if not b and touches(query, hit, view)]
    return quoted, related


def touches(query: Query, hit: Hit, view: IndexView) -> bool:
    """The passage holds at least one of the question's key terms (verbs aside), or the question has
    none: worth listing as possibly related."""
    topics = [c for c in query.concepts if not c.action]
    context = _context(hit, view, title=False)
    return not topics or any(mentions(context, w) for c in topics for w in c.forms)


def _context(hit: Hit, view: IndexView, title: bool = True) -> str:
    """What a passage says, with its section path (headings of speeches are summaries) and, unless
    `title` is False, its document's title (which also heads the opening section's path)."""
    meta = view.metas.get(hit.chunk.doc_id)
    doc_title = meta.title if meta else ""
    headings = " ".join(h for h in hit.chunk.heading_path if title or h != doc_title)
    return hit.chunk.search_text + normalize_text(f"{doc_title if title else ''} {headings}")


def keyword_share(query: Query, hits: Sequence[Hit], view: IndexView) -> float:
    """The best IDF-weighted share of the question's concepts that one of `hits` mentions (0 for a
    passage missing more specific concepts than allowed)."""
    concepts = query.concepts
    if not concepts:
        return 0.0
    specific = query.specific
    allowed_misses = 1 if query.plan.search_language == "en" or len(specific) > 2 else 0
    total = sum(c.weight for c in concepts) or 1.0
    best = 0.0
    for hit in hits:
        context = _context(hit, view)
        missed = [c for c in specific if not any(mentions(context, w) for w in c.forms)]
        if len(missed) > allowed_misses or any(c.absent for c in missed):
            continue
        held = sum(c.weight for c in concepts if any(mentions(context, w) for w in c.forms))
        best = max(best, held / total)
    return best


def mentions(context: str, word: str) -> bool:
    """The word, or every part of a compound (主观原因: 主观 and 原因), occurs in the context: a
    passage saying 从主观上讲 … 自身的原因 speaks of 主观原因 without writing it."""
    if word in context:
        return True
    parts = [p for p in tokenize_zh(word) if len(p) >= 2 and p != word] if len(word) >= 4 else []
    return bool(parts) and all(p in context for p in parts)
