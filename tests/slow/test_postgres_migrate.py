"""The register on PostgreSQL: `airegistry migrate` from zero, from a directory outside the checkout.
(The integration suite runs against PostgreSQL as a pass of its own: `make test`, docs/development.md.)

A throwaway server is started for this module (tests/support/postgres.py); it skips where PostgreSQL is
not installed, except in CI, where it fails.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from registry.db.migrate import known_migrations
from tests.support.postgres import ThrowawayPostgres

pytestmark = pytest.mark.postgres

REPO_ROOT = Path(__file__).resolve().parents[2]
AIREGISTRY = Path(sys.executable).parent / "airegistry"
TABLES = {"organization", "unit", "ai_system", "system_revision"}


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    with ThrowawayPostgres() as server:
        yield server


def _env(database_url: str | None = None, test_database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AIREG_DATABASE_URL", "AIREG_TEST_DATABASE_URL")}
    if database_url:
        env["AIREG_DATABASE_URL"] = database_url
    if test_database_url:
        env["AIREG_TEST_DATABASE_URL"] = test_database_url
    return env


async def _migrate(url: str, cwd: str) -> str:
    process = await asyncio.create_subprocess_exec(
        str(AIREGISTRY),
        "migrate",
        cwd=cwd,
        env=_env(database_url=url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text
    return text


async def _tables(url: str) -> set[str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await connection.close()
    return {row["tablename"] for row in rows}


async def test_migrate_from_zero_then_nothing(postgres: ThrowawayPostgres) -> None:
    assert AIREGISTRY.exists(), f"console script missing: {AIREGISTRY}"
    with tempfile.TemporaryDirectory(prefix="airegistry-cwd-") as cwd:  # the CLI must not need the checkout
        first = await _migrate(postgres.url, cwd)
        assert f"({len(known_migrations())} migration(s) applied now)" in first, first
        second = await _migrate(postgres.url, cwd)
        assert "(0 migration(s) applied now)" in second, second
    assert await _tables(postgres.url) >= TABLES
