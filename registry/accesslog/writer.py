"""The one writer of the access log.

Callers hand over an entry and wait until it is committed; entries that arrive while a batch is being
written go into the next batch (group commit), so one transaction serves many requests. Each batch
reads the head of the chain inside its write transaction, which serializes appends across processes
too (SQLite: the IMMEDIATE write lock; PostgreSQL: a transaction-scoped advisory lock), so the chain
never forks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import operator
import os
import random
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.base import Engine

from registry.accesslog.chain import CONTENT_FIELDS, ENTRY_FIELDS, GENESIS_HASH, content_digest, link
from registry.accesslog.tables import AccessLogEntry
from registry.db import EmbeddedSQLiteEngine, OwnConnection

MAX_BATCH = 500
ADVISORY_LOCK_KEY = 0x41_52_45_47  # "AREG": one key for the whole chain
INSERT_COLUMNS = (*ENTRY_FIELDS, "at_ms")


@dataclass(slots=True)
class EntryDraft:
    """What the caller knows of an access; the writer adds seq, event id, time and hashes."""

    action: str
    outcome: str
    organization_id: str | None = None
    actor_sub: str | None = None
    actor_role: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    status: int | None = None
    source_ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


DRAFT_FIELDS = tuple(f.name for f in fields(EntryDraft))
_draft_values = operator.attrgetter(*DRAFT_FIELDS)


def iso_ms(millis: int) -> str:
    """UTC with milliseconds, as entries and checkpoints carry it: 2026-11-22T08:15:30.123Z."""
    moment = datetime.fromtimestamp(millis / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


def ms_of(moment: datetime) -> int:
    """A moment as milliseconds since the epoch (a moment without a zone is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def ms_of_text(text: Any) -> int | None:
    """iso_ms's text back as milliseconds; None when it is not such a text."""
    try:
        return ms_of(datetime.fromisoformat(str(text).replace("Z", "+00:00")))
    except ValueError:
        return None


def _timestamp() -> tuple[str, int]:
    millis = int(datetime.now(UTC).timestamp() * 1000)
    return iso_ms(millis), millis


def _clean(value: Any) -> Any:
    # Empty text is stored as NULL, so every export format (CSV included) carries the same content.
    if isinstance(value, str):
        return value.replace("\x00", "") or None
    return value


_ids = random.Random(os.urandom(32))  # noqa: S311 - event ids need to be unique, not secret


_VERSION_4 = (0xFFFF_FFFF_FFFF_0FFF_3FFF_FFFF_FFFF_FFFF, 0x0000_0000_0000_4000_8000_0000_0000_0000)


def new_id() -> str:
    """A random (version 4, RFC 4122 variant) UUID without a system call for each one, and without
    building a uuid.UUID (a third of the time: every request writes one)."""
    mask, bits = _VERSION_4
    text = f"{_ids.getrandbits(128) & mask | bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def chain_entries(
    drafts: Sequence[EntryDraft], head_seq: int, head_hash: str, not_before_ms: int = 0
) -> list[dict[str, Any]]:
    """Number and hash the drafts after the head of the chain. One batch is one moment: its entries
    share the time they are committed at, never earlier than the head's (so time order is chain
    order, even if the clock steps back, and a time range is found with one index lookup)."""
    entries = []
    prev_hash = head_hash
    at, at_ms = _timestamp()
    if at_ms < not_before_ms:
        at, at_ms = iso_ms(not_before_ms), not_before_ms
    seq = head_seq
    for draft in drafts:
        seq += 1
        entry: dict[str, Any] = dict(zip(DRAFT_FIELDS, map(_clean, _draft_values(draft)), strict=True))
        # Both come from the client (a forwarded address behind a trusted proxy): cut to the columns'
        # sizes, so one long value cannot fail the whole batch and every request waiting on it.
        if entry["user_agent"]:
            entry["user_agent"] = entry["user_agent"][:300]
        if entry["source_ip"]:
            entry["source_ip"] = entry["source_ip"][:64]
        entry["seq"], entry["event_id"], entry["at"], entry["at_ms"] = seq, new_id(), at, at_ms
        entry["prev_hash"] = prev_hash
        entry["hash"] = prev_hash = link(prev_hash, content_digest(entry))
        entries.append(entry)
    return entries


HEAD_SQL = 'SELECT "seq", "hash", "at_ms" FROM "access_log" ORDER BY "seq" DESC LIMIT 1'
# A batch is one statement whatever its size, with one parameter: the entries as a JSON array, which
# PostgreSQL turns back into rows. Thirteen array parameters cost asyncpg several microseconds per value
# to encode (it checks every element for nesting), json.dumps a fraction of that.
_INTEGER_COLUMNS = {"seq": "bigint", "at_ms": "bigint", "status": "integer"}
_COLUMN_LIST = ", ".join(f'"{name}"' for name in INSERT_COLUMNS)
_RECORD_TYPE = ", ".join(f'"{name}" {_INTEGER_COLUMNS.get(name, "text")}' for name in INSERT_COLUMNS)
POSTGRES_INSERT = (
    f'INSERT INTO "access_log" ({_COLUMN_LIST}) '  # noqa: S608 - fixed names
    f"SELECT {_COLUMN_LIST} FROM json_to_recordset($1::text::json) AS entry({_RECORD_TYPE})"
)
# A simple query (no parameters), so both statements go in one round trip; each still runs on its own
# snapshot.
LOCK_SQL = f"BEGIN; SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})"
ANCHOR_SQL = (
    'SELECT "last_seq" AS "seq", "last_hash" AS "hash", "at_ms" FROM "access_log_checkpoint" '
    'WHERE "kind" = \'anchor\' ORDER BY "last_seq" DESC LIMIT 1'
)


