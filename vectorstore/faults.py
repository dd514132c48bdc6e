"""What went wrong underneath, in the index's own terms: an exception from SQLite, the file system,
Chroma or its HTTP client becomes StorageFull, StoreUnavailable or CorruptIndex with a message that
names the place and says what to do; anything else is left as it is."""

from __future__ import annotations

import errno

from vectorstore.errors import CorruptIndex, StorageFull, StoreUnavailable, VectorStoreError

_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_FULL_WORDS = (
    "database or disk is full",
    "no space left on device",
    "file too large",
    "disk quota exceeded",
    "disk is full",
)
_UNREACHABLE_WORDS = (
    "connection refused",
    "could not connect",
    "connecterror",
    "connection reset",
    "remote end closed",
    "server disconnected",
    "failed to establish",
    "connection aborted",
)
_CORRUPT_WORDS = ("file is not a database", "database disk image is malformed", "not a database")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _says(exc: BaseException, words: tuple[str, ...]) -> bool:
    return any(any(w in f"{e.__class__.__name__} {e}".lower() for w in words) for e in _chain(exc))


def is_disk_full(exc: BaseException) -> bool:
    return any(isinstance(e, OSError) and e.errno in _FULL_ERRNOS for e in _chain(exc)) or _says(
        exc, _FULL_WORDS
    )


def is_unreachable(exc: BaseException) -> bool:
    return any(isinstance(e, ConnectionError) for e in _chain(exc)) or _says(exc, _UNREACHABLE_WORDS)


def is_corrupt(exc: BaseException) -> bool:
    return _says(exc, _CORRUPT_WORDS)


def classify(exc: BaseException, where: str) -> VectorStoreError | None:
    """The index's error for a low-level failure at `where` (a path or a server address), or None."""
    if isinstance(exc, VectorStoreError):
        return exc
    if is_disk_full(exc):
        return StorageFull(
            f"the disk is full (or a file-size limit was reached) while writing {where}: "
            "the write that failed was not recorded. Free some space, then run the command again"
        )
    if is_unreachable(exc):
        return StoreUnavailable(
            f"the vector store at {where} does not answer ({exc.__class__.__name__}); "
            "start it again (chroma run …) or check --chroma-host/--chroma-port"
        )
    if is_corrupt(exc):
        return CorruptIndex(
            f"{where} is damaged or is not a speechqa file ({exc}); it was left as it is. "
            "Move it away to rebuild the index there, or use another --data-dir"
        )
    return None
