"""Reads on the hot path, written by hand where Piccolo's query builder costs more than the query:
rows as tuples, reads by primary key grouped into one query, PostgreSQL connections of their own."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
from piccolo.engine.postgres import PostgresEngine

from registry.db.engine import EmbeddedSQLiteEngine, RegisterPostgresEngine

T = TypeVar("T")


async def fetch_tuples(table: Any, query: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of a hand-written SELECT (Piccolo's `{}` placeholders) as tuples, in column order.
    Outside a transaction it skips Piccolo's per-row dicts: on the embedded engine through its read
    connection, on PostgreSQL straight from the pool."""
    engine = table._meta.db
    if engine.current_transaction.get() is None:
        if isinstance(engine, EmbeddedSQLiteEngine):
            return engine.read_tuples(_with_placeholders(query, len(args), numbered=False), list(args))
        pool = getattr(engine, "pool", None)
        if pool is not None:
            numbered = _with_placeholders(query, len(args), numbered=True)
            async with pool.acquire() as connection:
                return [tuple(record) for record in await connection.fetch(numbered, *args)]
    return [tuple(row.values()) for row in await table.raw(query, *args)]


@functools.lru_cache(maxsize=1024)
def _with_placeholders(query: str, count: int, *, numbered: bool) -> str:
    """The driver's placeholders for Piccolo's `{}`: `?` for sqlite3, `$1`, `$2`, ... for asyncpg. The
    hot queries are the same few strings, so each is rewritten once."""
    return query.format(*(f"${number}" for number in range(1, count + 1)) if numbered else ["?"] * count)


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


async def fetch_by_id(table: Any, columns: str, key: uuid.UUID) -> tuple[Any, ...] | None:
    """One row of `table` by its `id`: `columns` (a fixed SELECT list, formatted for the engine), or
    None. On PostgreSQL in a process with its pool running (`pooled_connections`) and outside a
    transaction, through the engine's GroupedReads for those columns; otherwise one query."""
    engine = table._meta.db
    name = table._meta.tablename
    grouped = isinstance(engine, RegisterPostgresEngine) and engine.pool is not None
    if grouped and engine.current_transaction.get() is None:
        reader = engine.grouped_reads.get(columns)
        if not isinstance(reader, GroupedReads):
            sql = f'SELECT "id", {columns} FROM "{name}" WHERE "id" = ANY($1::uuid[])'  # noqa: S608 - fixed
            reader = engine.grouped_reads[columns] = GroupedReads(engine, sql)
        return await reader.get(key)
    sql = f'SELECT {columns} FROM "{name}" WHERE "id" = {{}}'  # noqa: S608 - fixed names, bound value
    rows = await fetch_tuples(table, sql, key)
    return rows[0] if rows else None
