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
                json={"url": f"{PUBLIC_RECEIVER}/{i}", "description": f"Fagforeningens sagssystem {i}"},
                headers=self.headers("employer_admin", i),
            )
            assert r.status_code == 201, r.text
            self.webhooks.append(r.json()["id"])
            r = await self.client.post(
                f"{API}/webhooks/{self.webhooks[i]}/test", headers=self.headers("employer_admin", i)
            )
            assert r.status_code == 202, r.text
            self.deliveries.append(r.json()["id"])
        return self
