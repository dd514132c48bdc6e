"""Which sentence of a retrieved passage to quote: the one that best matches the question's terms
(and states an amount when one is asked for), cut at its clauses when it is overlong."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import PurePath

from assistant.records import Citation
from ingest.chunking import sentence_spans
from ingest.grammar import CLAUSE_END, QUOTE_FOLLOWS, QUOTE_SENTENCE_END
from ingest.normalize import normalize_text
from ingest.records import Chunk, DocMeta
from vectorstore.records import Hit
from vectorstore.view import IndexView

_NUMBER = re.compile(r"\d")


def _folded(text: str, search_text: str) -> Callable[[int, int], str]:
    """text[a:b] in search form. The chunk's search copy is used when it lines up with the text
    character for character (the usual case: script and width folding keep lengths), which spares
    normalising every sentence again."""
    if len(search_text) == len(text):
        return lambda a, b: search_text[a:b]
    return lambda a, b: normalize_text(text[a:b])


def _sentence_score(sentence: str, folded: str, keywords: Sequence[str], quantity: bool = False) -> float:
    score = float(sum(len(k) for k in set(keywords) if len(k) >= 2 and k in folded))
    if quantity and _NUMBER.search(sentence):
        score += 4.0  # a question about an amount is answered by the sentence that states one
    return score


def best_quote(
    hit: Hit, keywords: Sequence[str], max_sentences: int = 2, max_chars: int = 160, quantity: bool = False
) -> tuple[int, int]:
    """Offsets (within the chunk text) of the sentence(s) that best match the keywords: the best sentence,
    plus its neighbour in the same paragraph when that one matches too and the quote stays short.
    Without any match, the first sentence after the heading. A heading written in the text (a news
    report's headline, a speech's title line) is no sentence to quote: the citation names it."""
    text = hit.chunk.text
    fold = _folded(text, hit.chunk.search_text)
    headings = {h.strip() for h in hit.chunk.heading_path}
    spans = [
        (s, e)
        for s, e in sentence_spans(text, 0, len(text), QUOTE_SENTENCE_END)
        if text[s:e].strip() and text[s:e].strip() not in headings
    ]
    if not spans:
        return 0, len(text)
    scores = [_sentence_score(text[s:e], fold(s, e), keywords, quantity) for s, e in spans]
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    if scores[best] == 0:
        best = 1 if len(spans) > 1 and len(text[spans[0][0] : spans[0][1]]) < 30 else 0
    start, end = spans[best]
    if (
        max_sentences > 1
        and best + 1 < len(spans)
        and scores[best + 1] > 0
        and spans[best + 1][1] - start <= max_chars
        and "\n" not in text[start : spans[best + 1][0]]
    ):
        end = spans[best + 1][1]
    if quantity and not _NUMBER.search(text[start:end]):
        # the amount asked for often sits in the next sentence or two: quote through it
        for s, e in spans[best + 1 : best + 4]:
            if e - start > max_chars + 80 or "\n" in text[start:s]:
                break
            if _NUMBER.search(text[s:e]):
                end = e
                break
    if end - start > 2 * max_chars:
        start, end = best_clauses(text, start, end, keywords, max_chars, quantity, fold)
    while start < end and text[start] in "\n ":
        start += 1
    return start, end


def best_clauses(
    text: str,
    start: int,
    end: int,
    keywords: Sequence[str],
    max_chars: int,
    quantity: bool = False,
    fold: Callable[[int, int], str] | None = None,
) -> tuple[int, int]:
    """Within one overlong sentence (a report's 360-character opening), the best-matching clause and
    its neighbours up to `max_chars`: the part that answers, not the preamble."""
    cuts = [start] + [m.end() for m in CLAUSE_END.finditer(text, start, end)] + [end]
    clauses = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    fold = fold or (lambda a, b: normalize_text(text[a:b]))
    scores = [_sentence_score(text[a:b], fold(a, b), keywords, quantity) for a, b in clauses]
    best = max(range(len(clauses)), key=lambda i: (scores[i], -i))
    if scores[best] == 0:
        return start, end
    first = last = best
    while True:
        grow = [
            i
            for i in (last + 1, first - 1)
            if 0 <= i < len(clauses)
            and max(clauses[last][1], clauses[i][1]) - min(clauses[first][0], clauses[i][0]) <= max_chars
        ]
        if not grow:
            break
        i = max(grow, key=lambda j: scores[j])  # the neighbour that matches more, the following one on a tie
        first, last = min(first, i), max(last, i)
    return clauses[first][0], clauses[last][1]


def elided(citation: Citation) -> str:
    """The quote with … where it starts or stops inside a sentence of the passage."""
    at = citation.text.find(citation.quote)
    raw = citation.text[:at] if at > 0 else ""
    before = raw.rstrip()
    # a sentence starts after an end, or at a paragraph's start
    head = "…" if before and before[-1] not in QUOTE_FOLLOWS and "\n" not in raw[len(before) :] else ""
    tail = "…" if citation.quote and citation.quote[-1] in "，；：,;:" else ""
    return f"{head}{citation.quote.rstrip('，；：,;:')}{tail}"


def public_source(source: str, doc_id: str) -> str:
    """Where a cited document came from, as a reader may be shown it: the file's name (and its line
    in a JSON Lines file), never the server's folders; the document id when nothing is known."""
    path, _, line = source.partition("#")
    name = PurePath(path).name if path else ""
    return f"{name}#{line}" if name and line else name or doc_id


def make_citation(
    n: int, hit: Hit, meta: DocMeta, keywords: Sequence[str], quantity: bool = False, source: str = ""
) -> Citation:
    """[n] for a retrieved chunk: the sentence(s) to quote and where the chunk sits in its document."""
    start, end = best_quote(hit, keywords, quantity=quantity)
    return quoting(n, hit.chunk, meta, start, end, hit.score, source)


def cite_sentence(n: int, chunk: Chunk, view: IndexView, start: int, end: int) -> Citation:
    """[n] quoting chunk.text[start:end] (a sentence chosen by the caller: the one stating a figure)."""
    return quoting(n, chunk, view.meta(chunk.doc_id), start, end, 0.0, view.sources.get(chunk.doc_id, ""))


def quoting(n: int, chunk: Chunk, meta: DocMeta, start: int, end: int, score: float, source: str) -> Citation:
    """The citation of chunk.text[start:end]: the quote, its paragraph, and where the chunk sits."""
    start += len(chunk.text[start:end]) - len(chunk.text[start:end].lstrip())  # the quote's first character
    paragraph = chunk.paragraphs[0] + chunk.text[:start].count("\n")
    return Citation(
        n=n,
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        title=meta.title,
        source=meta.url or public_source(source, chunk.doc_id),
        city=meta.city,
        date=meta.date,
        section=chunk.section,
        paragraph=paragraph,
        text=chunk.text,
        quote=chunk.text[start:end].strip(),
        score=round(score, 5),
        start=chunk.start,
        end=chunk.end,
        level=meta.level,
        province=meta.province,
        speaker=meta.speaker,
    )


def cite(
    hits: Sequence[Hit], highlight: Sequence[str], quantity: bool, view: IndexView, start: int = 1
) -> list[Citation]:
    """Citations numbered from `start`, one per hit, in order."""
    return [
        make_citation(
            start + i,
            hit,
            view.meta(hit.chunk.doc_id),
            highlight,
            quantity,
            source=view.sources.get(hit.chunk.doc_id, ""),
        )
        for i, hit in enumerate(hits)
    ]
