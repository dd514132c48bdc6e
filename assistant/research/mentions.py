"""Every passage that mentions a topic: a sentence that holds one form of each of the topic's key
concepts (the Query's: its own words, or an English question's translations). Exact, over the whole
allowed corpus, found through the character-bigram index (no scan of the corpus text)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from assistant.query import Query
from vectorstore.records import Filters
from vectorstore.view import IndexView

_SENTENCE_END = re.compile(r"[。！？；!?;\n]")


@dataclass(frozen=True, slots=True)
class Mention:
    """A passage that mentions the topic, with its document's date and city."""

    chunk_id: str
    doc_id: str
    date: str  # "" when the document is undated
    city: str  # where: the city, "national", the province, or ""
    score: float  # BM25 for the topic's terms: which of a document's mentions says most

    @property
    def year(self) -> str:
        return self.date[:4] if self.date[:4].isdigit() else ""


TITLE_SHARE = 0.3  # a word in this share of the titles names the kind of document (报告, 讲话), not a topic


def topic_forms(query: Query, view: IndexView) -> tuple[tuple[str, ...], ...]:
    """The concepts a mention must hold: the specific ones when the question has any (they name the
    topic: 河长制), else every concept that is not an action, a name, or a word of many titles ("the
    reports", 政府工作报告); each as its interchangeable forms."""
    titles = list(view.titles.titles.values())

    def names_documents(forms: tuple[str, ...]) -> bool:
        return len(titles) > 2 and sum(any(f in t for f in forms) for t in titles) >= TITLE_SHARE * len(titles)

    concepts = [c for c in query.concepts if not c.action and not c.absent and not names_documents(c.forms)]
    specific = [c for c in concepts if c.specific]
    chosen = specific or [c for c in concepts if not c.name] or concepts
    return tuple(tuple(f for f in c.forms if f) for c in chosen if c.forms)


def _rows_with_any(view: IndexView, forms: Iterable[str]) -> np.ndarray:
    found = [view.bigrams.candidates(f) for f in forms]
    rows = [r if r is not None else np.arange(view.size, dtype=np.int32) for r in found]
    return np.unique(np.concatenate(rows)) if rows else np.empty(0, dtype=np.int32)


def _mentions_all(text: str, concepts: tuple[tuple[str, ...], ...]) -> bool:
    """Whether one sentence of `text` holds a form of every concept."""
    if not all(any(f in text for f in forms) for forms in concepts):
        return False
    return any(all(any(f in sentence for f in forms) for forms in concepts) for sentence in _SENTENCE_END.split(text))


def find_mentions(query: Query, view: IndexView, filters: Filters | None = None) -> list[Mention]:
    """Passages the filters allow (the query's own when none are given) that mention the topic, in
    document-date order (undated last)."""
    concepts = topic_forms(query, view)
    if not concepts:
        return []
    filters = query.filters if filters is None else filters
    rows = _rows_with_any(view, concepts[0])
    for forms in concepts[1:]:
        rows = np.intersect1d(rows, _rows_with_any(view, forms), assume_unique=True)
    ids = [view.bm25.ids[r] for r in rows]
    chunks = [view.chunks[i] for i in ids if _mentions_all(view.chunks[i].search_text, concepts)
              and filters.allows(view.chunks[i].doc_id, view.metas[view.chunks[i].doc_id])]
    scores = view.keyword_scores(query.terms, [c.chunk_id for c in chunks])
    out = [Mention(c.chunk_id, c.doc_id, view.metas[c.doc_id].date, view.metas[c.doc_id].where, scores.get(c.chunk_id, 0.0))
           for c in chunks]
    return sorted(out, key=lambda m: (not m.date, m.date, -m.score, m.chunk_id))
