"""One ingestion at a time per data directory: an fcntl lock on DATA_DIR/ingest.lock that names its
holder, and a probe that tells readers whether an ingestion is running."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from vectorstore.errors import IngestBusy

LOCK_NAME = "ingest.lock"


@contextmanager
def ingest_lock(
    data_dir: Path, *, wait: bool = True, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """One ingestion at a time per index: a second one waits for the first (after telling `on_wait` who
    holds the lock), or with wait=False raises IngestBusy."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_NAME
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            if not wait:
                raise IngestBusy(f"another ingestion is running on {data_dir} ({holder})") from None
            if on_wait is not None:
                on_wait(f"another ingestion is running on {data_dir} ({holder}); waiting for it to finish …")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def ingestion_running(data_dir: Path) -> bool:
    """Whether some process (this one included) is ingesting into data_dir right now."""
    path = data_dir / LOCK_NAME
    if not path.exists():
        return False
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
