"""Database engine selection and the few engine-specific helpers the services need."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory

from registry.errors import ConfigurationError
from registry.search import LANGUAGES, VECTOR_COLUMNS, TextQuery, tsquery_text
from registry.settings import DatabaseSettings

SQLITE_PREFIX = "sqlite:///"
T = TypeVar("T")
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


async def fetch_tuples(table: Any, query: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of a hand-written SELECT (Piccolo's `{}` placeholders) as tuples, in column order.
    Outside a transaction it skips Piccolo's per-row dicts: on the embedded engine through its read
    connection, on PostgreSQL straight from the pool."""
    engine = table._meta.db
    if engine.current_transaction.get() is None:
        if isinstance(engine, EmbeddedSQLiteEngine):
            return engine.read_tuples(query.format(*(["?"] * len(args))), list(args))
        pool = getattr(engine, "pool", None)
        if pool is not None:
            numbered = query.format(*(f"${number}" for number in range(1, len(args) + 1)))
            async with pool.acquire() as connection:
                return [tuple(record) for record in await connection.fetch(numbered, *args)]
    return [tuple(row.values()) for row in await table.raw(query, *args)]


@asynccontextmanager
async def postgres_connection(engine: PostgresEngine) -> AsyncIterator[Any]:
    """An asyncpg connection of its own, for code that talks to PostgreSQL directly: from the pool when
    the process has one (`pooled_connections`), else a new one, closed afterwards."""
    pool = engine.pool
    if pool is not None:
        async with pool.acquire() as connection:
            yield connection
        return
    connection = await engine.get_new_connection()
    try:
        yield connection
    finally:
        await connection.close()


# Statements whose best plan does not depend on their parameters (a lookup by primary key, the access
# log's append) run on connections of their own with PostgreSQL's default plan cache: planned once and
# reused. The pool's connections plan every run for its parameters (engine_for_url), which a lookup by
# primary key pays with about 55 us of the server's CPU each time on the benchmark machine.
FIXED_PLAN_SETTINGS = {"plan_cache_mode": "auto"}


