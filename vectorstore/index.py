"""The index: the catalog, one vector collection per embedder, and the keyword index, kept consistent.

Writes go vectors first, then the catalog in one transaction, then stale vectors are removed; so the
catalog never lists a chunk whose vectors are missing, and `reconcile` removes vectors it does not list
(left by a process killed between the two steps). The keyword index is derived from the catalog.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ingest.records import Chunk, DocMeta, Document
from vectorstore.catalog import Catalog
from vectorstore.chroma_store import ChromaConfig, ChromaStore, IndexMismatchError, make_client
from vectorstore.embedders import DEFAULT_EMBEDDERS, Embedder, make_embedder
from vectorstore.keyword import BM25, tokenize_zh
from vectorstore.records import Filters, Hit

EMBED_BATCH = 16


def passage_text(chunk: Chunk, meta: DocMeta, *, with_sections: bool = True) -> str:
    """What the embedders see for a chunk: title and section path (context a bare paragraph lacks), then
    the Simplified text."""
    if not with_sections:
        return chunk.search_text
    from ingest.normalize import normalize_text

    head = normalize_text(" ".join(p for p in (meta.title[:60], " > ".join(chunk.heading_path[-2:])) if p))
    return f"{head}\n{chunk.search_text}"


def date_number(date: str) -> int:
    """YYYY-MM-DD (or a prefix) as an orderable number: 2019-12 -> 20191200; unknown -> -1."""
    digits = date.replace("-", "")
    return int(digits.ljust(8, "0")) if digits[:4].isdigit() else -1


def chroma_where(filters: Filters) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if filters.cities:
        clauses.append({"city": {"$in": list(filters.cities)}})
    if filters.doc_ids:
        clauses.append({"doc_id": {"$in": list(filters.doc_ids)}})
    if filters.date_from:
        clauses.append({"date_num": {"$gte": date_number(filters.date_from)}})
    if filters.date_to:
        clauses.append({"date_num": {"$lte": int(filters.date_to.replace("-", "").ljust(8, "9"))}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass
class EmbedTimer:
    """Time spent inside embedder calls, to set beside the whole ingestion time."""

    seconds: float = 0.0
    texts: int = 0
    chars: int = 0


@dataclass
class _Snapshot:
    """In-memory view of the catalog for searching: chunks, their documents' metadata and BM25."""

    generation: int
    chunks: dict[str, Chunk]
    metas: dict[str, DocMeta]
    bm25: BM25
    sources: dict[str, str] = field(default_factory=dict)
    joined: str | None = None


