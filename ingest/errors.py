"""Errors of ingestion. Each message names the file and says what is wrong; a batch records a bad
file in its report and goes on."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """Base of ingestion's errors."""


class LoadError(IngestError):
    """A file that yields no usable text. str(error) is the one line shown to the user."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class ManifestError(IngestError, ValueError):
    """A manifest that cannot be read; the message names the file and the problem."""


class MetadataError(IngestError, ValueError):
    """A value a person set for a document that cannot be right (an unknown city, an impossible date);
    the message says which and why, and nothing was changed."""
