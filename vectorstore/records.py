"""Records of the retrieval side: what a search may be limited to, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.records import Chunk, DocMeta, QualityReport


@dataclass(frozen=True, slots=True)
class Filters:
    """Limits applied inside retrieval. Empty tuples and "" mean no limit. Dates are ISO prefixes."""

    cities: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    date_from: str = ""  # inclusive, YYYY or YYYY-MM-DD
    date_to: str = ""

    @property
    def empty(self) -> bool:
        return not (self.cities or self.doc_ids or self.date_from or self.date_to)

    def allows(self, doc_id: str, meta: DocMeta) -> bool:
        if self.cities and meta.city not in self.cities and meta.where not in self.cities:
            return False
        if self.doc_ids and doc_id not in self.doc_ids:
            return False
        if self.date_from and (not meta.date or meta.date[: len(self.date_from)] < self.date_from):
            return False
        if self.date_to and (not meta.date or meta.date[: len(self.date_to)] > self.date_to):
            return False
        return True


@dataclass(frozen=True, slots=True)
class Hit:
    """A chunk found by one retriever (or by fusion), with that retriever's score."""

    chunk: Chunk
    score: float
    retriever: str


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One line of the document listing (`speechqa docs`, the UI's table): no text."""

    doc_id: str
    source: str
    meta: DocMeta
    quality: QualityReport
    chunks: int
    inferred: DocMeta | None = None  # what ingestion inferred, where a person set some fields (meta.edited)
    copy_of: str = ""  # the document this one repeats (a repost from another site)
    copies: tuple[str, ...] = ()  # the documents that repeat this one