class Index:
    """Open (or create) the index under data_dir. Embedders are made on first use."""

    def __init__(
        self,
        data_dir: Path,
        embedders: Sequence[str] = DEFAULT_EMBEDDERS,
        *,
        chroma: ChromaConfig | None = None,
        with_sections: bool = True,
    ) -> None:
        self.data_dir = data_dir
        self.catalog = Catalog(data_dir / "catalog.sqlite")
        self.specs = list(embedders)
        self.with_sections = with_sections
        recorded = self.catalog.get_info("embedders")
        if recorded is None:
            self.catalog.set_info("embedders", json.dumps(self.specs))
        elif json.loads(recorded) != self.specs:
            raise IndexMismatchError(
                f"the index in {data_dir} was built with {', '.join(json.loads(recorded))}; "
                f"asked for {', '.join(self.specs)}. Use --embedder {','.join(json.loads(recorded))}, "
                "or another --data-dir for a new index."
            )
        self._chroma_config = chroma or ChromaConfig(path=data_dir / "chroma")
        self._client: Any = None
        self._embedders: list[Embedder] = []
        self._stores: list[ChromaStore] = []
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()
        self._local = threading.local()
        self._query_vectors: dict[tuple[str, str], np.ndarray] = {}
        self.timer = EmbedTimer()

    # components, made on first use --------------------------------------------------------
    @property
    def embedders(self) -> list[Embedder]:
        with self._lock:
            if not self._embedders:
                self._embedders = [make_embedder(spec) for spec in self.specs]
        return self._embedders

    def use_embedders(self, embedders: Sequence[Embedder]) -> None:
        """Hand in already-made embedders (tests, or several indexes sharing one model)."""
        if [e.name for e in embedders] != self.specs:
            raise IndexMismatchError(f"embedders {[e.name for e in embedders]} do not match {self.specs}")
        self._embedders = list(embedders)

    @property
    def stores(self) -> list[ChromaStore]:
        if not self._stores:
            if self._client is None:
                self._client = make_client(self._chroma_config)
            self._stores = [ChromaStore(self._client, e.name, e.dim) for e in self.embedders]
        return self._stores

    # writing ------------------------------------------------------------------------------
    def embed_passages(self, embedder: Embedder, texts: list[str], on_batch: Callable[[int], None] | None) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start:start + EMBED_BATCH]
            began = time.perf_counter()
            parts.append(embedder.embed_documents(batch))
            self.timer.seconds += time.perf_counter() - began
            self.timer.texts += len(batch)
            self.timer.chars += sum(map(len, batch))
            if on_batch is not None:
                on_batch(len(batch))
        return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)

    def put(self, document: Document, chunks: list[Chunk], file: str,
            on_batch: Callable[[int], None] | None = None) -> None:
        """Add or replace one document with its chunks: all of it or, on failure, none of the new state."""
        old_ids = set(self.catalog.chunk_ids(document.doc_id))
        ids = [c.chunk_id for c in chunks]
        texts = [passage_text(c, document.meta, with_sections=self.with_sections) for c in chunks]
        metadatas = [
            {"doc_id": document.doc_id, "city": document.meta.city, "date_num": date_number(document.meta.date),
             "section": c.section[:200]}
            for c in chunks
        ]
        for embedder, store in zip(self.embedders, self.stores, strict=True):
            vectors = self.embed_passages(embedder, texts, on_batch if embedder is self.embedders[0] else None)
            if ids:
                store.upsert(ids, vectors, metadatas, [c.text for c in chunks])
        self.catalog.put_document(document, file, chunks, [tokenize_zh(c.search_text) for c in chunks])
        stale = sorted(old_ids - set(ids))
        for store in self.stores:
            store.delete(stale)
        self._snapshot = None

    def remove(self, doc_id: str) -> int:
        """Delete a document and its chunks; returns how many chunks went."""
        ids = self.catalog.chunk_ids(doc_id)
        self.catalog.delete_document(doc_id)
        for store in self.stores:
            store.delete(ids)
        self._snapshot = None
        return len(ids)

    def add_embedder(self, spec: str, on_batch: Callable[[int], None] | None = None) -> int:
        """Embed every chunk with one more embedder (its own collection) and record it; the vectors of
        the embedders already there are kept. Returns how many chunks were embedded."""
        if spec in self.specs:
            return 0
        existing = self.stores  # made first, so their order stays the recorded order
        embedder = make_embedder(spec)
        store = ChromaStore(self._client, embedder.name, embedder.dim)
        metas = self.catalog.metas()
        total = 0
        for doc_id, meta in metas.items():
            chunks = [c for c, _ in self.catalog.chunks(doc_id)]
            if not chunks:
                continue
            texts = [passage_text(c, meta, with_sections=self.with_sections) for c in chunks]
            vectors = self.embed_passages(embedder, texts, on_batch)
            store.upsert([c.chunk_id for c in chunks], vectors,
                         [{"doc_id": doc_id, "city": meta.city, "date_num": date_number(meta.date), "section": c.section[:200]}
                          for c in chunks], [c.text for c in chunks])
            total += len(chunks)
        self.specs.append(embedder.name)
        self._embedders.append(embedder)
        self._stores = [*existing, store]
        self.catalog.set_info("embedders", json.dumps(self.specs))
        return total

    def reconcile(self) -> int:
        """Remove vectors that no catalog chunk owns (a run killed mid-write); returns how many."""
        wanted = set(self.catalog.chunk_ids())
        removed = 0
        for store in self.stores:
            extra = sorted(store.ids() - wanted)
            store.delete(extra)
            removed += len(extra)
        return removed

    # reading ------------------------------------------------------------------------------
    @contextmanager
    def pinned(self) -> Iterator[_Snapshot]:
        """One view of the index for a block (one question): inside it, snapshot() neither asks the
        catalog whether it changed nor changes under the caller's feet."""
        if getattr(self._local, "snapshot", None) is not None:  # already pinned by an outer block
            yield self._local.snapshot
            return
        self._local.snapshot = self.snapshot()
        try:
            yield self._local.snapshot
        finally:
            self._local.snapshot = None

    def snapshot(self) -> _Snapshot:
        """The current view; rebuilt when this or another process changed the catalog since."""
        pinned = getattr(self._local, "snapshot", None)
        if pinned is not None:
            return pinned
        generation = self.catalog.generation()
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != generation:
                rows = self.catalog.chunks()
                chunks = {c.chunk_id: c for c, _ in rows}
                self._snapshot = _Snapshot(
                    generation=generation, chunks=chunks, metas=self.catalog.metas(),
                    bm25=BM25([c.chunk_id for c, _ in rows], [t for _, t in rows]),
                    sources=self.catalog.sources(),
                )
            return self._snapshot

    def corpus_text(self) -> str:
        """Every chunk's search text in one string, for 'does the corpus mention X at all' checks."""
        snap = self.snapshot()
        if snap.joined is None:
            snap.joined = "\n".join(c.search_text for c in snap.chunks.values())
        return snap.joined

    def chunk(self, chunk_id: str) -> Chunk:
        return self.snapshot().chunks[chunk_id]

    def meta(self, doc_id: str) -> DocMeta:
        return self.snapshot().metas[doc_id]

    def document(self, doc_id: str) -> Document | None:
        return self.catalog.document(doc_id)

    def passages_with(self, word: str) -> np.ndarray:
        """Row numbers of the chunks whose tokens hold all of `word`'s (for corpus statistics)."""
        return self.snapshot().bm25.rows_with(tokenize_zh(word))

    def keyword_search(self, tokens: Sequence[str | Sequence[str]], k: int, filters: Filters = Filters()) -> list[Hit]:
        snap = self.snapshot()
        mask = None
        if not filters.empty:
            mask = np.fromiter((filters.allows(snap.chunks[i].doc_id, snap.metas[snap.chunks[i].doc_id])
                                for i in snap.bm25.ids), dtype=bool, count=len(snap.bm25.ids))
        return [Hit(snap.chunks[i], s, "bm25") for i, s in snap.bm25.search(tokens, k, mask)]

    def query_vector(self, embedder: Embedder, question: str) -> np.ndarray:
        """The question's vector; the last few are kept, since one answer asks for it more than once."""
        key = (embedder.name, question)
        with self._lock:
            if key in self._query_vectors:
                return self._query_vectors[key]
        vector = embedder.embed_query(question)
        with self._lock:
            if len(self._query_vectors) >= 64:
                self._query_vectors.pop(next(iter(self._query_vectors)))
            self._query_vectors[key] = vector
        return vector

    def dense_search(self, question: str, k: int, filters: Filters = Filters(),
                     only: Sequence[str] | None = None) -> dict[str, list[Hit]]:
        """Top k chunks for each embedder (or those named in `only`), by cosine similarity,
        filtered inside Chroma."""
        snap = self.snapshot()
        where = chroma_where(filters)
        out: dict[str, list[Hit]] = {}
        for embedder, store in zip(self.embedders, self.stores, strict=True):
            if only is not None and embedder.name not in only:
                continue
            vector = self.query_vector(embedder, question)
            hits = [Hit(snap.chunks[i], s, embedder.name) for i, s in store.query(vector, k, where) if i in snap.chunks]
            out[embedder.name] = hits
        return out

    def dense_scores(self, question: str, chunk_ids: Sequence[str], embedder_name: str) -> dict[str, float]:
        """Cosine similarity of the question to each of these chunks under one embedder: the score a
        chunk that the dense search did not rank would have had."""
        for embedder, store in zip(self.embedders, self.stores, strict=True):
            if embedder.name == embedder_name:
                query = self.query_vector(embedder, question)
                query = query / (np.linalg.norm(query) or 1.0)
                return {i: float(v @ query / (np.linalg.norm(v) or 1.0)) for i, v in store.vectors(list(chunk_ids)).items()}
        raise KeyError(embedder_name)

    def keyword_scores(self, tokens: Sequence[str | Sequence[str]], chunk_ids: Sequence[str]) -> dict[str, float]:
        """BM25 score of each of these chunks for the tokens (0 when none occurs)."""
        bm25 = self.snapshot().bm25
        scores = bm25.scores(tokens)
        return {i: float(scores[bm25.row_of[i]]) for i in chunk_ids if i in bm25.row_of}

    def cities(self) -> list[str]:
        return sorted({m.city for m in self.snapshot().metas.values() if m.city and m.city != "unknown"})