class OwnConnection:
    """A PostgreSQL connection kept by one component that runs one statement sequence at a time (the
    access-log writer, a GroupedReads): no hand-off through the pool for each use (about 50 us of
    asyncpg's bookkeeping on the benchmark machine), and its fixed statements' plans kept
    (FIXED_PLAN_SETTINGS).

    Opened on first use, on the engine's settings. After a failure the owner calls `discard`, as the
    connection's state is then unknown (PostgreSQL rolls back whatever it had open); the next use opens
    another. A connection belongs to the event loop that opened it: used from another loop, it is
    dropped and a new one opened."""

    def __init__(self, engine: PostgresEngine) -> None:
        self.engine = engine
        self._connection: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def get(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._connection is not None and (self._loop is not loop or self._connection.is_closed()):
            self.discard()
        if self._connection is None:
            config = dict(self.engine.config)
            config["server_settings"] = {**config.get("server_settings", {}), **FIXED_PLAN_SETTINGS}
            self._connection = await asyncpg.connect(**config)
            self._loop = loop
        return self._connection

    async def first(self, statement: Callable[[Any], Awaitable[T]]) -> tuple[Any, T]:
        """Runs the first statement of a sequence: `statement(connection)`. When the kept connection
        turns out to be closed (the server restarted, or dropped it while it sat idle), it runs once more
        on a new one; the old one's work is undone by the server, and nothing else had been done."""
        connection = await self.get()
        try:
            return connection, await statement(connection)
        except Exception:
            if not connection.is_closed():
                raise
        self.discard()
        connection = await self.get()
        return connection, await statement(connection)

    def discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # its loop may be gone; the server drops it either way
                connection.terminate()

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if self._loop is asyncio.get_running_loop():
                await connection.close(timeout=5)
                return
        except Exception:  # noqa: S110 - a failed goodbye: terminate below
            pass
        with contextlib.suppress(Exception):
            connection.terminate()


class GroupedReads:
    """Single rows by primary key, for requests that ask at about the same time, in one query.

    While one query is in flight, the keys asked for meanwhile wait for the next, which fetches all of
    them at once (`= ANY($1)`) on a connection of its own (OwnConnection). Under load a round trip then
    serves several requests, and no request waits for a connection from the pool. A key is always
    fetched by a query that starts after it was asked for, so a request reads everything committed
    before it asked, as with a query of its own.

    `sql` selects the key first, then the row's columns, `WHERE <key> = ANY($1::uuid[])`."""

    def __init__(self, engine: PostgresEngine, sql: str) -> None:
        self.sql = sql
        self.connection = OwnConnection(engine)
        self._waiting: dict[uuid.UUID, list[asyncio.Future[tuple[Any, ...] | None]]] = {}
        self._task: asyncio.Task[None] | None = None

    async def get(self, key: uuid.UUID) -> tuple[Any, ...] | None:
        """The row's columns after the key, or None when there is no such row."""
        loop = asyncio.get_running_loop()
        if self._task is not None and self._task.get_loop() is not loop:
            self._waiting, self._task = {}, None  # the keys of a loop that is gone
        future: asyncio.Future[tuple[Any, ...] | None] = loop.create_future()
        self._waiting.setdefault(key, []).append(future)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run(), name="grouped-reads")
        return await future

    async def _run(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            try:
                _, rows = await self.connection.first(functools.partial(self._fetch, keys=list(batch)))
            except Exception as exc:  # each request that asked gets the error, as from a query of its own
                self.connection.discard()
                _settle(batch, exc)
                continue
            except BaseException:  # cancelled (the loop is closing): nobody waits for an answer
                self.connection.discard()
                _settle(batch, None)
                _settle(self._waiting, None)
                raise
            found = {row[0]: tuple(row)[1:] for row in rows}
            for key, futures in batch.items():
                row = found.get(key)
                for future in futures:
                    if not future.done():
                        future.set_result(row)

    async def _fetch(self, connection: Any, keys: list[uuid.UUID]) -> list[Any]:
        return list(await connection.fetch(self.sql, keys))

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(asyncio.shield(self._task), timeout=5)
        await self.connection.close()


def _settle(waiting: dict[Any, list[asyncio.Future[Any]]], error: Exception | None) -> None:
    """Ends every future still waiting: with `error`, or cancelled when there is none."""
    for futures in waiting.values():
        for future in futures:
            if future.done():
                continue
            if error is None:
                future.cancel()
            else:
                future.set_exception(error)


class RegisterPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine, holding the process's GroupedReads (fetch_by_id) while its pool
    runs (pooled_connections closes them with the pool)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grouped_reads: dict[str, GroupedReads] = {}

    async def close_grouped_reads(self) -> None:
        readers, self.grouped_reads = self.grouped_reads, {}
        for reader in readers.values():
            await reader.close()


async def fetch_by_id(table: Any, columns: str, key: uuid.UUID) -> tuple[Any, ...] | None:
    """One row of `table` by its `id`: `columns` (a fixed SELECT list, formatted for the engine), or
    None. On PostgreSQL in a process with its pool running (`pooled_connections`) and outside a
    transaction, through the engine's GroupedReads for those columns; otherwise one query."""
    engine = table._meta.db
    name = table._meta.tablename
    grouped = isinstance(engine, RegisterPostgresEngine) and engine.pool is not None
    if grouped and engine.current_transaction.get() is None:
        reader = engine.grouped_reads.get(columns)
        if reader is None:
            sql = f'SELECT "id", {columns} FROM "{name}" WHERE "id" = ANY($1::uuid[])'  # noqa: S608 - fixed
            reader = engine.grouped_reads[columns] = GroupedReads(engine, sql)
        return await reader.get(key)
    sql = f'SELECT {columns} FROM "{name}" WHERE "id" = {{}}'  # noqa: S608 - fixed names, bound value
    rows = await fetch_tuples(table, sql, key)
    return rows[0] if rows else None


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


@dataclass(frozen=True)
class Dialect:
    """SQL fragments that differ between SQLite and PostgreSQL, for the queries the services write by
    hand (the hot reads, where Piccolo's query builder costs more than the query). Placeholders are
    Piccolo's `{}`; column names are the services' own, never user input."""

    engine_type: str

    @property
    def sqlite(self) -> bool:
        return self.engine_type == "sqlite"

    def array_contains(self, column: str, value: str) -> tuple[str, Any]:
        """`value` is one element of the array. SQLite stores arrays as JSON text, so the quoted
        element is looked for (a bare substring would let 'health' match 'mental_health')."""
        if self.sqlite:
            return f'instr("{column}", {{}}) > 0', f'"{value}"'
        return f'{{}} = ANY("{column}")', value

    def array_is_empty(self, column: str) -> str:
        return f"\"{column}\" = '[]'" if self.sqlite else f'cardinality("{column}") = 0'

    def matches_text(self, query: TextQuery) -> tuple[str, list[Any]]:
        """Every word of the query begins a word of `search_text` (registry/search.py), in Danish or in
        English. PostgreSQL: full-text search, stemmed, on the stored vector columns and their GIN
        indexes. SQLite: `instr` on the space-separated words of `search_text`, so nothing is a
        wildcard."""
        if not self.sqlite:
            clauses, args = [], []
            for language in LANGUAGES:
                if terms := query.terms(language):
                    clauses.append(f"\"{VECTOR_COLUMNS[language]}\" @@ to_tsquery('{language}', {{}})")
                    args.append(tsquery_text(terms))
        else:
            groups = query.groups()
            words = "' ' || \"search_text\""  # each word is then preceded by a space
            clauses = ["(" + " AND ".join([f"instr({words}, {{}}) > 0"] * len(g)) + ")" for g in groups]
            args = [f" {term}" for group in groups for term in group]
        # Only stop words: nothing to look for, as PostgreSQL's own empty query matches nothing.
        return ("(" + " OR ".join(clauses) + ")" if clauses else "1 = 0"), args

    def as_bytes(self, column: str) -> str:
        """The column's text as UTF-8 bytes, ready to be sent without decoding and encoding again."""
        return f'CAST("{column}" AS BLOB)' if self.sqlite else f"convert_to(\"{column}\"::text, 'UTF8')"


def dialect_of(engine: Engine) -> Dialect:
    return Dialect(engine_type=engine.engine_type)
