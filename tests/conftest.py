"""Test session: a real database (a fresh SQLite file, or the PostgreSQL server named by
AIREG_TEST_DATABASE_URL), migrated once, emptied before each test; the app served in-process."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

_SCRATCH = Path(tempfile.mkdtemp(prefix="airegistry-tests-"))
# Before anything imports piccolo_conf: the engine is chosen from these at import time.
os.environ["AIREG_DATA_DIR"] = str(_SCRATCH)
if os.environ.get("AIREG_TEST_DATABASE_URL"):
    os.environ["AIREG_DATABASE_URL"] = os.environ["AIREG_TEST_DATABASE_URL"]
else:
    os.environ.pop("AIREG_DATABASE_URL", None)

from api.app import create_app  # noqa: E402
from api.auth import TokenIssuer  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
from registry import Role  # noqa: E402
from registry.schema import migrate  # noqa: E402
from registry.tables import AISystem, Organization, SystemRevision, Unit  # noqa: E402

API = "/api/v1"
TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def settings() -> ApiSettings:
    return ApiSettings(data_dir=_SCRATCH)


@pytest.fixture(scope="session", autouse=True)
async def migrated_database() -> None:
    await migrate()


@pytest.fixture(autouse=True)
async def empty_database(migrated_database: None) -> None:
    # Tests start from nothing. (The app itself never deletes these rows.)
    for table in (SystemRevision, AISystem, Unit, Organization):
        await table.delete(force=True)


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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# Valid CVR numbers (modulus 11).
CVRS = ["29189919", "10150817", "25313763", "12345674", "30079191", "30142543", "30182138"]


def system_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Ruteplanlægning i hjemmeplejen",
        "vendor": "Eksempel Software A/S",
        "purpose": "Planlægger besøg og køreruter for hjemmeplejens medarbejdere.",
        "category": "decision_support",
        "control_measure": False,
        "status": "pilot",
    }
    body.update(overrides)
    return body


class World:
    """Two organizations with a unit each and one AI system each, plus tokens for every role."""

    def __init__(self, client: httpx.AsyncClient, token: TokenFactory) -> None:
        self.client = client
        self.token = token
        self.orgs: list[str] = []
        self.units: list[str] = []
        self.systems: list[str] = []

    def headers(self, role: str, org_index: int | None = 0, **kwargs: Any) -> dict[str, str]:
        org = self.orgs[org_index] if org_index is not None and role != "platform_admin" else None
        return bearer(self.token(role, org, **kwargs))

    async def build(self, count: int = 2) -> World:
        for i in range(count):
            r = await self.client.post(
                f"{API}/organizations",
                json={
                    "name": f"Organisation {i}",
                    "cvr": CVRS[i],
                    "sector": "public",
                    "cooperation_body": "MED",
                },
                headers=self.headers("platform_admin", None),
            )
            assert r.status_code == 201, r.text
            self.orgs.append(r.json()["id"])
            r = await self.client.post(
                f"{API}/organizations/{self.orgs[i]}/units",
                json={"name": "Hjemmeplejen", "committee": "lokal-MED", "headcount": 120},
                headers=self.headers("employer_admin", i),
            )
            assert r.status_code == 201, r.text
            self.units.append(r.json()["id"])
            r = await self.client.post(
                f"{API}/organizations/{self.orgs[i]}/systems",
                json=system_body(unit_ids=[self.units[i]]),
                headers=self.headers("employer_admin", i),
            )
            assert r.status_code == 201, r.text
            self.systems.append(r.json()["id"])
        return self


@pytest.fixture
async def world(client: httpx.AsyncClient, token: TokenFactory) -> World:
    return await World(client, token).build()
