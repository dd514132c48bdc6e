"""Every passage that mentions a topic: a sentence that holds one form of each of the topic's key
concepts (the Query's: its own words, or an English question's translations). Exact, over the whole
allowed corpus, found through the character-bigram index (no scan of the corpus text)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answer.quotes import cite
from assistant.query import Query
from assistant.query.build import TITLE_SHARE, title_share
from assistant.records import Citation
from ingest.grammar import SENTENCE_OR_LINE_END
from vectorstore.records import Filters, Hit
from vectorstore.view import IndexView


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


_QUOTED = re.compile(r"[“「『\"]([^”」』\"]{2,24})[”」』\"]")


def topic_forms(query: Query, view: IndexView) -> tuple[tuple[str, ...], ...]:
    """The concepts a mention must hold, each as its interchangeable forms:
    - what a Chinese question puts in quotation marks, exactly as written (“互联网+”), when the corpus has it;
    - else the specific concepts when there are any (河长制), else every concept that is not an action or
      a name; not a time word (今年) unless nothing else is left, nor words of many titles ("the
      reports", 讲话);
    - concepts the question writes together stay together when the corpus writes them so (乡村振兴
      is cut 乡村|振兴, 小康社会 小康|社会: the mention holds the whole)."""
    plan = query.plan
    if plan.search_language != "en":
        quoted = [q.strip() for q in _QUOTED.findall(plan.normalized_original)]
        quoted = [q for q in quoted if q and view.occurrences(q, limit=0)]
        if quoted:
            return tuple((q,) for q in quoted)
    concepts = [c for c in query.concepts if not c.action and not c.absent]
    # a time word (今年) says which passages' time is asked about; the sentence need not write it
    concepts = [c for c in concepts if not c.when] or concepts
    specific = [c for c in concepts if c.specific]
    chosen = specific or [c for c in concepts if not c.name] or concepts
    shares = {c.forms: title_share(c.forms, view) for c in chosen}
    topical = [c for c in chosen if shares[c.forms] < TITLE_SHARE]
    if not topical and chosen:  # only words of titles: the least common of them
        topical = [c for c in chosen if shares[c.forms] == min(shares.values())]
    forms = [tuple(f for f in c.forms if f) for c in topical if c.forms]
    return (
        tuple(_written_together(forms, plan.normalized, view))
        if plan.search_language != "en"
        else tuple(forms)
    )


def _written_together(
    concepts: list[tuple[str, ...]], question: str, view: IndexView
) -> list[tuple[str, ...]]:
    """Runs of single-form concepts that the question writes as one string and the corpus uses as one
    (小康|社会 -> 小康社会), merged; with what the question writes between them when that is no key term
    (供给|结构性改革 -> 供给侧结构性改革: jieba cuts 侧 off as a word of one character)."""
    out: list[tuple[str, ...]] = []
    for forms in concepts:
        if out and len(out[-1]) == 1 and len(forms) == 1:
            joined = _as_written(out[-1][0], forms[0], question)
            if joined and view.occurrences(joined, limit=0):
                out[-1] = (joined,)
                continue
        out.append(forms)
    return out


MAX_BETWEEN = 1  # characters: a word of one character that is no key term (供给侧: 侧)


def _as_written(first: str, second: str, question: str) -> str:
    """`first` and `second` as one string of the question: side by side, or with at most
    `MAX_BETWEEN` Chinese characters between them; "" when the question does not write them so."""
    found = re.search(
        rf"{re.escape(first)}([\u4e00-\u9fff]{{0,{MAX_BETWEEN}}}?){re.escape(second)}", question
    )
    return found.group() if found else ""


def _rows_with_any(view: IndexView, forms: Iterable[str]) -> np.ndarray:
    found = [view.bigrams.candidates(f) for f in forms]
    rows = [r if r is not None else np.arange(view.size, dtype=np.int32) for r in found]
    return np.unique(np.concatenate(rows)) if rows else np.empty(0, dtype=np.int32)


def _mentions_all(text: str, concepts: tuple[tuple[str, ...], ...]) -> bool:
    """Whether one sentence of `text` holds a form of every concept."""
    if not all(any(f in text for f in forms) for forms in concepts):
        return False
    return any(
        all(any(f in sentence for f in forms) for forms in concepts)
        for sentence in SENTENCE_OR_LINE_END.split(text)
    )


def cite_mentions(
    mentions: Iterable[Mention], highlight: Sequence[str], view: IndexView, quantity: bool = False
) -> list[Citation]:
    """Citations numbered from 1 for mentions, in the order given (the quoted sentence picked by
    `highlight`)."""
    return cite(
        [Hit(view.chunks[m.chunk_id], m.score, "mentions") for m in mentions], highlight, quantity, view
    )


def find_mentions(
    query: Query,
    view: IndexView,
    filters: Filters | None = None,
    concepts: tuple[tuple[str, ...], ...] | None = None,
) -> list[Mention]:
    """Passages the filters allow (the query's own when none are given) that mention the topic (its
    `topic_forms`, or the concepts given), in document-date order (undated last)."""
    concepts = topic_forms(query, view) if concepts is None else concepts
    if not concepts:
        return []
    filters = query.filters if filters is None else filters
    rows = _rows_with_any(view, concepts[0])
    for forms in concepts[1:]:
        rows = np.intersect1d(rows, _rows_with_any(view, forms), assume_unique=True)
    allowed = view.allowed_rows(filters)
    if allowed is not None:
        rows = rows[allowed[rows]]
    held = view.chunks.many(view.bm25.ids[int(r)] for r in rows)
    chunks = [c for c in held.values() if _mentions_all(c.search_text, concepts)]
    scores = view.keyword_scores(query.terms, [c.chunk_id for c in chunks])
    out = [
        Mention(
            c.chunk_id,
            c.doc_id,
            view.metas[c.doc_id].date,
            view.metas[c.doc_id].where,
            scores.get(c.chunk_id, 0.0),
        )
        for c in chunks
    ]
    return sorted(out, key=lambda m: (not m.date, m.date, -m.score, m.chunk_id))
