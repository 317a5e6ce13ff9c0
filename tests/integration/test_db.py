"""The database helpers: hand-written reads see exactly what is committed, or their own transaction."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from registry.clock import utcnow
from registry.db import (
    GroupedReads,
    OwnConnection,
    RegisterPostgresEngine,
    fetch_by_id,
    fetch_tuples,
    pooled_connections,
    write_transaction,
)
from registry.organizations.tables import Organization

SQL = 'SELECT "name" FROM "organization" WHERE "cvr" = {}'


@pytest.fixture(autouse=True, params=["own connections", "pooled"])
async def connections(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Each test runs twice: as the CLI reads (no pool) and as the served app does (PostgreSQL: reads
    outside a transaction come straight from the pool, which skips asyncpg's reset on release)."""
    if request.param == "own connections":
        yield
        return
    async with pooled_connections(Organization._meta.db):
        yield


def _organization(cvr: str) -> Organization:
    now = utcnow()
    return Organization(
        id=uuid.uuid4(),
        name="Havnby Kommune",
        cvr=cvr,
        sector="public",
        cooperation_body="MED",
        notice_period_days=42,
        created_at=now,
        updated_at=now,
    )


async def test_a_read_inside_a_transaction_sees_its_writes_and_a_read_after_commit_too() -> None:
    async with write_transaction(Organization._meta.db):
        await Organization.insert(_organization("29189919"))
        assert await fetch_tuples(Organization, SQL, "29189919") == [("Havnby Kommune",)]
    assert await fetch_tuples(Organization, SQL, "29189919") == [("Havnby Kommune",)]
    assert await Organization.count() == 1


async def test_a_rolled_back_write_is_never_read() -> None:
    async def abandoned_write() -> None:
        async with write_transaction(Organization._meta.db):
            await Organization.insert(_organization("10150817"))
            raise RuntimeError("abandon")

    with pytest.raises(RuntimeError):
        await abandoned_write()
    assert await fetch_tuples(Organization, SQL, "10150817") == []
    assert await Organization.exists().where(Organization.cvr == "10150817") is False


async def test_a_transaction_left_open_on_a_pooled_connection_is_not_seen_by_the_next_read() -> None:
    engine = Organization._meta.db
    pool = getattr(engine, "pool", None)
    if pool is None:
        pytest.skip("only PostgreSQL's served processes pool connections")
    async with pool.acquire() as connection:  # a caller that forgets to end its transaction
        await connection.execute("BEGIN")
        await connection.execute(
            'INSERT INTO "organization" (id, name, cvr, sector, cooperation_body, notice_period_days, '
            "created_at, updated_at) VALUES ($1, 'Forladt', '47458714', 'public', 'MED', 42, now(), now())",
            uuid.uuid4(),
        )
    for _ in range(pool.get_size()):  # whichever connection the next reads get
        assert await fetch_tuples(Organization, SQL, "47458714") == []


# Reads by primary key (fetch_by_id): in a served PostgreSQL process they are grouped (GroupedReads).

COLUMNS = '"name", "cvr"'


def _grouped() -> bool:
    engine = Organization._meta.db
    return isinstance(engine, RegisterPostgresEngine) and engine.pool is not None


async def _inserted(count: int) -> list[uuid.UUID]:
    keys = []
    for number in range(count):
        organization = _organization(f"{number:08d}")
        organization.name = f"Kommune {number}"
        await Organization.insert(organization)
        keys.append(organization.id)
    return keys


async def _drop_the_servers_other_connections() -> None:
    """What a restart of PostgreSQL, or an idle-connection timeout on the way, does to kept connections."""
    connection = await asyncpg.connect(Organization._meta.db.config["dsn"])
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()
    await asyncio.sleep(0.2)  # the dropped connections learn of it