class AccessLogWriter:
    def __init__(self, engine: Engine | None = None) -> None:
        self.engine: Any = engine or AccessLogEntry._meta.db
        self._queue: asyncio.Queue[tuple[EntryDraft, asyncio.Future[dict[str, Any]]]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None
        self._postgres: OwnConnection | None = None

    async def append(self, draft: EntryDraft) -> dict[str, Any]:
        """Returns the committed entry. Raises if it could not be written: the caller must not go on
        as if the access had been recorded."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._ensure_running().put_nowait((draft, future))
        return await future

    async def append_many(self, drafts: Sequence[EntryDraft]) -> list[dict[str, Any]]:
        queue = self._ensure_running()
        loop = asyncio.get_running_loop()
        futures = []
        for draft in drafts:
            future: asyncio.Future[dict[str, Any]] = loop.create_future()
            queue.put_nowait((draft, future))
            futures.append(future)
        return list(await asyncio.gather(*futures))

    def _ensure_running(self) -> asyncio.Queue[tuple[EntryDraft, asyncio.Future[dict[str, Any]]]]:
        loop = asyncio.get_running_loop()
        if self._queue is None or self._loop is not loop or self._task is None or self._task.done():
            self._loop = loop
            self._queue = asyncio.Queue()
            self._task = loop.create_task(self._run(self._queue), name="access-log-writer")
        return self._queue

    async def _run(self, queue: asyncio.Queue[tuple[EntryDraft, asyncio.Future[dict[str, Any]]]]) -> None:
        while True:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < MAX_BATCH:
                batch.append(queue.get_nowait())
            try:
                entries = await self._write([draft for draft, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(AccessLogUnavailable(str(exc)))
                continue
            for (_, future), entry in zip(batch, entries, strict=True):
                if not future.done():
                    future.set_result(entry)

    async def _write(self, drafts: list[EntryDraft]) -> list[dict[str, Any]]:
        if isinstance(self.engine, EmbeddedSQLiteEngine):
            if self._thread is None:
                self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="access-log")
            return await asyncio.get_running_loop().run_in_executor(self._thread, self._write_sqlite, drafts)
        return await self._write_postgres(drafts)

    def _sqlite(self) -> sqlite3.Connection:
        if self._connection is None:
            self._connection = sqlite3.connect(
                self.engine.path, isolation_level=None, timeout=30, check_same_thread=False
            )
        return self._connection

    def _write_sqlite(self, drafts: list[EntryDraft]) -> list[dict[str, Any]]:
        connection = self._sqlite()
        connection.execute("BEGIN IMMEDIATE")
        try:
            head = connection.execute(HEAD_SQL).fetchone() or connection.execute(ANCHOR_SQL).fetchone()
            entries = chain_entries(drafts, *(head or (0, GENESIS_HASH, 0)))
            placeholders = ", ".join("?" for _ in INSERT_COLUMNS)
            columns = ", ".join(f'"{name}"' for name in INSERT_COLUMNS)
            connection.executemany(
                f'INSERT INTO "access_log" ({columns}) VALUES ({placeholders})',  # noqa: S608 - fixed names
                [tuple(entry[name] for name in INSERT_COLUMNS) for entry in entries],
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return entries

    async def _write_postgres(self, drafts: list[EntryDraft]) -> list[dict[str, Any]]:
        # asyncpg directly, on a connection of the writer's own (no pool hand-off, the statements'
        # plans kept): one round trip opens the transaction and takes the lock, then the head, one
        # INSERT for the whole batch, and the commit. The head is read by a statement of its own, after
        # the lock is held: a statement's snapshot is taken when it starts, so one that waited for the
        # lock could miss the batch committed meanwhile by another process.
        if self._postgres is None:
            self._postgres = OwnConnection(self.engine)
        try:
            connection, _ = await self._postgres.first(lambda connection: connection.execute(LOCK_SQL))
            head = await connection.fetchrow(HEAD_SQL) or await connection.fetchrow(ANCHOR_SQL)
            entries = chain_entries(drafts, *(tuple(head) if head else (0, GENESIS_HASH, 0)))
            await connection.execute(POSTGRES_INSERT, json.dumps(entries, ensure_ascii=False))
            await connection.execute("COMMIT")
        except BaseException:
            # The callers are told the batch was not written. Dropping the connection rolls back
            # whatever is still open and releases the lock; the next batch opens another.
            self._postgres.discard()
            raise
        return entries

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._task
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._postgres is not None:
            await self._postgres.close()


class AccessLogUnavailable(Exception):
    """The access log could not be written; the access it describes must not proceed unlogged."""


__all__ = ["CONTENT_FIELDS", "AccessLogUnavailable", "AccessLogWriter", "EntryDraft", "chain_entries"]
