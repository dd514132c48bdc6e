"""Passage vectors kept by (model, text): a passage embedded once is never embedded again, whether a
changed file is re-ingested, an index is rebuilt, or another index on the machine holds the same text.

The cache lives beside the catalog (data_dir/embeddings.sqlite) unless the process names one file that
all its indexes share (`SHARED`, which the edge sets from $SPEECHQA_EMBED_CACHE). It is only an
optimisation: a cache that cannot be read or written is passed over, and the vectors are computed as
if it were empty.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

SHARED: Path | None = None  # one cache file for every index of this process, when set


def cache_path(data_dir: Path) -> Path:
    return SHARED or data_dir / "embeddings.sqlite"


def _key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


class EmbeddingCache:
    """(model id, passage text) -> float32 vector, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.hits = 0
        self.misses = 0
        self._usable = True
        self._ready = False  # the file and its table exist (made on first use, once)

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        if not self._ready:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key BLOB NOT NULL, "
                "vector BLOB NOT NULL, PRIMARY KEY (model, key))"
            )
            self._ready = True
        return db

    def get(self, model: str, texts: Sequence[str], dim: int) -> dict[int, np.ndarray]:
        """Position in `texts` -> cached vector, for the texts the cache holds."""
        if not self._usable or not texts:
            return {}
        keys = [_key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        try:
            db = self._connect()
            try:
                for start in range(0, len(keys), 500):
                    part = keys[start : start + 500]
                    rows = db.execute(
                        f"SELECT key, vector FROM vectors WHERE model=? AND key IN "
                        f"({','.join('?' * len(part))})",
                        (model, *part),
                    )
                    for key, blob in rows:
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.shape == (dim,):
                            found[key] = vector
            finally:
                db.close()
        except sqlite3.Error:
            self._usable = False
            return {}
        out = {i: found[k] for i, k in enumerate(keys) if k in found}
        self.hits += len(out)
        self.misses += len(texts) - len(out)
        return out

    def put(self, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        if not self._usable or not texts:
            return
        rows = [
            (model, _key(t), np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        try:
            db = self._connect()
            try:
                with db:
                    db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            finally:
                db.close()
        except sqlite3.Error:  # a full disk or a read-only cache: go on without it
            self._usable = False
