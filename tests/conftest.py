"""Test session: a real database (a fresh SQLite file, or the PostgreSQL server named by
AIREG_TEST_DATABASE_URL), migrated once, emptied before each test; the app served in-process."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

_SCRATCH = Path(tempfile.mkdtemp(prefix="airegistry-tests-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)
# Before anything imports piccolo_conf: the engine is chosen from these at import time.
os.environ["AIREG_DATA_DIR"] = str(_SCRATCH)
if os.environ.get("AIREG_TEST_DATABASE_URL"):
    os.environ["AIREG_DATABASE_URL"] = os.environ["AIREG_TEST_DATABASE_URL"]
else:
    os.environ.pop("AIREG_DATABASE_URL", None)
# Exports are rate-limited per auditor; the suite exports often (one test checks the limit itself).
os.environ["AIREG_ACCESS_LOG_EXPORTS_PER_MINUTE"] = "10000"

from api.app import create_app  # noqa: E402
from api.auth import TokenIssuer  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
from registry import Role  # noqa: E402
from registry.accesslog.tables import AccessLogCheckpoint, AccessLogEntry  # noqa: E402
from registry.questions_tables import Answer, Question  # noqa: E402
from registry.schedule_tables import ScheduledRun  # noqa: E402
from registry.schema import migrate  # noqa: E402
from registry.session_tables import BrowserSession, LoginLink, SystemVisit  # noqa: E402
from registry.tables import (  # noqa: E402
    AISystem,
    ApvReassessment,
    Organization,
    SystemFinding,
    SystemRevision,
    Unit,
)
from tests.support.postgres import ThrowawayPostgres  # noqa: E402
from tests.support.world import TokenFactory, World  # noqa: E402
from webhooks.runtime import WebhookRuntime  # noqa: E402
from webhooks.settings import WebhookSettings  # noqa: E402
from webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription  # noqa: E402


@pytest.fixture(scope="session")
def settings() -> ApiSettings:
    return ApiSettings(data_dir=_SCRATCH)


@pytest.fixture(scope="session", autouse=True)
async def migrated_database() -> None:
    await migrate()


@pytest.fixture(autouse=True)
async def empty_database(migrated_database: None) -> None:
    # Tests start from nothing. (The app itself never deletes these rows.)
    for table in (
        AccessLogCheckpoint,
        AccessLogEntry,
        WebhookAttempt,
        WebhookDelivery,
        WebhookEvent,
        WebhookSubscription,
        Answer,
        Question,
        SystemVisit,
        BrowserSession,
        LoginLink,
        ApvReassessment,
        SystemFinding,
        SystemRevision,
        AISystem,
        Unit,
        Organization,
        ScheduledRun,
    ):
        await table.delete(force=True)


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """For tests that start their own `airegistry` processes, once per engine: a SQLite file in the
    test's data dir, or a throwaway PostgreSQL server of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'registry.db'}"
        return
    with ThrowawayPostgres() as postgres:
        yield postgres.url


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
