"""The heading hierarchy of a Chinese speech, from cleaned text (one paragraph a line).

Speeches mix heading styles (`第一，` `一、` `（一）` `一要…` `首先，` `1.`) and nest them differently,
so levels are not fixed per style: a style seen for the first time nests under the current heading,
a style already open closes everything below it (the usual outline-stack rule). A regulation's
chapters (第二章) and articles (第十二条) are headings too; an article's items ((一) …) are its body.
"""

from __future__ import annotations

from ingest.grammar import END_WITHIN_HEADING, FIRST_SENTENCE, HEADING_TRAILING
from ingest.headings import HEADING_MAX, ITEM_STYLES, article_number, heading_style
from ingest.records import Paragraph, Section


def heading_of(paragraph: str) -> tuple[str, str] | None:
    """(style, heading text) when the paragraph opens a section, else None."""
    style = heading_style(paragraph)
    if style is None:
        return None
    if style == "article":  # cited by its number: 第十二条
        return style, article_number(paragraph)
    if len(paragraph) <= HEADING_MAX and not END_WITHIN_HEADING.search(paragraph[:-1]):
        return style, paragraph.rstrip(HEADING_TRAILING)
    m = FIRST_SENTENCE.match(paragraph)
    if m and len(m.group(1)) <= HEADING_MAX * 2:
        return style, m.group(1)
    return style, paragraph[:HEADING_MAX] + "…"


def split_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs are the lines of cleaned text, numbered from 1, with offsets into it."""
    out: list[Paragraph] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            out.append(Paragraph(number=len(out) + 1, start=pos, end=pos + len(line)))
        pos += len(line) + 1
    return out


def parse_sections(doc_id: str, text: str, *, title: str = "") -> list[Section]:
    """Group paragraphs into sections; each carries the path of headings above it.

    Paragraphs before the first heading form a section whose path is the title (or "前言").
    """
    stack: list[tuple[str, str]] = []  # (style, heading)
    sections: list[Section] = []
    current: list[Paragraph] = []
    current_path: tuple[str, ...] = ()

    def flush() -> None:
        if current:
            sections.append(
                Section(
                    doc_id=doc_id, heading_path=current_path or (title or "前言",), paragraphs=tuple(current)
                )
            )

    for para in split_paragraphs(text):
        found: tuple[str, str] | None = heading_of(text[para.start : para.end])
        if found is not None and stack and stack[-1][0] == "article" and found[0] in ITEM_STYLES:
            found = None  # an article's items stay with it
        if found:
            style, heading = found
            styles = [s for s, _ in stack]
            if style in styles:
                del stack[styles.index(style) :]
            stack.append((style, heading))
            flush()
            current = []
            current_path = tuple(h for _, h in stack)
        current.append(para)
    flush()
    return merge_heading_only(text, sections)


def merge_heading_only(text: str, sections: list[Section], min_chars: int = 60) -> list[Section]:
    """A section that is no more than its heading (`二、…` straight before `一要…`) joins the section
    after it when that one nests under it: a heading alone is nothing to cite."""
    out: list[Section] = []
    carry: tuple[Paragraph, ...] = ()
    for k, section in enumerate(sections):
        paragraphs = carry + section.paragraphs
        carry = ()
        following = sections[k + 1] if k + 1 < len(sections) else None
        size = paragraphs[-1].end - paragraphs[0].start
        if (
            following is not None
            and size < min_chars
            and following.heading_path[: len(section.heading_path)] == section.heading_path
        ):
            carry = paragraphs
            continue
        out.append(Section(doc_id=section.doc_id, heading_path=section.heading_path, paragraphs=paragraphs))
    return out
