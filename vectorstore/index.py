"""The index: the catalog, one vector collection per embedder, and the keyword index, kept consistent.

Writes go vectors first, then the catalog in one transaction, then stale vectors are removed; so the
catalog never lists a chunk whose vectors are missing, and `reconcile` removes vectors it does not list
(left by a process killed between the two steps). The keyword index is derived from the catalog.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import MetadataError
from ingest.metadata import EDITABLE, apply_edits, check_edit
from ingest.records import Chunk, DocMeta, Document
from vectorstore.calibration import MEASURED, Calibration, unmeasured
from vectorstore.catalog import CATALOG_FILE, Catalog
from vectorstore.chroma_store import ChromaConfig, ChromaStore, make_client
from vectorstore.embed_cache import EmbeddingCache, cache_path
from vectorstore.embedders import DEFAULT_EMBEDDERS, Embedder, check_spec, make_embedder, model_id
from vectorstore.errors import IndexMismatchError, UnknownDocument
from vectorstore.keyword import tokenize_zh
from vectorstore.keyword_store import KeywordIndex, stored
from vectorstore.lock import ingest_lock, ingestion_running
from vectorstore.records import Filters, Hit
from vectorstore.view import ChunkTable, IndexView

EMBED_BATCH = 16
INGEST_LOCK = "speechqa ingestion"


def keyword_tokens(chunk: Chunk, meta: DocMeta, *, with_sections: bool = True) -> list[str]:
    """What BM25 indexes for a chunk: its tokens, and those of the headings above it (the headings of a
    speech summarise what follows them: 一要强化组织领导), but not of the title, which every chunk shares."""
    tokens = tokenize_zh(chunk.search_text)
    if with_sections:
        from ingest.normalize import normalize_text

        tokens += tokenize_zh(normalize_text(" ".join(h for h in chunk.heading_path if h != meta.title)))
    return tokens


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


def chroma_where(filters: Filters, exclude: Sequence[str] = ()) -> dict[str, Any] | None:
    """The filters as a Chroma `where`; `exclude`: documents never to return (reposted copies)."""
    clauses: list[dict[str, Any]] = []
    if exclude:
        clauses.append({"doc_id": {"$nin": sorted(exclude)}})
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


# candidates fetched per wanted passage, over the share the filter allows (2: 5 of 40 questions fell back at
# 1x)
OVERFETCH = 4.0
MAX_FETCH = 20000
READ_COST = 7  # reading one passage's vector by id costs about 7 results of an unfiltered query
# (16x corpus: 68 ms for 2,000 vectors read, 18.6 ms for 4,000 results)


def filtered_dense(
    store: ChromaStore, view: IndexView, vector: np.ndarray, k: int, allowed: np.ndarray | None
) -> list[tuple[str, float]]:
    """The top k passages of the view that `allowed` (per keyword row; None: all) lets through.

    Never a Chroma `where` clause on the way that matters: Chroma evaluates one over every vector's
    metadata, a cost that grows with the corpus (45 ms for one city, 144 ms for one year at 65,000
    passages: evaluation/filter_cost.py). Instead the cheaper of two ways whose cost does not grow with
    the corpus: an unfiltered query over-fetched by the share the filter allows, filtered here (leaving
    out the reposted copies, most date ranges), or the allowed passages' vectors read by id and scored
    exactly (a city, a document, a year of a large corpus). Passages not in the view (written after it
    was read) are left out."""
    rows = view.bm25.row_of
    share = 1.0 if allowed is None else float(allowed.mean())
    wanted = view.size if allowed is None else int(allowed.sum())
    fetch = math.ceil(OVERFETCH * k / share) if share > 0 else MAX_FETCH + 1
    if fetch <= MAX_FETCH and fetch <= READ_COST * wanted:
        ranked = store.query(vector, fetch, None)
        kept = [
            (i, s) for i, s in ranked if (r := rows.get(i)) is not None and (allowed is None or allowed[r])
        ]
        if len(kept) >= k or len(ranked) < fetch:
            return kept[:k]
    if allowed is None:  # the copies took the over-fetch: name them (rare; a scan of the metadata)
        return [
            (i, s)
            for i, s in store.query(vector, k, chroma_where(Filters(), tuple(view.copies)))
            if i in rows
        ]
    scored = cosines(store, vector, [view.bm25.ids[int(r)] for r in np.flatnonzero(allowed)])
    return sorted(scored.items(), key=lambda item: -item[1])[:k]


def cosines(store: ChromaStore, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
    """Cosine similarity of a query vector to the stored vectors of these passages (those the store has)."""
    query = vector / (np.linalg.norm(vector) or 1.0)
    out: dict[str, float] = {}
    for start in range(0, len(ids), 5000):
        out.update(
            (i, float(v @ query / (np.linalg.norm(v) or 1.0)))
            for i, v in store.vectors(list(ids[start : start + 5000])).items()
        )
    return out


def _vector_metadata(doc_id: str, meta: DocMeta, chunk: Chunk) -> dict[str, Any]:
    """What the vector store keeps beside a chunk's vectors, for filtering inside it."""
    return {
        "doc_id": doc_id,
        "city": meta.city,
        "date_num": date_number(meta.date),
        "section": chunk.section[:200],
    }


