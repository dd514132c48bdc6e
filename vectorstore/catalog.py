"""The catalog: documents, chunks, files and index settings, in one SQLite file or on a PostgreSQL
server that several hosts share (vectorstore.database; the SQL here is the subset both speak).

It is the source of truth for what is indexed. The keyword index is built from it, and the vector
collections hold exactly the chunk ids it lists (see Index.reconcile).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ingest.metadata import apply_edits
from ingest.records import Chunk, DocMeta, Document, MojibakeSpan, Named, QualityReport
from vectorstore.database import open_database
from vectorstore.errors import CorruptIndex
from vectorstore.faults import classify
from vectorstore.records import DocumentRow

OUR_TABLES = {"info", "files", "documents", "chunks"}
CATALOG_FILE = "catalog.sqlite"  # an index folder's own catalog (without a shared PostgreSQL one)
PAIRS_KEPT = "copy_pairs_kept"  # info key: the verified pairs of all signed documents are stored

SCHEMA = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, file_hash TEXT NOT NULL, size INTEGER, mtime REAL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, file TEXT NOT NULL, source TEXT NOT NULL, content_hash TEXT NOT NULL,
    text TEXT NOT NULL, meta TEXT NOT NULL, quality TEXT NOT NULL, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS documents_file ON documents(file);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, text TEXT NOT NULL,
    search_text TEXT NOT NULL, tokens TEXT NOT NULL, heading_path TEXT NOT NULL, paragraphs TEXT NOT NULL,
    start INTEGER NOT NULL, end_ INTEGER NOT NULL, content_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS edits (doc_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, at REAL NOT
NULL,
    PRIMARY KEY (doc_id, field));
CREATE TABLE IF NOT EXISTS copies (doc_id TEXT PRIMARY KEY, original TEXT NOT NULL, similarity REAL NOT NULL);
CREATE TABLE IF NOT EXISTS signatures (doc_id TEXT PRIMARY KEY, signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS copy_pairs (a TEXT NOT NULL, b TEXT NOT NULL, share REAL NOT NULL, PRIMARY KEY (a,
b));
CREATE INDEX IF NOT EXISTS copy_pairs_b ON copy_pairs(b);
"""


def _meta_from_json(data: str) -> DocMeta:
    fields = json.loads(data)
    fields["city_evidence"] = tuple(fields.get("city_evidence", ()))
    fields["names"] = tuple(Named(**n) for n in fields.get("names", ()))
    fields["edited"] = tuple(fields.get("edited", ()))
    return DocMeta(**fields)


_CHUNK_COLUMNS = "chunk_id, doc_id, heading_path, text, search_text, paragraphs, start, end_, content_hash"


def _chunk(r: Sequence[Any]) -> Chunk:
    return Chunk(
        chunk_id=r[0],
        doc_id=r[1],
        heading_path=tuple(json.loads(r[2])),
        text=r[3],
        search_text=r[4],
        paragraphs=tuple(json.loads(r[5])),
        start=r[6],
        end=r[7],
        content_hash=r[8],
    )


def _quality_from_json(data: str) -> QualityReport:
    fields = json.loads(data)
    fields["mojibake"] = tuple(MojibakeSpan(**span) for span in fields.get("mojibake", ()))
    return QualityReport(**fields)


