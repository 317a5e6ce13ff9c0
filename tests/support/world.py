"""Shared helpers of the HTTP tests: valid bodies, headers, and a small two-organization world."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

API = "/api/v1"
TokenFactory = Callable[..., str]


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


# What the world's subscriptions follow (a change also raises finding and APV events; the tests that
# count deliveries count these).
SYSTEM_EVENTS = ["system.registered", "system.updated", "system.status_changed", "system.retired"]
# A public address (nothing is sent to it: no relay runs in the suite unless a test starts one).
PUBLIC_RECEIVER = "https://93.184.215.14/hooks"


class World:
    """Two organizations with a unit each and one AI system each, plus tokens for every role."""

    def __init__(self, client: httpx.AsyncClient, token: TokenFactory) -> None:
        self.client = client
        self.token = token
        self.orgs: list[str] = []
        self.units: list[str] = []
        self.systems: list[str] = []
        self.webhooks: list[str] = []
        self.deliveries: list[str] = []
        self.questions: list[str] = []  # filled by ask_questions(), for the tests that need them
        self.reassessments: list[str] = []  # filled by open_reassessments()
        self.cards: list[str] = []  # product cards of the shared catalogue
        self.members: list[str] = []  # one invited member per organization

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
            r = await self.client.post(
                f"{API}/organizations/{self.orgs[i]}/webhooks",
                json={
                    "url": f"{PUBLIC_RECEIVER}/{i}",
                    "description": f"Fagforeningens sagssystem {i}",
                    "event_types": SYSTEM_EVENTS,
                },
                headers=self.headers("employer_admin", i),
            )
            assert r.status_code == 201, r.text
            self.webhooks.append(r.json()["id"])
            r = await self.client.post(
                f"{API}/webhooks/{self.webhooks[i]}/test", headers=self.headers("employer_admin", i)
            )
            assert r.status_code == 202, r.text
            self.deliveries.append(r.json()["id"])
            r = await self.client.post(
                f"{API}/organizations/{self.orgs[i]}/members",
                json={"email": f"medlem{i}@example.com", "name": f"Medlem {i}", "role": "auditor"},
                headers=self.headers("employer_admin", i),
            )
            assert r.status_code == 201, r.text
            self.members.append(r.json()["id"])
        r = await self.client.post(
            f"{API}/products",
            json={"vendor": "Eksempel Software A/S", "product": "RutePlan", "provider_role": "provider"},
            headers=self.headers("platform_admin", None),
        )
        assert r.status_code == 201, r.text
        self.cards.append(r.json()["id"])
        return self

    async def ask_questions(self) -> list[str]:
        """One open question per organization, on its system, asked by its steward."""
        for i, system in enumerate(self.systems[len(self.questions) :], len(self.questions)):
            r = await self.client.post(
                f"{API}/systems/{system}/questions",
                json={"text": f"Hvem ser resultaterne? (spørgsmål {i})"},
                headers=self.headers("steward", i),
            )
            assert r.status_code == 201, r.text
            self.questions.append(r.json()["id"])
        return self.questions

    async def open_reassessments(self) -> list[str]:
        """One open APV reassessment per organization: a second system goes into use in its unit."""
        for i, org in enumerate(self.orgs[len(self.reassessments) :], len(self.reassessments)):
            admin = self.headers("employer_admin", i)
            r = await self.client.post(
                f"{API}/organizations/{org}/systems",
                json=system_body(name="Vagtplan-AI", status="in_use", unit_ids=[self.units[i]]),
                headers=admin,
            )
            assert r.status_code == 201, r.text
            r = await self.client.get(f"{API}/organizations/{org}/apv-reassessments", headers=admin)
            assert r.status_code == 200, r.text
            self.reassessments.append(r.json()[0]["id"])
        return self.reassessments


class SharedWorld:
    """One `World` for many tests, built again only when the database was emptied since (the tests
    that use it must leave the register as they found it)."""

    def __init__(self) -> None:
        self._world: World | None = None
        self._generation = -1

    async def get(self, client: httpx.AsyncClient, token: TokenFactory) -> World:
        from tests.support import database

        if self._world is None or self._generation != database.generation:
            await database.reset()
            world = await World(client, token).build()
            await world.ask_questions()
            await world.open_reassessments()
            self._world, self._generation = world, database.generation
        self._world.client = client  # each test has a client of its own
        return self._world
