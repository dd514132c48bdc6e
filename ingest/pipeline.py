"""A RawDocument to a cleaned Document and its chunks: clean -> metadata -> sections -> chunks."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ingest.chunking import chunk_sections
from ingest.clean import clean_text
from ingest.metadata import apply_manifest, infer_meta
from ingest.records import Chunk, Document, RawDocument, Section
from ingest.sections import parse_sections

# Bump when cleaning, describing (names, places), sectioning or chunking changes what a document
# becomes: every document is then prepared again on the next ingest, even though its file did not change.
PIPELINE_VERSION = "10"


@dataclass(frozen=True, slots=True)
class Prepared:
    document: Document
    sections: list[Section]
    chunks: list[Chunk]


def doc_id_for(source: str) -> str:
    """A readable, stable id: the file's stem, plus the line number for a JSON Lines record."""
    path, _, line = source.partition("#")
    stem = re.sub(r"[^\w\-]+", "_", PurePath(path).stem).strip("_") or "doc"
    return f"{stem}-{int(line):03d}" if line.isdigit() else stem


def content_hash(raw: RawDocument, manifest_entry: dict[str, Any] | None) -> str:
    """Changes when the text, the file's fields or the manifest entry change: then re-index."""
    payload = json.dumps(
        [PIPELINE_VERSION, raw.text, raw.fields, manifest_entry or {}],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def prepare(
    raw: RawDocument,
    *,
    doc_id: str | None = None,
    manifest_entry: dict[str, Any] | None = None,
    max_chars: int = 500,
) -> Prepared:
    """Clean, describe, section and chunk one document."""
    doc_id = doc_id or doc_id_for(raw.source)
    cleaned = clean_text(raw.text)
    meta = infer_meta(raw.text, cleaned.text, raw.fields)
    if manifest_entry:
        meta = apply_manifest(meta, manifest_entry)
    document = Document(
        doc_id=doc_id,
        source=raw.source,
        text=cleaned.text,
        meta=meta,
        quality=cleaned.report,
        content_hash=content_hash(raw, manifest_entry),
    )
    sections = parse_sections(doc_id, cleaned.text, title=meta.title)
    chunks = chunk_sections(cleaned.text, sections, doc_id=doc_id, max_chars=max_chars)
    return Prepared(document=document, sections=sections, chunks=chunks)
