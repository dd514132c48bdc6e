"""Chunks inside sections, at paragraph and sentence boundaries; never across a section or a sentence."""

from __future__ import annotations

import hashlib
import re

from ingest.grammar import SENTENCE_END
from ingest.headings import is_article
from ingest.normalize import normalize_text
from ingest.records import Chunk, Paragraph, Section

# A sentence ends after 。！？； (and a closing quote that follows them) or a lone newline.


def sentence_spans(
    text: str, start: int, end: int, ends: re.Pattern[str] = SENTENCE_END
) -> list[tuple[int, int]]:
    """Offsets of the sentences in text[start:end] (ending at a full stop or a semicolon, or at `ends`);
    the last one runs to `end`."""
    spans = []
    pos = start
    for m in ends.finditer(text, start, end):
        spans.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return spans


def _split_overlong(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """A "sentence" longer than `limit` (a table flattened into one line, text without punctuation) is
    cut at commas, or failing those at `limit` characters: a runaway chunk helps no reader."""
    if end - start <= limit:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    pos = start
    while end - pos > limit:
        window = text[pos : pos + limit]
        cut = max(window.rfind(c) for c in "，,、 ")
        step = cut + 1 if cut > limit // 3 else limit
        out.append((pos, pos + step))
        pos += step
    out.append((pos, end))
    return out


def _pieces(text: str, para: Paragraph, max_chars: int) -> list[tuple[int, int]]:
    """A paragraph as one piece, or split at sentence ends into pieces of at most max_chars.

    A sentence longer than max_chars stays whole up to twice that; beyond, it is cut (see _split_overlong).
    """
    if para.end - para.start <= max_chars:
        return [(para.start, para.end)]
    pieces: list[tuple[int, int]] = []
    spans = [
        piece
        for s, e in sentence_spans(text, para.start, para.end)
        for piece in _split_overlong(text, s, e, 2 * max_chars)
    ]
    for s, e in spans:
        if pieces and e - pieces[-1][0] <= max_chars:
            pieces[-1] = (pieces[-1][0], e)
        else:
            pieces.append((s, e))
    return pieces


def merge_small_siblings(sections: list[Section], min_chars: int, max_chars: int) -> list[Section]:
    """Consecutive short sections under one parent (`二要…` `三要…` `四要…` of a line each) become one
    section with the parent's path: a one-line chunk is too little to retrieve or to cite well. A
    regulation's article stays a passage of its own however short, cited by its number."""
    out: list[Section] = []
    for section in sections:
        size = section.end - section.start
        prev = out[-1] if out else None
        if (
            prev is not None
            and len(section.heading_path) > 1
            and not is_article(section.heading_path[-1])
            and not is_article(prev.heading_path[-1])
            and prev.heading_path[: len(section.heading_path) - 1] == section.heading_path[:-1]
            and (size < min_chars or prev.end - prev.start < min_chars)
            and section.end - prev.start <= max_chars
        ):
            parent = (
                section.heading_path[:-1]
                if prev.heading_path != section.heading_path[:-1]
                else prev.heading_path
            )
            out[-1] = Section(
                doc_id=section.doc_id, heading_path=parent, paragraphs=prev.paragraphs + section.paragraphs
            )
        else:
            out.append(section)
    return out


def chunk_sections(
    text: str, sections: list[Section], *, doc_id: str, max_chars: int = 500, min_chars: int = 150
) -> list[Chunk]:
    """Pack each section's paragraphs (or sentence pieces of long ones) into chunks of about
    min_chars..max_chars. Chunk text is exactly text[start:end]: offsets stay exact for citations."""
    chunks: list[Chunk] = []
    for section in merge_small_siblings(sections, min_chars, max_chars):
        groups: list[list[tuple[int, int, int]]] = []  # (start, end, paragraph number)
        for para in section.paragraphs:
            for s, e in _pieces(text, para, max_chars):
                if groups and (
                    e - groups[-1][0][0] <= max_chars or groups[-1][-1][1] - groups[-1][0][0] < min_chars
                ):
                    groups[-1].append((s, e, para.number))
                else:
                    groups.append([(s, e, para.number)])
        # A short tail joins the group before it when that keeps within 1.5 x max_chars.
        if len(groups) > 1 and groups[-1][-1][1] - groups[-1][0][0] < min_chars:
            if groups[-1][-1][1] - groups[-2][0][0] <= max_chars * 1.5:
                groups[-2].extend(groups.pop())
        for group in groups:
            start, end = group[0][0], group[-1][1]
            body = text[start:end]
            paragraphs = tuple(sorted({n for _, _, n in group}))
            digest = hashlib.sha1(f"{doc_id}\x00{start}\x00{body}".encode()).hexdigest()
            chunks.append(
                Chunk(
                    chunk_id=f"{doc_id}:{len(chunks):04d}",
                    doc_id=doc_id,
                    heading_path=section.heading_path,
                    text=body,
                    search_text=normalize_text(body),
                    paragraphs=paragraphs,
                    start=start,
                    end=end,
                    content_hash=digest[:16],
                )
            )
    return chunks
