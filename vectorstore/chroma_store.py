"""The Chroma adapter: one collection per embedder, embedded (persistent folder) or a Chroma server."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vectorstore.errors import IndexBusy, IndexMismatchError

READ_RETRIES = 5  # 0.05 + 0.1 + 0.2 + 0.4 s of waiting at most


@dataclass(frozen=True, slots=True)
class ChromaConfig:
    path: Path | None = None  # embedded, persistent
    host: str = ""  # a Chroma server instead, when set
    port: int = 8000


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

    key = f"http://{config.host}:{config.port}" if config.host else str(config.path)
    with _CLIENTS_LOCK:
        if key in _CLIENTS:
            return _CLIENTS[key]
        settings = Settings(anonymized_telemetry=False)
        if config.host:
            client = chromadb.HttpClient(host=config.host, port=config.port, settings=settings)
        else:
            if config.path is None:
                raise ValueError("ChromaConfig needs a path or a host")
            config.path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(config.path), settings=settings)
        _CLIENTS[key] = client
        return client


class ChromaStore:
    """Vectors of one embedder. Metadata carries what filters need: doc_id, city, year."""

    def __init__(self, client: Any, embedder: str, dim: int) -> None:
        self.embedder = embedder
        self._collection = client.get_or_create_collection(
            collection_name(embedder),
            metadata={"embedder": embedder, "dim": dim},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
        stated = (self._collection.metadata or {}).get("embedder")
        if stated and stated != embedder:
            raise IndexMismatchError(f"collection holds vectors of '{stated}', not '{embedder}'")

    def upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]], texts: list[str]) -> None:
        for start in range(0, len(ids), 1000):
            end = start + 1000
            self._collection.upsert(ids=ids[start:end], embeddings=vectors[start:end],
                                    metadatas=metadatas[start:end], documents=texts[start:end])

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 1000):
            self._collection.delete(ids=ids[start:start + 1000])

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            batch = self._collection.get(include=[], limit=5000, offset=offset)["ids"]
            out.update(batch)
            if len(batch) < 5000:
                return out
            offset += len(batch)

    def count(self) -> int:
        return int(self._collection.count())

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks (those the collection has)."""
        if not ids:
            return {}
        got = self._collection.get(ids=ids, include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"], strict=True)}

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """Top k (chunk id, cosine similarity). While another process writes the collection's first
        segment, Chroma cannot open it for a moment ("Nothing found on disk"): a reader retries a few
        times over about a second, then says the index is being written."""
        if k <= 0:
            return []
        for attempt in range(READ_RETRIES):
            try:
                result = self._collection.query(query_embeddings=[vector], n_results=k, where=where or None,
                                                include=["distances"])
                break
            except Exception as exc:  # chromadb raises its InternalError; the retry is bounded
                if attempt == READ_RETRIES - 1:
                    raise IndexBusy(f"the vector index is being written by another process ({exc.__class__.__name__}); "
                                    "ask again in a moment") from exc
                time.sleep(0.05 * 2**attempt)
        ids = result["ids"][0] if result["ids"] else []
        distances = result["distances"][0] if result.get("distances") else [1.0] * len(ids)
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=False)]