class Catalog:
    """Thread-compatible access to the catalog (a transaction per call site). `url`: a PostgreSQL
    server (postgresql://…) instead of the SQLite file at `path`."""

    def __init__(self, path: Path, url: str = "") -> None:
        self.path = path
        if not url:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._check_is_ours()
        self.db = open_database(path, url)
        self.where = self.db.where
        self.db.create(SCHEMA)

    def _check_is_ours(self) -> None:
        """An existing file must be a speechqa catalog: a damaged file or another program's database is
        named and left untouched (never reset, never given our tables)."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            try:
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            raise classify(exc, str(self.path)) or CorruptIndex(
                f"{self.path} cannot be read as a speechqa catalog ({exc}); it was left as it is"
            ) from exc
        if tables and not OUR_TABLES <= tables:
            raise CorruptIndex(
                f"{self.path} is another program's database (tables: {', '.join(sorted(tables)[:5])}), "
                "not a speechqa catalog; it was left as it is. Use another --data-dir"
            )

    def connect(self) -> Any:
        """A transaction that commits on success and rolls back on any error; a full disk, a damaged
        file or a server that does not answer becomes the index's error (vectorstore.faults)."""
        return self.db.transaction()

    # settings -------------------------------------------------------------------------------
    def get_info(self, key: str) -> str | None:
        with self.connect() as db:
            row = db.execute("SELECT value FROM info WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_info(self, key: str, value: str) -> None:
        with self.connect() as db:
            db.execute(
                "INSERT INTO info VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # files ----------------------------------------------------------------------------------
    def file_hash(self, path: str) -> str | None:
        with self.connect() as db:
            row = db.execute("SELECT file_hash FROM files WHERE path=?", (path,)).fetchone()
        return row[0] if row else None

    def set_file(self, path: str, file_hash: str, size: int, mtime: float) -> None:
        with self.connect() as db:
            db.execute(
                "INSERT INTO files VALUES (?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET file_hash = "
                "excluded.file_hash, "
                "size = excluded.size, mtime = excluded.mtime",
                (path, file_hash, size, mtime),
            )

    def files(self) -> list[str]:
        with self.connect() as db:
            return [r[0] for r in db.execute("SELECT path FROM files ORDER BY path")]

    def forget_file(self, path: str) -> None:
        with self.connect() as db:
            db.execute("DELETE FROM files WHERE path=?", (path,))

    # documents ------------------------------------------------------------------------------
    def doc_hashes(self, file: str) -> dict[str, str]:
        """doc_id -> content hash, for the documents that came from a file."""
        with self.connect() as db:
            return dict(db.execute("SELECT doc_id, content_hash FROM documents WHERE file=?", (file,)))

    def doc_file(self, doc_id: str) -> str | None:
        with self.connect() as db:
            row = db.execute("SELECT file FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def chunk_ids(self, doc_id: str | None = None) -> list[str]:
        with self.connect() as db:
            if doc_id is None:
                return [r[0] for r in db.execute("SELECT chunk_id FROM chunks")]
            return [r[0] for r in db.execute("SELECT chunk_id FROM chunks WHERE doc_id=?", (doc_id,))]

    def generation(self) -> int:
        """A counter bumped by every change of documents: readers in other processes compare it to
        know when their in-memory view is stale."""
        with self.connect() as db:
            row = db.execute("SELECT value FROM info WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def passages_state(self) -> str:
        """Names the passages as they are now (which chunks, which documents, which are copies), for the
        keyword index kept on disk: it changes with them, and not with a person's metadata edits. Two
        catalogs never share a name (each has its own random id)."""
        with self.connect() as db:
            rows = dict(db.execute("SELECT key, value FROM info WHERE key IN ('catalog_id', 'passages')"))
            if "catalog_id" not in rows:
                import uuid

                rows["catalog_id"] = uuid.uuid4().hex[:12]
                db.execute(
                    "INSERT INTO info VALUES ('catalog_id', ?) ON CONFLICT(key) DO NOTHING",
                    (rows["catalog_id"],),
                )
                rows = dict(db.execute("SELECT key, value FROM info WHERE key IN ('catalog_id', 'passages')"))
        return f"{rows['catalog_id']}-{rows.get('passages', '0')}"

    @staticmethod
    def _bump(db: Any, *, passages: bool = True) -> None:
        """Count a change: of anything a view shows (generation) and, unless only metadata changed, of
        the passages (the keyword index on disk is built again)."""
        for key in ("generation", "passages") if passages else ("generation",):
            db.execute(
                "INSERT INTO info VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET "
                "value = CAST(CAST(info.value AS INTEGER) + 1 AS TEXT)",
                (key,),
            )

    def put_document(
        self, document: Document, file: str, chunks: list[Chunk], tokens: list[list[str]]
    ) -> None:
        """Replace a document and all its chunks in one transaction."""
        with self.connect() as db:
            self._bump(db)
            db.execute("DELETE FROM chunks WHERE doc_id=?", (document.doc_id,))
            db.execute(
                "DELETE FROM signatures WHERE doc_id=?", (document.doc_id,)
            )  # signed again from the new text
            db.execute("DELETE FROM copy_pairs WHERE a=? OR b=?", (document.doc_id, document.doc_id))
            db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET "
                "file = excluded.file, source = excluded.source, content_hash = excluded.content_hash, text "
                "= excluded.text, "
                "meta = excluded.meta, quality = excluded.quality, updated = excluded.updated",
                (
                    document.doc_id,
                    file,
                    document.source,
                    document.content_hash,
                    document.text,
                    json.dumps(asdict(document.meta), ensure_ascii=False),
                    json.dumps(asdict(document.quality), ensure_ascii=False),
                    time.time(),
                ),
            )
            db.executemany(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.chunk_id,
                        c.doc_id,
                        k,
                        c.text,
                        c.search_text,
                        " ".join(t),
                        json.dumps(c.heading_path, ensure_ascii=False),
                        json.dumps(c.paragraphs),
                        c.start,
                        c.end,
                        c.content_hash,
                    )
                    for k, (c, t) in enumerate(zip(chunks, tokens, strict=True))
                ],
            )

    def delete_document(self, doc_id: str) -> None:
        with self.connect() as db:
            self._bump(db)
            db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
            db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
            db.execute(
                "DELETE FROM signatures WHERE doc_id=?", (doc_id,)
            )  # edits stay: the file may come back
            db.execute("DELETE FROM copy_pairs WHERE a=? OR b=?", (doc_id, doc_id))

    def document(self, doc_id: str) -> Document | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT doc_id, source, text, meta, quality, content_hash FROM documents WHERE doc_id=?",
                (doc_id,),
            ).fetchone()
        if row is None:
            return None
        meta = apply_edits(_meta_from_json(row[3]), self.edits_of(doc_id))
        return Document(
            doc_id=row[0],
            source=row[1],
            text=row[2],
            meta=meta,
            quality=_quality_from_json(row[4]),
            content_hash=row[5],
        )

    def inferred_meta(self, doc_id: str) -> DocMeta:
        """What ingestion inferred for a document, before a person's edits."""
        with self.connect() as db:
            row = db.execute("SELECT meta FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return _meta_from_json(row[0]) if row else DocMeta()

    def documents(self) -> list[DocumentRow]:
        """Every document as a listing row (no text), by doc_id: the metadata with a person's edits, the
        inferred metadata beside it, and the copies of it found elsewhere."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT d.doc_id, d.source, d.meta, d.quality, "
                "(SELECT COUNT(*) FROM chunks c WHERE c.doc_id=d.doc_id) FROM documents d ORDER BY d.doc_id"
            ).fetchall()
        edits, copies = self.edits(), self.copies()
        held: dict[str, list[str]] = {}
        for copy, original in sorted(copies.items()):
            held.setdefault(original, []).append(copy)
        out = []
        for r in rows:
            inferred = _meta_from_json(r[2])
            out.append(
                DocumentRow(
                    doc_id=r[0],
                    source=r[1],
                    meta=apply_edits(inferred, edits.get(r[0], {})),
                    quality=_quality_from_json(r[3]),
                    chunks=r[4],
                    inferred=inferred,
                    copy_of=copies.get(r[0], ""),
                    copies=tuple(held.get(r[0], ())),
                )
            )
        return out

    def sources(self) -> dict[str, str]:
        """doc_id -> where it came from (file path, with #line for JSON Lines)."""
        with self.connect() as db:
            return dict(db.execute("SELECT doc_id, source FROM documents"))

    def metas(self) -> dict[str, DocMeta]:
        """doc_id -> metadata, with the values a person set in place of the inferred ones."""
        edits = self.edits()
        with self.connect() as db:
            return {
                r[0]: apply_edits(_meta_from_json(r[1]), edits.get(r[0], {}))
                for r in db.execute("SELECT doc_id, meta FROM documents")
            }

    # a person's edits: kept apart from the inferred metadata, so re-ingestion and pruning keep them --
    def edits(self) -> dict[str, dict[str, str]]:
        """doc_id -> field -> the value a person set."""
        out: dict[str, dict[str, str]] = {}
        with self.connect() as db:
            for doc_id, field_, value in db.execute("SELECT doc_id, field, value FROM edits ORDER BY doc_id"):
                out.setdefault(doc_id, {})[field_] = value
        return out

    def edits_of(self, doc_id: str) -> dict[str, str]:
        """field -> the value a person set, for one document."""
        with self.connect() as db:
            return dict(db.execute("SELECT field, value FROM edits WHERE doc_id=?", (doc_id,)))

    def set_edits(self, doc_id: str, values: dict[str, str], clear: tuple[str, ...] = ()) -> None:
        """Store a person's values for a document and forget the cleared ones, in one transaction."""
        with self.connect() as db:
            self._bump(db, passages=False)
            db.executemany("DELETE FROM edits WHERE doc_id=? AND field=?", [(doc_id, f) for f in clear])
            db.executemany(
                "INSERT INTO edits VALUES (?, ?, ?, ?) ON CONFLICT (doc_id, field) DO UPDATE SET "
                "value = excluded.value, at = excluded.at",
                [(doc_id, f, v, time.time()) for f, v in values.items()],
            )

    # reposts: the same speech from several sites ---------------------------------------------
    def signatures(self) -> dict[str, bytes]:
        with self.connect() as db:
            return dict(db.execute("SELECT doc_id, signature FROM signatures"))

    def pairs_verified(self) -> bool:
        """Whether every signed document's pairs were verified and stored (catalogs written before
        the pairs were kept have signatures only: their first ingestion verifies them all)."""
        return self.get_info(PAIRS_KEPT) == "1"

    def copy_pairs(self) -> dict[tuple[str, str], float]:
        """(a, b) -> share of wording, for the pairs of documents verified to be one speech."""
        with self.connect() as db:
            return {(r[0], r[1]): r[2] for r in db.execute("SELECT a, b, share FROM copy_pairs")}

    def add_signed(self, signatures: dict[str, bytes], pairs: dict[tuple[str, str], float]) -> None:
        """Store new signatures with the verified pairs they take part in, in one transaction: a
        document signed is a document whose pairs are known."""
        with self.connect() as db:
            db.executemany(
                "INSERT INTO signatures VALUES (?, ?) ON CONFLICT (doc_id) DO UPDATE SET "
                "signature = excluded.signature",
                list(signatures.items()),
            )
            db.executemany(
                "INSERT INTO copy_pairs VALUES (?, ?, ?) ON CONFLICT (a, b) DO UPDATE SET share = "
                "excluded.share",
                [(a, b, share) for (a, b), share in pairs.items()],
            )
            db.execute(
                "INSERT INTO info VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (PAIRS_KEPT,),
            )

    def ingested_at(self) -> dict[str, float]:
        """doc_id -> when its current text was written (seconds since the epoch)."""
        with self.connect() as db:
            return dict(db.execute("SELECT doc_id, updated FROM documents"))

    def copies(self) -> dict[str, str]:
        """copy doc_id -> the document it repeats."""
        with self.connect() as db:
            return {r[0]: r[1] for r in db.execute("SELECT doc_id, original FROM copies")}

    def set_copies(self, links: dict[str, tuple[str, float]]) -> None:
        """Replace every copy link (copy -> (original, similarity)) in one transaction."""
        if self.copies() == {c: o for c, (o, _) in links.items()}:
            return
        with self.connect() as db:
            self._bump(db)
            db.execute("DELETE FROM copies")
            db.executemany("INSERT INTO copies VALUES (?, ?, ?)", [(c, o, s) for c, (o, s) in links.items()])

    def keyword_rows(self) -> Iterator[tuple[str, str, str, list[str]]]:
        """(chunk id, doc id, search text, tokens) of every passage of the documents that are not
        reposted copies, in passage order: what the keyword index is built from."""
        with self.connect() as db:
            cursor = db.execute(
                "SELECT chunk_id, doc_id, search_text, tokens FROM chunks "
                "WHERE doc_id NOT IN (SELECT doc_id FROM copies) ORDER BY doc_id, ord"
            )
            for chunk_id, doc_id, text, tokens in cursor:
                yield chunk_id, doc_id, text, tokens.split(" ") if tokens else []

    def doc_ids(self) -> list[str]:
        with self.connect() as db:
            return [r[0] for r in db.execute("SELECT doc_id FROM documents ORDER BY doc_id")]

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """The passages of these ids (those the catalog has)."""
        out: dict[str, Chunk] = {}
        with self.connect() as db:
            for start in range(0, len(ids), 500):
                part = list(ids[start : start + 500])
                rows = db.execute(
                    f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE chunk_id IN ({','.join('?' * len(part))})",
                    part,
                )
                out.update((r[0], _chunk(r)) for r in rows)
        return out

    def search_texts(self, ids: Sequence[str]) -> dict[str, str]:
        """The normalised texts of these passages alone (counting a phrase needs nothing else)."""
        out: dict[str, str] = {}
        with self.connect() as db:
            for start in range(0, len(ids), 500):
                part = list(ids[start : start + 500])
                out.update(
                    db.execute(
                        f"SELECT chunk_id, search_text FROM chunks WHERE chunk_id IN "
                        f"({','.join('?' * len(part))})",
                        part,
                    )
                )
        return out

    def chunks(self, doc_id: str | None = None) -> list[tuple[Chunk, list[str]]]:
        """Chunks with their keyword tokens, in document order."""
        query = f"SELECT {_CHUNK_COLUMNS}, tokens FROM chunks"
        with self.connect() as db:
            if doc_id is None:
                rows = db.execute(query + " ORDER BY doc_id, ord").fetchall()
            else:
                rows = db.execute(query + " WHERE doc_id=? ORDER BY ord", (doc_id,)).fetchall()
        return [(_chunk(r), r[9].split(" ") if r[9] else []) for r in rows]
