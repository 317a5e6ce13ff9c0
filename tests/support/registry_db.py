"""A read-only look at a register's database from outside the app, for tests that run the register in
other processes: PostgreSQL through asyncpg, SQLite through sqlite3, the same hand-written SQL for both
(Piccolo's `{}` placeholders). Values come back as the drivers give them; ids are best compared with
`str()`, since PostgreSQL returns UUIDs where SQLite returns text."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncpg

from registry.accesslog.chain import GENESIS_HASH, content_digest, link

SQLITE_PREFIX = "sqlite:///"


class RegisterDatabase:
    """`async with RegisterDatabase(url) as db: await db.rows('SELECT ... WHERE "x" = {}', x)`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite_path = Path(url.removeprefix(SQLITE_PREFIX)) if url.startswith(SQLITE_PREFIX) else None
        self._pg: asyncpg.Connection | None = None

    async def __aenter__(self) -> RegisterDatabase:
        if self.sqlite_path is None:
            self._pg = await asyncpg.connect(self.url)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._pg is not None:
            await self._pg.close()
            self._pg = None

    async def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        if self.sqlite_path is None:
            assert self._pg is not None, "use `async with`"
            query = sql.format(*(f"${n}" for n in range(1, len(args) + 1)))
            return [dict(row) for row in await self._pg.fetch(query, *args)]
        # A connection per query, that writes nothing (query_only). Not `mode=ro`: after a crash the
        # first connection must recover the write-ahead log, which a read-only one cannot.
        with contextlib.closing(sqlite3.connect(self.sqlite_path, timeout=30)) as connection:
            connection.execute("PRAGMA query_only = ON")
            connection.row_factory = sqlite3.Row
            cursor = connection.execute(sql.format(*(["?"] * len(args))), args)
            return [dict(row) for row in cursor.fetchall()]

    async def value(self, sql: str, *args: Any) -> Any:
        found = await self.rows(sql, *args)
        return next(iter(found[0].values())) if found else None

    async def delivery_counts(self) -> dict[str, int]:
        found = await self.rows('SELECT "status", COUNT(*) AS "n" FROM "webhook_delivery" GROUP BY "status"')
        return {str(row["status"]): int(row["n"]) for row in found}


async def check_access_log_chain(db: RegisterDatabase) -> list[dict[str, Any]]:
    """Every stored entry, after checking that the chain is linear: seq 1, 2, 3, ... without gaps or
    repeats, each prev_hash the previous entry's hash, each hash recomputed from the entry's content.
    (No pruning happens in these tests, so the chain starts at the genesis hash.)"""
    entries = await db.rows('SELECT * FROM "access_log" ORDER BY "seq"')
    seqs = [int(entry["seq"]) for entry in entries]
    assert seqs == list(range(1, len(entries) + 1)), f"seq has gaps or repeats: {_gaps(seqs)}"
    previous = GENESIS_HASH
    for entry in entries:
        seq = entry["seq"]
        assert entry["prev_hash"] == previous, f"seq {seq}: prev_hash is not the previous entry's hash"
        assert entry["hash"] == link(previous, content_digest(entry)), f"seq {seq}: hash does not match"
        previous = entry["hash"]
    return entries


def _gaps(seqs: list[int]) -> str:
    expected = set(range(1, len(seqs) + 1))
    repeated = sorted({s for s in seqs if seqs.count(s) > 1})[:10]
    return f"missing {sorted(expected - set(seqs))[:10]}, repeated {repeated}, first {seqs[:5]}"
