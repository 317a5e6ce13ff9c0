"""Test session: a real database (a fresh SQLite file, a throwaway PostgreSQL server of this process's
own with AIREG_TEST_ENGINE=postgresql, or the database named by AIREG_TEST_DATABASE_URL: see
tests/support/database.py), migrated once per process; the app served in-process.

Integration tests get an empty database before each test (tests/integration/conftest.py); unit tests
touch no database at all."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

_SCRATCH = Path(tempfile.mkdtemp(prefix="airegistry-tests-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)
# Before anything asks Piccolo for its engine (it reads these once, on first use).
os.environ["AIREG_DATA_DIR"] = str(_SCRATCH)
os.environ.pop("AIREG_DATABASE_URL", None)
# Exports are rate-limited per auditor; the suite exports often (one test checks the limit itself).
os.environ["AIREG_ACCESS_LOG_EXPORTS_PER_MINUTE"] = "10000"

from api.app import create_app  # noqa: E402
from api.auth import TokenIssuer  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
from registry import Role  # noqa: E402
from registry.composition import compose  # noqa: E402
from registry.db.migrate import migrate  # noqa: E402
from tests.support import database  # noqa: E402
from tests.support.world import TokenFactory, World  # noqa: E402
from webhooks.outbox import OutboxSink  # noqa: E402
from webhooks.runtime import WebhookRuntime  # noqa: E402
from webhooks.settings import WebhookSettings  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    # Under pytest-xdist the controller runs no test: only the processes that do get a database.
    controller = bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")
    if not controller:
        database.start_engine(_SCRATCH)
        # As the served app does (create_app composes again with its own settings).
        compose(OutboxSink())


@pytest.fixture(scope="session")
async def migrated_database() -> None:
    await migrate()


@pytest.fixture
async def empty_database(migrated_database: None) -> None:
    """An empty, migrated database for this test (integration tests have it without asking)."""
    await database.reset()


@pytest.fixture(scope="session")
def settings() -> ApiSettings:
    return ApiSettings(data_dir=_SCRATCH)


@pytest.fixture(scope="session")
def app(settings: ApiSettings) -> Any:
    return create_app(settings)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://register.test"
    ) as c:
        yield c


@pytest.fixture(scope="session")
def local_webhooks() -> WebhookRuntime:
    """Webhooks as a developer runs them: loopback and http targets allowed, short timeouts."""
    settings = WebhookSettings(
        data_dir=_SCRATCH,
        webhooks_allow_private_targets=True,
        webhooks_timeout_seconds=2,
        webhooks_lease_seconds=5,
    )
    return WebhookRuntime.from_settings(settings)


@pytest.fixture(scope="session")
def local_app(settings: ApiSettings, local_webhooks: WebhookRuntime) -> Any:
    """The same app and database, with webhooks allowed to reach a receiver on this machine."""
    return create_app(settings, webhooks=local_webhooks)


@pytest.fixture
async def local_client(local_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=local_app), base_url="http://register.test"
    ) as c:
        yield c


@pytest.fixture(scope="session")
def issuer(settings: ApiSettings) -> TokenIssuer:
    return TokenIssuer.from_settings(settings)


@pytest.fixture(scope="session")
def token(issuer: TokenIssuer) -> TokenFactory:
    def make(
        role: str,
        org: str | None = None,
        *,
        sub: str | None = None,
        units: list[str] | None = None,
        ttl: int | None = None,
    ) -> str:
        return issuer.issue(role=Role(role), sub=sub or f"test-{role}", org=org, units=units, ttl_seconds=ttl)

    return make


@pytest.fixture
async def world(client: httpx.AsyncClient, token: TokenFactory) -> World:
    return await World(client, token).build()
