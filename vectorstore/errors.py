"""Errors of the index side. Messages say what to do; the edges (CLI, UI, API) turn them into a line,
a dialog or an HTTP error."""

from __future__ import annotations


class VectorStoreError(RuntimeError):
    """Base of the index side's errors."""


class EmbedderError(VectorStoreError):
    """An embedder spec that names no embedder, or a model that cannot be loaded offline."""


class IndexMismatchError(VectorStoreError):
    """The index was built with other embedders; mixing vectors of two models gives nonsense."""


class IngestBusy(VectorStoreError):
    """Another ingestion holds the index's lock (raised only when asked not to wait)."""


class IndexBusy(VectorStoreError):
    """The vector store could not be read for a moment while another process wrote it."""
