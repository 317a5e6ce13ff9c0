"""The database helpers: hand-written reads see exactly what is committed, or their own transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from registry.clock import utcnow
from registry.db import fetch_tuples, pooled_connections, write_transaction
from registry.tables import Organization

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
