"""Records of the retrieval side: what a search may be limited to, and what it returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ingest.records import Chunk, DocMeta, QualityReport
from vectorstore.errors import FilterError

FilterKind = Literal["any", "from", "to"]


@dataclass(frozen=True, slots=True)
class FilterField:
    """One limit a search may take, said once for every edge: how a document is checked against it, the
    API's key, the CLI's flag and the UI's control are all read from here (`FILTER_FIELDS`)."""

    name: str  # the attribute of Filters
    key: str  # the key of the API's `filters` object
    flag: str  # the CLI's flag (--flag; repeatable for "any")
    label: str  # the UI control's label
    help: str  # what it limits to, for the UI and the CLI (which adds "repeatable" for a list)
    kind: FilterKind  # "any": the document has one of the values; "from"/"to": a date bound (YYYY…)
    values: Callable[[str, DocMeta], tuple[str, ...]]  # the document's values (doc_id, meta) it reads

    def admits(self, wanted: tuple[str, ...] | str, doc_id: str, meta: DocMeta) -> bool:
        """Whether a document passes this limit set to `wanted` (empty: no limit)."""
        if not wanted:
            return True
        have = self.values(doc_id, meta)
        if self.kind == "any":
            return any(v in wanted for v in have)
        first = have[0] if have else ""
        if not first:  # a date bound never admits an undated document
            return False
        bound = str(wanted)
        return first[: len(bound)] >= bound if self.kind == "from" else first[: len(bound)] <= bound


FILTER_FIELDS: tuple[FilterField, ...] = (
    FilterField(
        "cities",
        "cities",
        "city",
        "City",
        "only speeches of this city, or of this province (its own documents and its cities')",
        "any",
        lambda doc_id, meta: meta.regions,
    ),
    FilterField(
        "doc_ids",
        "documents",
        "doc",
        "Document",
        "only this document",
        "any",
        lambda doc_id, meta: (doc_id,),
    ),
    FilterField(
        "date_from",
        "date_from",
        "date-from",
        "From",
        "only speeches dated on or after (YYYY or YYYY-MM-DD)",
        "from",
        lambda doc_id, meta: (meta.date,),
    ),
    FilterField(
        "date_to",
        "date_to",
        "date-to",
        "To",
        "only speeches dated on or before (YYYY or YYYY-MM-DD)",
        "to",
        lambda doc_id, meta: (meta.date,),
    ),
)


@dataclass(frozen=True, slots=True)
class Filters:
    """Limits applied inside retrieval, one attribute per entry of FILTER_FIELDS. Empty tuples and ""
    mean no limit. Dates are ISO prefixes. Its wire form (`to_wire`, `from_wire`) is the API's
    `filters` object; the CLI and UI build it from the same table."""

    cities: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    date_from: str = ""  # inclusive, YYYY or YYYY-MM-DD
    date_to: str = ""

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in FILTER_FIELDS)

    def allows(self, doc_id: str, meta: DocMeta) -> bool:
        return all(f.admits(getattr(self, f.name), doc_id, meta) for f in FILTER_FIELDS)

    def to_wire(self) -> dict[str, list[str] | str]:
        """The API's `filters` object: each field under its key."""
        return {
            f.key: list(getattr(self, f.name)) if f.kind == "any" else getattr(self, f.name)
            for f in FILTER_FIELDS
        }

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any] | None) -> Filters:
        """Filters from the API's `filters` object (or the CLI's flags, the UI's controls, keyed the
        same way). A list field takes a string or a list of strings; a date a string. Raises
        FilterError naming the key at fault."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise FilterError(f"filters must be an object with {', '.join(FILTER_KEYS)}", "")
        unknown = sorted(set(raw) - set(FILTER_KEYS))
        if unknown:
            raise FilterError(f"unknown filter(s) {unknown}; use {', '.join(FILTER_KEYS)}", "")
        values: dict[str, tuple[str, ...] | str] = {}
        for f in FILTER_FIELDS:
            value = raw.get(f.key) or ([] if f.kind == "any" else "")
            if f.kind == "any":
                value = [value] if isinstance(value, str) else value
                if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                    raise FilterError(f"filters.{f.key} must be a list of strings", f.key)
                values[f.name] = tuple(v.strip() for v in value if v.strip())
            else:
                if not isinstance(value, str):
                    raise FilterError(f"filters.{f.key} must be a string (YYYY or YYYY-MM-DD)", f.key)
                values[f.name] = value.strip()
        return cls(**values)  # type: ignore[arg-type]


FILTER_KEYS = tuple(f.key for f in FILTER_FIELDS)


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
