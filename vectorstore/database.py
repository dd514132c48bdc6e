"""Where the catalog's tables live: one SQLite file (one host), or a PostgreSQL server that processes on
several hosts share. The catalog writes one SQL for both (the common subset: `?` parameters, upserts
with ON CONFLICT); this module owns what differs: connecting, column types, placeholders, the lock that
lets one ingestion write at a time, and turning a failure into the index's error.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from vectorstore.errors import BadAddress, IngestBusy, StoreUnavailable
from vectorstore.faults import classify

POSTGRES_TYPES = {"BLOB": "BYTEA", "REAL": "DOUBLE PRECISION", "INTEGER": "BIGINT"}
CONNECT_WAIT = 30.0  # seconds a call waits for a PostgreSQL server that is restarting


class Transaction(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Database(Protocol):
    where: str

    def transaction(
        self,
    ) -> Any: ...  # a context manager of Transaction: commit on success, roll back on error
    def create(self, schema: str) -> None: ...
    def exclusive(self, name: str, *, wait: bool, on_wait: Any = None) -> Any: ...  # a context manager
    def busy(self, name: str) -> bool | None: ...  # None: this database does not keep the lock


class SqliteDatabase:
    """One SQLite file in WAL mode; a connection per transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=30)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                with db:
                    yield db
            finally:
                db.close()
        except sqlite3.Error as exc:
            known = classify(exc, self.where)
            if known is None:
                raise
            raise known from exc

    def create(self, schema: str) -> None:
        with self.transaction() as db:
            db.executescript(schema)

    def exclusive(self, name: str, *, wait: bool, on_wait: Any = None) -> Any:
        return None  # the data directory's file lock serves (vectorstore.lock)

    def busy(self, name: str) -> bool | None:
        return None


class _PgTransaction:
    """A psycopg connection that takes the catalog's `?` placeholders."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._connection.execute(self._sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            with self._connection.cursor() as cursor:
                cursor.executemany(self._sql(sql), rows)


def _lock_key(name: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.sha1(name.encode()).digest()[:8], "big", signed=True)


class PostgresDatabase:
    """A PostgreSQL server, through a small pool of connections that are checked before use, so that a
    server restarted between two calls is reconnected to (a call waits up to CONNECT_WAIT for it)."""

    def __init__(self, url: str) -> None:
        from psycopg_pool import ConnectionPool

        self.url = url
        self.where = re.sub(r"//[^@/]*@", "//", url)  # never print a password
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=4,
            open=False,
            timeout=CONNECT_WAIT,
            check=ConnectionPool.check_connection,
            kwargs={"connect_timeout": 5},
        )
        try:
            self._pool.open(wait=True, timeout=CONNECT_WAIT)
        except Exception as exc:
            raise StoreUnavailable(
                f"the catalog database at {self.where} does not answer ({exc.__class__.__name__}: "
                f"{exc}); start it, or check --catalog / $SPEECHQA_CATALOG"
            ) from exc

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(
            f"the catalog database at {self.where} does not answer ({exc.__class__.__name__}); "
            "start it again, or check --catalog / $SPEECHQA_CATALOG"
        )

    @contextmanager
    def transaction(self) -> Iterator[_PgTransaction]:
        import psycopg
        from psycopg_pool import PoolTimeout

        try:
            with self._pool.connection() as connection:  # commits on success, rolls back on error
                yield _PgTransaction(connection)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise self._unavailable(exc) from exc

    def create(self, schema: str) -> None:
        for word, replacement in POSTGRES_TYPES.items():
            schema = re.sub(rf"\b{word}\b", replacement, schema)
        with self.transaction() as db:
            db.execute(
                "SELECT pg_advisory_xact_lock(?)", (_lock_key("speechqa schema"),)
            )  # two processes starting at once
            for statement in (s.strip() for s in schema.split(";")):
                if statement:
                    db.execute(statement)

    @contextmanager
    def exclusive(self, name: str, *, wait: bool, on_wait: Any = None) -> Iterator[None]:
        """A lock every process of every host sees (a session advisory lock), held while the block runs."""
        import psycopg

        key = _lock_key(name)
        began = time.monotonic()
        while True:
            try:
                connection = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
                break
            except psycopg.OperationalError as exc:
                if time.monotonic() - began > CONNECT_WAIT:
                    raise self._unavailable(exc) from exc
                time.sleep(1.0)
        try:
            row = connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            if row is None or not row[0]:
                if not wait:
                    raise IngestBusy(f"another ingestion is writing the catalog at {self.where}")
                if on_wait is not None:
                    on_wait(
                        f"another ingestion is writing the catalog at {self.where}; waiting for it to finish "
                        f"…"
                    )
                connection.execute("SELECT pg_advisory_lock(%s)", (key,))
            yield
        finally:
            connection.close()  # the session's locks go with it

    def busy(self, name: str) -> bool | None:
        with self.transaction() as db:
            got = db.execute("SELECT pg_try_advisory_xact_lock(?)", (_lock_key(name),)).fetchone()[0]
        return not got


def open_database(path: Path, url: str = "") -> SqliteDatabase | PostgresDatabase:
    """The catalog's database: the PostgreSQL server at `url` (postgresql://…) when given, else the
    SQLite file at `path`."""
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise BadAddress(
                f"--catalog must be a PostgreSQL address (postgresql://user@host:port/database), not "
                f"{url!r}; leave it out to keep the catalog in the data directory"
            )
        return PostgresDatabase(url)
    return SqliteDatabase(path)
