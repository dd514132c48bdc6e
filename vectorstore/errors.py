"""Errors of the index side. Messages say what to do; the edges (CLI, UI, API) turn them into a line,
a dialog or an HTTP error."""

from __future__ import annotations


class VectorStoreError(RuntimeError):
    """Base of the index side's errors."""


class EmbedderError(VectorStoreError):
    """An embedder spec that names no embedder, or a model that cannot be loaded offline."""


class IndexMismatchError(VectorStoreError):
    """The index was built with other embedders; mixing vectors of two models gives nonsense."""


class BadAddress(VectorStoreError):
    """A catalog or store address that names nothing speechqa can use (--catalog mysql://…)."""


class IngestBusy(VectorStoreError):
    """Another ingestion holds the index's lock (raised only when asked not to wait)."""


class IndexBusy(VectorStoreError):
    """The vector store could not be read for a moment while another process wrote it."""


class StoreUnavailable(VectorStoreError):
    """The vector store does not answer (a Chroma server stopped or unreachable)."""


class StorageFull(VectorStoreError):
    """The disk (or a file-size limit) is full: nothing of the write that failed was recorded."""


class CorruptIndex(VectorStoreError):
    """A file in the data directory is not what the index expects (damaged, or another program's)."""


class IngestInterrupted(VectorStoreError):
    """An ingestion stopped part way; what it finished is kept and the next run resumes."""


class UnknownDocument(VectorStoreError, KeyError):
    """A document id the index does not hold."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class FilterError(VectorStoreError, ValueError):
    """A filter that cannot be read (an unknown key, a list that is not of strings); `key` names it."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key
