"""The database helpers: hand-written reads see exactly what is committed, or their own transaction."""

from __future__ import annotations

import uuid

import pytest

from registry.clock import utcnow
from registry.db import fetch_tuples, write_transaction
from registry.tables import Organization

SQL = 'SELECT "name" FROM "organization" WHERE "cvr" = {}'


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
