"""The records that flow from a file to the index: RawDocument -> Document -> Section -> Chunk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

UNKNOWN_CITY = "unknown"  # DocMeta.city when no city could be told


@dataclass(frozen=True, slots=True)
class RawDocument:
    """Text as a loader decoded it, before cleaning. One file may yield several (JSON Lines)."""

    source: str  # the file path, with "#N" for line N of a JSON Lines file
    text: str
    fmt: str  # txt, md, html, docx, pdf, jsonl
    encoding: str  # what the bytes were decoded as ("" where the format carries its own)
    fields: dict[str, Any] = field(default_factory=dict)  # metadata the file itself states


@dataclass(frozen=True, slots=True)
class MojibakeSpan:
    """A stretch of text that a double encoding made unreadable; replaced by UNREADABLE in the text."""

    start: int  # offset of the marker in the cleaned text
    original: str


@dataclass(frozen=True, slots=True)
class QualityReport:
    """What cleaning found and did to one document; shown by `speechqa docs`."""

    dropped_lines: int = 0
    pinyin_removed: int = 0
    notices_removed: int = 0
    page_markers_joined: int = 0
    lines_rejoined: int = 0
    mojibake: tuple[MojibakeSpan, ...] = ()
    truncated: bool = False

    def warnings(self) -> list[str]:
        """Human-readable warnings, empty for a clean document."""
        out = []
        if self.mojibake:
            chars = sum(len(s.original) for s in self.mojibake)
            out.append(f"{len(self.mojibake)} unreadable spans ({chars} chars of mojibake)")
        if self.truncated:
            out.append("text is incomplete (paywall or 'not finished' notice)")
        if self.notices_removed:
            out.append(f"{self.notices_removed} site notices removed")
        return out


LEVELS = ("national", "provincial", "city", "county")  # DocMeta.level, or "" when not told


@dataclass(frozen=True, slots=True)
class Named:
    """A person or place a document names, with what shows it: a person's post (市政协主席), a place's
    city (临沂)."""

    name: str
    kind: str  # person | place
    note: str = ""


NATIONAL = "national"  # where a national document is from


def place_of(city: str, province: str, level: str) -> str:
    """Where a document is from, the one rule every view follows: its city when known; "national"
    for a national document; else its province (a provincial report, or a city's speech whose city
    could not be told but whose province could); "" when nothing is known. Readers see it through
    assistant.answer.compose.where_label, in their language and script."""
    known = "" if city == UNKNOWN_CITY else city
    if known:
        return known
    return NATIONAL if level == NATIONAL else province


@dataclass(frozen=True, slots=True)
class DocMeta:
    """What is known about a document; a manifest entry overrides any inferred field."""

    title: str = ""
    city: str = UNKNOWN_CITY
    province: str = ""
    date: str = ""  # ISO: YYYY-MM-DD, YYYY-MM or YYYY; "" when unknown
    speaker: str = ""
    city_confidence: float = 0.0
    city_evidence: tuple[str, ...] = ()
    script: str = "simplified"  # script of the original text: simplified | traditional
    url: str = ""  # where the text was published, when the file says so
    level: str = ""  # national | provincial | city | county (LEVELS), or "" when not told
    level_evidence: str = ""  # the words that showed the level (国务院, 市委书记, 全县)
    names: tuple[Named, ...] = ()  # people (speaker, attendees, reporter) and places it names
    edited: tuple[str, ...] = ()  # the fields a person set (speechqa set, the Documents tab), not inferred

    @property
    def people(self) -> tuple[Named, ...]:
        return tuple(n for n in self.names if n.kind == "person")

    @property
    def places(self) -> tuple[Named, ...]:
        return tuple(n for n in self.names if n.kind == "place")

    @property
    def known_city(self) -> str:
        """The city, or "" when it is not known."""
        return "" if self.city == UNKNOWN_CITY else self.city

    @property
    def where(self) -> str:
        """Where the document is from (`place_of`)."""
        return place_of(self.city, self.province, self.level)

    @property
    def regions(self) -> tuple[str, ...]:
        """Where the document is from, then the province that place lies in when it is a city's (临沂,
        山东省): a filter or a question naming the province takes its cities' documents too."""
        where = self.where
        return tuple(dict.fromkeys(p for p in (where, self.province if where != NATIONAL else "") if p))

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date[:4].isdigit() else None


@dataclass(frozen=True, slots=True)
class Document:
    """A cleaned document. `text` keeps the original script for display; offsets point into it."""

    doc_id: str
    source: str
    text: str
    meta: DocMeta
    quality: QualityReport
    content_hash: str  # of the raw text and stated fields: unchanged hash, nothing to redo


@dataclass(frozen=True, slots=True)
class Paragraph:
    number: int  # 1-based, in document order
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Section:
    """A run of paragraphs under one heading path."""

    doc_id: str
    heading_path: tuple[str, ...]
    paragraphs: tuple[Paragraph, ...]

    @property
    def start(self) -> int:
        return self.paragraphs[0].start

    @property
    def end(self) -> int:
        return self.paragraphs[-1].end


@dataclass(frozen=True, slots=True)
class Chunk:
    """The unit that is indexed and cited. `text` is a slice of Document.text: text == doc.text[start:end]."""

    chunk_id: str
    doc_id: str
    heading_path: tuple[str, ...]
    text: str
    search_text: str  # normalised Simplified copy used for embeddings and keywords
    paragraphs: tuple[int, ...]
    start: int
    end: int
    content_hash: str

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)
