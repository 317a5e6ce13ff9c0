"""The database engine of a process, chosen by AIREG_DATABASE_URL, and how writes and pools run on it.

The embedded default is a SQLite file; `postgresql://` selects the production engine. Both are Piccolo
engines with a few changes of the register's own (EmbeddedSQLiteEngine, RegisterPostgresEngine)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory

from registry.db.settings import DatabaseSettings
from registry.errors import ConfigurationError


class _Closing(Protocol):
    async def close(self) -> None: ...


SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")


class EmbeddedSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, with reads outside a transaction served by one long-lived connection
    on the calling thread.

    Piccolo opens a new connection, on a new thread, for every query outside a transaction; for a
    register that is read far more than written, that costs many times the query itself. SELECTs in
    autocommit mode each see the latest committed data (WAL), so sharing the connection changes no
    result. Writes and transactions keep Piccolo's own path."""

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._reader: sqlite3.Connection | None = None
        # Normally only the event-loop thread reads; the lock keeps a second thread (a sync caller
        # of Piccolo's run_sync, say) from using the connection at the same moment.
        self._reader_lock = threading.Lock()

    def _reader_connection(self) -> sqlite3.Connection:
        if self._reader is None:
            reader = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
            reader.row_factory = dict_factory
            self._reader = reader
        return self._reader

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        if query.lstrip()[:6].upper() != "SELECT":
            return await super()._run_in_new_connection(query, args, query_type, table)
        with self._reader_lock:
            cursor = self._reader_connection().execute(query, args or [])
            try:
                return cursor.fetchall()
            finally:
                cursor.close()

    def read_tuples(self, query: str, args: list[Any]) -> list[tuple[Any, ...]]:
        """A SELECT with `?` placeholders on the read connection, rows as plain tuples."""
        with self._reader_lock:
            cursor = self._reader_connection().cursor()
            cursor.row_factory = None
            try:
                return cursor.execute(query, args).fetchall()
            finally:
                cursor.close()


class RegisterPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine, holding the process's GroupedReads (fetch_by_id) while its pool
    runs (pooled_connections closes them with the pool)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grouped_reads: dict[str, _Closing] = {}  # registry/db/reads.py GroupedReads, by columns

    async def close_grouped_reads(self) -> None:
        readers, self.grouped_reads = self.grouped_reads, {}
        for reader in readers.values():
            await reader.close()


async def _keep_session(_connection: Any) -> None:
    """Nothing to undo when a connection goes back to the pool (see pooled_connections)."""


@asynccontextmanager
async def pooled_connections(engine: Engine) -> AsyncIterator[None]:
    """PostgreSQL: one connection pool for the process while the block runs. SQLite opens its own
    connections.

    asyncpg's default reset runs `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`
    every time a connection is released: one more round trip for every query outside a transaction.
    The register keeps no session state to undo (its advisory lock is transaction-scoped, it never
    LISTENs, SETs a session setting or holds a cursor past its transaction), so the reset is skipped;
    asyncpg still rolls back a transaction left open before the connection is reused.

    Nor does the pool close connections that sat idle for five minutes (asyncpg's default), which
    costs a timer set on every release and cancelled on every acquire; the ten connections stay open
    for the life of the process.

    Reads by primary key go through GroupedReads while the block runs (fetch_by_id); their connections
    close with the pool."""
    if not isinstance(engine, PostgresEngine):
        yield
        return
    await engine.start_connection_pool(reset=_keep_session, max_inactive_connection_lifetime=0)
    try:
        yield
    finally:
        if isinstance(engine, RegisterPostgresEngine):
            await engine.close_grouped_reads()
        await engine.close_connection_pool()


def engine_for_url(url: str, *, sqlite_timeout: float = 30.0) -> Engine:
    if url.startswith(SQLITE_PREFIX):
        path = Path(url.removeprefix(SQLITE_PREFIX))
        path.parent.mkdir(parents=True, exist_ok=True)
        return EmbeddedSQLiteEngine(path=str(path), timeout=sqlite_timeout)
    scheme = urlsplit(url).scheme.split("+", 1)[0]
    if scheme in POSTGRES_SCHEMES:
        # asyncpg prepares every statement; after five runs PostgreSQL may switch to a generic plan
        # that does not know the organization, and a text search then scans all of its systems
        # (docs/benchmarks.md, bench-postgres). Plan each run for its own parameters instead.
        custom_plans = {"plan_cache_mode": "force_custom_plan"}
        return RegisterPostgresEngine(config={"dsn": url, "server_settings": custom_plans})
    raise ConfigurationError(
        "AIREG_DATABASE_URL must start with sqlite:/// or postgresql://", setting="AIREG_DATABASE_URL"
    )


def engine_from_settings(settings: DatabaseSettings | None = None) -> Engine:
    settings = settings or DatabaseSettings()
    return engine_for_url(
        settings.resolved_database_url(), sqlite_timeout=settings.sqlite_busy_timeout_seconds
    )


def is_sqlite(engine: Engine) -> bool:
    return isinstance(engine, SQLiteEngine)


def write_transaction(engine: Engine) -> Any:
    """A transaction for a write: on SQLite it takes the write lock up front (IMMEDIATE), so two
    writers queue instead of failing with 'database is locked' when the reader upgrades."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