@dataclass
class EmbedTimer:
    """Time spent inside embedder calls, to set beside the whole ingestion time."""

    seconds: float = 0.0
    texts: int = 0
    chars: int = 0


class Index:
    """Open (or create) the index under data_dir. Embedders are made on first use."""

    def __init__(
        self,
        data_dir: Path,
        embedders: Sequence[str] | None = None,
        *,
        chroma: ChromaConfig | None = None,
        with_sections: bool = True,
        catalog_url: str = "",
    ) -> None:
        """`embedders`: the specs to build a new index with, or to check an existing one against;
        None means the ones the index was built with (DEFAULT_EMBEDDERS for a new one). `catalog_url`:
        a PostgreSQL catalog that several hosts share, instead of data_dir/catalog.sqlite (data_dir then
        holds only this host's keyword index, embedding cache and lock)."""
        asked = (
            [check_spec(spec) for spec in embedders] if embedders is not None else None
        )  # before any write
        self.data_dir = data_dir
        self.catalog = Catalog(data_dir / CATALOG_FILE, catalog_url)
        self.with_sections = with_sections
        recorded = self.catalog.get_info("embedders")
        self.specs = asked or (json.loads(recorded) if recorded else list(DEFAULT_EMBEDDERS))
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
        self._view: IndexView | None = None
        self._lock = threading.Lock()
        self.timer = EmbedTimer()
        self.cache = EmbeddingCache(cache_path(data_dir))

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
            self._stores = [
                ChromaStore(self._client, e.name, e.dim, self._chroma_config) for e in self.embedders
            ]
        return self._stores

    # writing ------------------------------------------------------------------------------
    def embed_passages(
        self, embedder: Embedder, texts: list[str], on_batch: Callable[[int], None] | None
    ) -> np.ndarray:
        """Vectors of passages: from the embedding cache where it has them, computed (and cached)
        otherwise."""
        out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
        model = model_id(embedder.name)
        cached = self.cache.get(model, texts, embedder.dim)
        for i, vector in cached.items():
            out[i] = vector
        if cached and on_batch is not None:
            on_batch(len(cached))
        todo = [i for i in range(len(texts)) if i not in cached]
        for start in range(0, len(todo), EMBED_BATCH):
            rows = todo[start : start + EMBED_BATCH]
            batch = [texts[i] for i in rows]
            began = time.perf_counter()
            vectors = embedder.embed_documents(batch)
            self.timer.seconds += time.perf_counter() - began
            self.timer.texts += len(batch)
            self.timer.chars += sum(map(len, batch))
            out[rows] = vectors
            self.cache.put(model, batch, vectors)
            if on_batch is not None:
                on_batch(len(batch))
        return out

    def put(
        self,
        document: Document,
        chunks: list[Chunk],
        file: str,
        on_batch: Callable[[int], None] | None = None,
        tokens: Sequence[list[str]] | None = None,
    ) -> None:
        """Add or replace one document with its chunks: all of it or, on failure, none of the new state.
        `tokens`: the chunks' keyword_tokens when they were computed already (by an ingestion worker)."""
        old_ids = set(self.catalog.chunk_ids(document.doc_id))
        ids = [c.chunk_id for c in chunks]
        texts = [passage_text(c, document.meta, with_sections=self.with_sections) for c in chunks]
        filed = apply_edits(document.meta, self.catalog.edits_of(document.doc_id))  # a person's edits stay
        metadatas = [_vector_metadata(document.doc_id, filed, c) for c in chunks]
        for embedder, store in zip(self.embedders, self.stores, strict=True):
            vectors = self.embed_passages(
                embedder, texts, on_batch if embedder is self.embedders[0] else None
            )
            if ids:
                store.upsert(ids, vectors, metadatas, [c.text for c in chunks])
        if tokens is None:
            tokens = [keyword_tokens(c, document.meta, with_sections=self.with_sections) for c in chunks]
        self.catalog.put_document(document, file, chunks, list(tokens))
        stale = sorted(old_ids - set(ids))
        for store in self.stores:
            store.delete(stale)
        self._view = None

    def edit(self, doc_id: str, values: dict[str, str], clear: Sequence[str] = ()) -> DocMeta:
        """Set fields of a document's metadata (title, city, date, speaker) over what ingestion inferred,
        or clear them back to the inferred values. Every value is checked first (MetadataError, nothing
        changed); the vectors' filter metadata is updated in place (no re-embedding), then the catalog.
        The edits outlive re-ingestion and pruning. Returns the metadata as it now is."""
        document = self.catalog.document(doc_id)
        if document is None:
            raise UnknownDocument(f"no document '{doc_id}' in the index (speechqa docs lists them)")
        checked = {field: check_edit(field, value) for field, value in values.items()}
        unknown = [field for field in clear if field not in EDITABLE]
        if unknown:
            raise MetadataError(f"'{unknown[0]}' cannot be cleared; the fields are {', '.join(EDITABLE)}")
        kept = {f: v for f, v in self.catalog.edits_of(doc_id).items() if f not in clear}
        inferred = self.catalog.inferred_meta(doc_id)
        after = apply_edits(inferred, {**kept, **checked})
        chunks = [c for c, _ in self.catalog.chunks(doc_id)]
        for store in self.stores:
            store.set_metadata(
                [c.chunk_id for c in chunks], [_vector_metadata(doc_id, after, c) for c in chunks]
            )
        self.catalog.set_edits(doc_id, checked, tuple(clear))
        self._view = None
        return after

    def remove(self, doc_id: str) -> int:
        """Delete a document and its chunks; returns how many chunks went."""
        ids = self.catalog.chunk_ids(doc_id)
        self.catalog.delete_document(doc_id)
        for store in self.stores:
            store.delete(ids)
        self._view = None
        return len(ids)

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
    def view(self) -> IndexView:
        """The current view for searching; rebuilt when this or another process changed the catalog.
        A question reads one view from start to end, so an answer never mixes two states."""
        generation = self.catalog.generation()
        with self._lock:
            if self._view is None or self._view.generation != generation:
                state = self.catalog.passages_state()
                keyword = stored(
                    self.data_dir,
                    state,
                    lambda: KeywordIndex.build(self.catalog.keyword_rows(), self.catalog.doc_ids()),
                )
                self._view = IndexView.assemble(
                    generation,
                    keyword,
                    ChunkTable(
                        keyword.bm25.row_of, self.catalog.chunks_by_id, texts=self.catalog.search_texts
                    ),
                    self.catalog.metas(),
                    self.catalog.sources(),
                    self.catalog.copies(),
                )
            return self._view

    def ingestion_running(self) -> bool:
        """Whether an ingestion (in any process, of any host sharing the catalog) is writing this index
        now."""
        shared = self.catalog.db.busy(INGEST_LOCK)
        return ingestion_running(self.data_dir) if shared is None else shared

    @contextmanager
    def ingesting(self, *, wait: bool = True, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """One ingestion at a time: this data directory's file lock, and the shared catalog's lock when
        the catalog is on a server (IngestBusy with wait=False when another holds either)."""
        with ingest_lock(self.data_dir, wait=wait, on_wait=on_wait):
            shared = self.catalog.db.exclusive(INGEST_LOCK, wait=wait, on_wait=on_wait)
            if shared is None:
                yield
            else:
                with shared:
                    yield

    def document(self, doc_id: str) -> Document | None:
        return self.catalog.document(doc_id)

    def cities(self) -> list[str]:
        return list(self.view().cities)

    def calibration(self, embedder: str) -> Calibration:
        """The constants of one embedder: this index's own calibration if it has one, else the measured
        table's, else the cautious fallback (vectorstore.calibration)."""
        stored = self.catalog.get_info(f"calibration:{embedder}")
        if stored:
            return Calibration.from_json(stored)
        model = model_id(embedder)
        return MEASURED.get(model) or unmeasured(model)

    def set_calibration(self, embedder: str, calibration: Calibration) -> None:
        if embedder not in self.specs:
            raise IndexMismatchError(f"{embedder} is not an embedder of this index ({', '.join(self.specs)})")
        self.catalog.set_info(f"calibration:{embedder}", calibration.to_json())

    def embed_query(self, embedder_name: str, text: str) -> np.ndarray:
        return self._embedder(embedder_name)[0].embed_query(text)

    def embed_queries(self, embedder_name: str, texts: Sequence[str]) -> np.ndarray:
        return self._embedder(embedder_name)[0].embed_queries(texts)

    def _embedder(self, name: str) -> tuple[Embedder, ChromaStore]:
        for embedder, store in zip(self.embedders, self.stores, strict=True):
            if embedder.name == name:
                return embedder, store
        raise KeyError(name)

    def dense_search_vector(
        self, view: IndexView, embedder_name: str, vector: np.ndarray, k: int, filters: Filters = Filters()
    ) -> list[Hit]:
        """Top k chunks of the view by cosine similarity to a query vector, filtered inside Chroma."""
        if not view.size:  # nothing indexed in this view (a first ingestion may be writing vectors)
            return []
        _, store = self._embedder(embedder_name)
        ranked = filtered_dense(store, view, vector, k, view.allowed_rows(filters))
        chunks = view.chunks.many(i for i, _ in ranked)
        return [Hit(chunks[i], s, embedder_name) for i, s in ranked if i in chunks]

    def dense_search(self, question: str, k: int, filters: Filters = Filters()) -> dict[str, list[Hit]]:
        """Top k chunks for each embedder by cosine similarity (embeds the question once per embedder)."""
        view = self.view()
        return {
            e.name: self.dense_search_vector(view, e.name, e.embed_query(question), k, filters)
            for e in self.embedders
        }

    def dense_scores(
        self, embedder_name: str, vector: np.ndarray, chunk_ids: Sequence[str]
    ) -> dict[str, float]:
        """Cosine similarity of a query vector to each of these chunks under one embedder: the score a
        chunk that the dense search did not rank would have had."""
        _, store = self._embedder(embedder_name)
        return cosines(store, vector, chunk_ids)

    def keyword_search(
        self, tokens: Sequence[str | Sequence[str]], k: int, filters: Filters = Filters()
    ) -> list[Hit]:
        return self.view().keyword_search(tokens, k, filters)
