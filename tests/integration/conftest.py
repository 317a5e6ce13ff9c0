"""Integration tests: each starts from an empty, migrated database (SQLite, or PostgreSQL in the
second pass of `make test`) and reaches the app in-process. A test that asks for `shared_world` starts
instead from the world that tests before it built and left unchanged (tests/support/world.py)."""

from __future__ import annotations

import httpx
import pytest

from tests.support import database
from tests.support.mail import smtp  # noqa: F401  (the fixture: a real SMTP server on loopback)
from tests.support.pages import browser  # noqa: F401  (the fixture, for every page test)
from tests.support.world import SharedWorld, TokenFactory, World

_shared = SharedWorld()


@pytest.fixture(autouse=True)
async def _each_test_starts_empty(request: pytest.FixtureRequest, migrated_database: None) -> None:
    if "shared_world" not in request.fixturenames:
        await database.reset()


@pytest.fixture
async def shared_world(client: httpx.AsyncClient, token: TokenFactory) -> World:
    """The two-organization world with questions and open APV reassessments, built once and shared by
    the tests that leave it as they found it (reads, and refused writes: they check that nothing
    changed). Rebuilt when another test emptied the database in between."""
    return await _shared.get(client, token)
