"""Does the corpus answer the question? The evidence check behind abstention.

Two signals, either enough: an embedder's best similarity at or above the threshold calibrated for
that embedder (vectorstore.calibration), or one of the top passages (with its title and section path)
holding an IDF-weighted share of the question's key terms. A passage that lacks a *specific* term of
the question (one the corpus seldom or never uses) holds no share at all: a passage on 火星 that says
nothing of 移民 does not answer a question about 火星移民. English questions may miss one such term,
since dictionary translations miss some.
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


def weigh_evidence(query: Query, trace: RetrievalTrace, ranked: Sequence[Hit], view: IndexView,
                   calibrations: Mapping[str, Calibration], share_needed: float) -> Evidence:
    if not ranked:
        return Evidence(False, 0.0, False)
    similar = any(max((h.score for h in trace.by_retriever.get(name, [])), default=0.0) >= c.evidence_similarity
                  for name, c in calibrations.items())
    share = keyword_share(query, ranked[:TOP_PASSAGES], view)
    return Evidence(similar, share, similar or share >= share_needed)


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
        meta = view.metas.get(hit.chunk.doc_id)
        context = hit.chunk.search_text + normalize_text(f"{meta.title if meta else ''} {hit.chunk.section}")
        if sum(not any(mentions(context, w) for w in c.forms) for c in specific) > allowed_misses:
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
