"""The Chroma adapter: one collection per embedder, embedded (persistent folder) or a Chroma server."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from vectorstore.errors import CorruptIndex, IndexBusy, IndexMismatchError, StorageFull, VectorStoreError
from vectorstore.faults import classify

T = TypeVar("T")
READ_RETRIES = 5  # 0.05 + 0.1 + 0.2 + 0.4 s of waiting at most: a question must not hang
WRITE_RETRIES = 7  # about 3 s: a server restarting under an ingestion is waited for


@dataclass(frozen=True, slots=True)
class ChromaConfig:
    path: Path | None = None  # embedded, persistent
    host: str = ""  # a Chroma server instead, when set
    port: int = 8000

    @property
    def where(self) -> str:
        """The store's address, as messages name it."""
        return f"http://{self.host}:{self.port}" if self.host else str(self.path)


def collection_name(embedder: str) -> str:
    """A valid Chroma name for an embedder spec (paths get a short hash)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", embedder).strip("-._")[:40]
    digest = hashlib.sha1(embedder.encode()).hexdigest()[:8]
    return f"chunks-{slug}-{digest}"


_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def make_client(config: ChromaConfig) -> Any:
    """One client per store and process: Chroma's embedded system is not safe to open twice at once."""
    import chromadb
    from chromadb.config import Settings

    key = config.where
    with _CLIENTS_LOCK:
        if key in _CLIENTS:
            return _CLIENTS[key]
        settings = Settings(anonymized_telemetry=False)
        try:
            if config.host:
                client = chromadb.HttpClient(host=config.host, port=config.port, settings=settings)
            else:
                if config.path is None:
                    raise ValueError("ChromaConfig needs a path or a host")
                config.path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(config.path), settings=settings)
        except Exception as exc:
            raise _store_error(exc, config, "open") from exc
        _CLIENTS[key] = client
        return client


def _store_error(exc: Exception, config: ChromaConfig, op: str) -> Exception:
    """The index's error for a Chroma failure; an embedded store that cannot be opened is named."""
    known = classify(exc, config.where)
    if known is not None:
        return known
    if not config.host and op == "open":
        return CorruptIndex(
            f"{config.where} cannot be opened as a Chroma store ({exc.__class__.__name__}: {exc}); "
            "it was left as it is. Move it away to rebuild the vectors, or use another --data-dir"
        )
    return exc


class ChromaStore:
    """Vectors of one embedder. Metadata carries what filters need: doc_id, city, year."""

    def __init__(self, client: Any, embedder: str, dim: int, config: ChromaConfig = ChromaConfig()) -> None:
        self.embedder = embedder
        self.config = config
        self._collection = self._call(
            "collection",
            partial(
                client.get_or_create_collection,
                collection_name(embedder),
                metadata={"embedder": embedder, "dim": dim},
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            ),
            retries=READ_RETRIES,
        )
        stated = (self._collection.metadata or {}).get("embedder")
        if stated and stated != embedder:
            raise IndexMismatchError(f"collection holds vectors of '{stated}', not '{embedder}'")

    def _call(self, op: str, action: Callable[[], T], *, retries: int) -> T:
        """Run one Chroma call; a server that does not answer, or a collection another process is still
        writing ("Nothing found on disk"), is retried with a doubling pause, a bounded number of times.
        A full disk or a damaged store is reported at once; every failure leaves as the index's error."""
        for attempt in range(retries):
            try:
                return action()
            except Exception as exc:  # chromadb and its HTTP client raise many types; classified below
                known = _store_error(exc, self.config, op)
                final = (
                    isinstance(known, StorageFull | CorruptIndex | IndexMismatchError)
                    or attempt == retries - 1
                )
                if not final:
                    time.sleep(0.05 * 2**attempt)
                    continue
                if op in ("query", "read") and not isinstance(known, VectorStoreError):
                    # what Chroma says while another process writes: "Nothing found on disk", "Error finding
                    # id"
                    raise IndexBusy(
                        f"the vector index is being written by another process "
                        f"({exc.__class__.__name__}: {exc}); ask again in a moment"
                    ) from exc
                raise known from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def upsert(
        self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]], texts: list[str]
    ) -> None:
        """Idempotent, so a retried batch after a lost reply writes nothing twice."""
        for start in range(0, len(ids), 1000):
            end = start + 1000
            self._call(
                "write",
                partial(
                    self._collection.upsert,
                    ids=ids[start:end],
                    embeddings=vectors[start:end],
                    metadatas=metadatas[start:end],
                    documents=texts[start:end],
                ),
                retries=WRITE_RETRIES,
            )

    def set_metadata(self, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        """New filter metadata for stored vectors (a city or date a person corrected): no re-embedding."""
        for start in range(0, len(ids), 1000):
            end = start + 1000
            self._call(
                "write",
                partial(self._collection.update, ids=ids[start:end], metadatas=metadatas[start:end]),
                retries=WRITE_RETRIES,
            )

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 1000):
            self._call(
                "write",
                partial(self._collection.delete, ids=ids[start : start + 1000]),
                retries=WRITE_RETRIES,
            )

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            batch = self._call(
                "read",
                partial(self._collection.get, include=[], limit=5000, offset=offset),
                retries=READ_RETRIES,
            )["ids"]
            out.update(batch)
            if len(batch) < 5000:
                return out
            offset += len(batch)

    def count(self) -> int:
        return int(self._call("read", self._collection.count, retries=READ_RETRIES))

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks (those the collection has)."""
        if not ids:
            return {}
        got = self._call(
            "read", partial(self._collection.get, ids=ids, include=["embeddings"]), retries=READ_RETRIES
        )
        return {
            i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"], strict=True)
        }

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """Top k (chunk id, cosine similarity). While another process writes the collection's first
        segment, Chroma cannot open it for a moment: a reader retries over about a second, then raises
        IndexBusy; a server that does not answer raises StoreUnavailable."""
        if k <= 0:
            return []
        result = self._call(
            "query",
            partial(
                self._collection.query,
                query_embeddings=[vector],
                n_results=k,
                where=where or None,
                include=["distances"],
            ),
            retries=READ_RETRIES,
        )
        ids = result["ids"][0] if result["ids"] else []
        distances = result["distances"][0] if result.get("distances") else [1.0] * len(ids)
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=False)]