def _grouped_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of keys in each grouped query."""
    sizes: list[int] = []
    fetch = GroupedReads._fetch

    async def counted(self: GroupedReads, connection: Any, keys: list[uuid.UUID]) -> list[Any]:
        sizes.append(len(keys))
        return await fetch(self, connection, keys)

    monkeypatch.setattr(GroupedReads, "_fetch", counted)
    return sizes


async def test_reads_by_id_asked_together_each_get_their_own_row(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = await _inserted(12)
    missing = uuid.uuid4()
    sizes = _grouped_sizes(monkeypatch)
    asked = [*keys, keys[0], missing, keys[3]]
    rows = await asyncio.gather(*(fetch_by_id(Organization, COLUMNS, key) for key in asked))
    expected = [(f"Kommune {n}", f"{n:08d}") for n in range(12)]
    assert rows == [*expected, expected[0], None, expected[3]]
    if _grouped():  # 13 different keys, asked in one go: one query, or two if the first went alone
        assert sum(sizes) == 13, sizes
        assert len(sizes) <= 2, sizes
    else:
        assert sizes == []


async def test_a_read_by_id_asked_after_a_commit_sees_it_while_an_earlier_read_is_in_flight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not _grouped():
        pytest.skip("only grouped reads (PostgreSQL, served) have a query in flight for others")
    [key] = await _inserted(1)
    in_flight, release = asyncio.Event(), asyncio.Event()
    fetch = GroupedReads._fetch

    async def held(self: GroupedReads, connection: Any, keys: list[uuid.UUID]) -> list[Any]:
        rows = await fetch(self, connection, keys)
        if not in_flight.is_set():  # the first query has read; its answer is held back
            in_flight.set()
            await release.wait()
        return rows

    monkeypatch.setattr(GroupedReads, "_fetch", held)
    early = asyncio.ensure_future(fetch_by_id(Organization, '"name"', key))
    await in_flight.wait()
    await Organization.update({Organization.name: "Nyby Kommune"}).where(Organization.id == key)
    late = asyncio.ensure_future(fetch_by_id(Organization, '"name"', key))
    await asyncio.sleep(0.05)
    release.set()
    assert await early == ("Kommune 0",)  # it asked before the change committed
    assert await late == ("Nyby Kommune",)  # not answered by the query already in flight


async def test_a_failed_grouped_read_fails_each_request_in_it_and_the_next_read_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not _grouped():
        pytest.skip("only grouped reads (PostgreSQL, served) answer several requests with one query")
    keys = await _inserted(3)
    fetch = GroupedReads._fetch

    async def broken(self: GroupedReads, connection: Any, keys: list[uuid.UUID]) -> list[Any]:
        raise RuntimeError("the query failed")

    monkeypatch.setattr(GroupedReads, "_fetch", broken)
    results = await asyncio.gather(
        *(fetch_by_id(Organization, COLUMNS, key) for key in keys), return_exceptions=True
    )
    assert [type(result) for result in results] == [RuntimeError] * 3
    monkeypatch.setattr(GroupedReads, "_fetch", fetch)
    assert await fetch_by_id(Organization, COLUMNS, keys[1]) == ("Kommune 1", "00000001")


async def test_a_read_by_id_after_the_server_dropped_the_connection_opens_another() -> None:
    if Organization._meta.db.engine_type != "postgres":
        pytest.skip("SQLite has no server to drop a connection")
    [key] = await _inserted(1)
    assert await fetch_by_id(Organization, COLUMNS, key) == ("Kommune 0", "00000000")
    await _drop_the_servers_other_connections()
    assert await fetch_by_id(Organization, COLUMNS, key) == ("Kommune 0", "00000000")


async def test_own_connections_keep_their_plans_and_the_pool_plans_each_run() -> None:
    engine = Organization._meta.db
    if engine.engine_type != "postgres":
        pytest.skip("PostgreSQL's plan cache")
    own = OwnConnection(engine)
    try:
        connection = await own.get()
        assert await connection.fetchval("SHOW plan_cache_mode") == "auto"
    finally:
        await own.close()
    [row] = await fetch_tuples(Organization, "SELECT current_setting('plan_cache_mode')")
    assert row == ("force_custom_plan",)


async def test_a_first_statement_on_a_kept_connection_found_closed_runs_once_more_on_a_new_one() -> None:
    engine = Organization._meta.db
    if engine.engine_type != "postgres":
        pytest.skip("SQLite has no server to drop a connection")
    own = OwnConnection(engine)
    used: list[Any] = []

    async def dropped_once(connection: Any) -> Any:
        used.append(connection)
        if len(used) == 1:
            connection.terminate()  # as when the server dropped it while the statement was on its way
            raise asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")
        return await connection.fetchval("SELECT 1")

    async def failing(connection: Any) -> Any:
        used.append(connection)
        return await connection.fetch('SELECT * FROM "no_such_table"')

    try:
        connection, value = await own.first(dropped_once)
        assert value == 1
        assert len(used) == 2
        assert used[1] is connection
        assert used[0] is not connection
        used.clear()
        with pytest.raises(asyncpg.exceptions.UndefinedTableError):  # an error of the statement: no retry
            await own.first(failing)
        assert len(used) == 1
    finally:
        await own.close()
