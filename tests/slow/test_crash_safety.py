"""Crash safety: `airegistry serve` SIGKILLed in the middle of concurrent writes leaves no partial
change behind, on PostgreSQL and on the embedded SQLite file.

Each change of an AI system writes, in one transaction, the system's new version, its revision, its
events in the outbox and a delivery per subscription. After the kill, the database holds each
system's revisions 1..version exactly once, each revision with its one system event and that event's
deliveries, no event or delivery without the change it belongs to, every change a client saw
acknowledged, and an access log that is one verifiable chain holding every acknowledged request.
Then the server starts again and serves, and its relay delivers everything, nothing lost to the crash.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from registry import Role
from tests.support.processes import API, ProcessGroup, Service, prepare_data_dir, scratch_env
from tests.support.receiver import Receiver
from tests.support.registry_db import RegisterDatabase, check_access_log_chain
from tests.support.world import CVRS, SYSTEM_EVENTS, system_body

WRITERS = 12
KILL_AFTER_WRITES = 40  # acknowledged writes before the kill; the other writers are mid-request then
DRAIN_TIMEOUT_SECONDS = 60.0


class Writers:
    """Concurrent clients registering systems and PATCHing them, until the server stops answering.
    Keeps what the server acknowledged: each change (system, version) and each request id."""

    def __init__(self, client: httpx.AsyncClient, org_id: str, admin: dict[str, str]) -> None:
        self.client = client
        self.org_id = org_id
        self.admin = admin
        self.changes: set[tuple[str, int]] = set()
        self.requests: set[str] = set()
        self.failures: Counter[str] = Counter()
        self.enough = asyncio.Event()
        self._numbers = itertools.count()

    async def _send(
        self, method: str, url: str, body: dict[str, Any], if_match: str | None
    ) -> dict[str, Any]:
        request_id = f"crash-{next(self._numbers)}"
        headers = {**self.admin, "X-Request-ID": request_id}
        if if_match is not None:
            headers["If-Match"] = if_match
        r = await self.client.request(method, url, json=body, headers=headers)
        assert r.status_code in (200, 201), f"{method} {url}: {r.status_code} {r.text}"
        self.requests.add(request_id)
        return dict(r.json())

    async def write(self, writer: int) -> None:
        system_id, version = "", 0
        try:
            for turn in itertools.count():
                if turn % 4 == 0:
                    body = system_body(name=f"System {writer}-{turn}")
                    created = await self._send(
                        "POST", f"{API}/organizations/{self.org_id}/systems", body, None
                    )
                    system_id, version = str(created["id"]), int(created["version"])
                else:
                    status = "in_use" if turn % 2 else "pilot"
                    body = {"purpose": f"Ændring {writer}-{turn}.", "status": status}
                    changed = await self._send("PATCH", f"{API}/systems/{system_id}", body, f'"{version}"')
                    version = int(changed["version"])
                self.changes.add((system_id, version))
                if len(self.changes) >= KILL_AFTER_WRITES:
                    self.enough.set()
        except httpx.TransportError as exc:  # the server is gone
            self.failures[type(exc).__name__] += 1


async def check_database(db: RegisterDatabase, writers: Writers) -> dict[str, int]:
    """Everything the crash could have torn apart, checked row by row; returns some counts."""
    systems = {
        str(row["id"]): int(row["version"])
        for row in await db.rows('SELECT "id", "version" FROM "ai_system"')
    }
    revisions = Counter(
        (str(row["system"]), int(row["version"]))
        for row in await db.rows('SELECT "system", "version" FROM "system_revision"')
    )
    orphans = await db.rows(
        'SELECT r."id" FROM "system_revision" r LEFT JOIN "ai_system" s ON s."id" = r."system" '
        'WHERE s."id" IS NULL'
    )
    assert not orphans, f"revisions without their system: {orphans[:5]}"
    versions: dict[str, list[int]] = defaultdict(list)
    for (system_id, version), times in revisions.items():
        versions[system_id] += [version] * times
    for system_id, version in systems.items():
        have = sorted(versions[system_id])
        assert have == list(range(1, version + 1)), f"system {system_id} at v{version} has revisions {have}"
    lost = writers.changes - set(revisions)
    assert not lost, f"acknowledged changes missing after the crash: {sorted(lost)[:5]}"

    subscriptions = {
        str(row["id"]): json.loads(row["event_types"])
        if isinstance(row["event_types"], str)
        else row["event_types"]
        for row in await db.rows('SELECT "id", "event_types" FROM "webhook_subscription"')
    }
    events = {
        int(row["id"]): row for row in await db.rows('SELECT "id", "type", "payload" FROM "webhook_event"')
    }
    system_events: Counter[tuple[str, int]] = Counter()
    for event in events.values():
        data = json.loads(event["payload"])["data"]
        assert data["system_id"] in systems, (
            f"event {event['id']} ({event['type']}) of a system that does not exist"
        )
        if str(event["type"]).startswith("system."):
            system_events[(data["system_id"], int(data["version"]))] += 1
    assert set(system_events) == set(revisions), (
        f"revisions without their event: {sorted(set(revisions) - set(system_events))[:5]}; "
        f"events without their revision: {sorted(set(system_events) - set(revisions))[:5]}"
    )
    assert set(system_events.values()) == {1}, "a revision with more than one system event"

    deliveries = defaultdict(list)
    for row in await db.rows('SELECT "subscription", "event" FROM "webhook_delivery"'):
        deliveries[int(row["event"])].append(str(row["subscription"]))
    assert set(deliveries) <= set(events), "deliveries of events that do not exist"
    for key, event in events.items():
        wanted = sorted(s for s, types in subscriptions.items() if not types or event["type"] in types)
        assert sorted(deliveries[key]) == wanted, (
            f"event {key} ({event['type']}) has deliveries {deliveries[key]}"
        )

    entries = await check_access_log_chain(db)
    logged = {entry["request_id"] for entry in entries}
    missing = writers.requests - logged
    assert not missing, f"acknowledged requests missing from the access log: {sorted(missing)[:5]}"
    return {
        "systems": len(systems),
        "revisions": revisions.total(),
        "events": len(events),
        "entries": len(entries),
    }


async def wait_delivered(db: RegisterDatabase, server: Service) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    while (counts := await db.delivery_counts()).get("pending"):
        assert server.alive, "the server died"
        assert time.monotonic() < deadline, f"still pending after {DRAIN_TIMEOUT_SECONDS} s: {counts}"
        await asyncio.sleep(0.2)
    assert set(counts) == {"succeeded"}, counts


async def test_a_server_killed_mid_write_leaves_no_partial_change(database_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    issuer = prepare_data_dir(data_dir)

    def headers(role: Role, org: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {issuer.issue(role=role, sub=f'crash-{role.value}', org=org)}"}

    env = scratch_env(
        data_dir,
        {
            "DATABASE_URL": database_url,
            "WEBHOOKS_ALLOW_PRIVATE_TARGETS": True,
            "WEBHOOKS_TIMEOUT_SECONDS": 2,
            "WEBHOOKS_LEASE_SECONDS": 4,  # the killed relay's deliveries are taken over soon after
        },
    )
    with Receiver() as receiver, ProcessGroup(tmp_path, env) as group, group.logs_on_failure():
        group.cli("migrate")
        server = group.serve("api")  # with the relay inside
        async with (
            httpx.AsyncClient(
                base_url=server.base_url, timeout=30, limits=httpx.Limits(max_connections=WRITERS)
            ) as client,
            RegisterDatabase(database_url) as db,
        ):
            r = await client.post(
                f"{API}/organizations",
                json={"name": "Crash A/S", "cvr": CVRS[2], "sector": "private", "cooperation_body": "SU"},
                headers=headers(Role.platform_admin),
            )
            assert r.status_code == 201, r.text
            org_id = str(r.json()["id"])
            admin = headers(Role.employer_admin, org_id)
            for path, types in (("/all", None), ("/systems", SYSTEM_EVENTS)):
                r = await client.post(
                    f"{API}/organizations/{org_id}/webhooks",
                    json={"url": receiver.url(path), "event_types": types},
                    headers=admin,
                )
                assert r.status_code == 201, r.text
                receiver.set_secrets(path, r.json()["secret"])

            writers = Writers(client, org_id, admin)
            writing = [asyncio.create_task(writers.write(n)) for n in range(WRITERS)]
            await asyncio.wait_for(writers.enough.wait(), timeout=60)
            server.kill()
            await asyncio.wait_for(asyncio.gather(*writing), timeout=60)
            assert writers.failures, "no write was cut off by the kill"
            counts = await check_database(db, writers)

            # The server starts again over what the crash left, serves reads and writes, and its relay
            # delivers every event, those the killed relay held included.
            server = group.serve("api-restarted")
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as again:
                systems = await db.rows('SELECT "id", "version" FROM "ai_system"')
                for row in systems[:10]:
                    r = await again.get(f"{API}/systems/{row['id']}", headers=admin)
                    assert r.status_code == 200, r.text
                    assert r.headers["etag"] == f'"{row["version"]}"'
                r = await again.patch(
                    f"{API}/systems/{systems[0]['id']}",
                    json={"purpose": "Efter genstarten."},
                    headers={**admin, "If-Match": f'"{systems[0]["version"]}"'},
                )
                assert r.status_code == 200, r.text
                r = await again.post(
                    f"{API}/organizations/{org_id}/systems", json=system_body(), headers=admin
                )
                assert r.status_code == 201, r.text
                r = await again.get(f"{API}/systems/{uuid.uuid4()}", headers=admin)
                assert r.status_code == 404, r.text
            await wait_delivered(db, server)
            arrived = {(q.path, q.headers["webhook-id"]) for q in receiver.requests() if q.verified}
            expected = {
                (urlsplit(str(row["url"])).path, str(row["event_id"]))
                for row in await db.rows(
                    'SELECT s."url", e."event_id" FROM "webhook_delivery" d '
                    'JOIN "webhook_subscription" s ON s."id" = d."subscription" '
                    'JOIN "webhook_event" e ON e."id" = d."event"'
                )
            }
            assert expected <= arrived, f"{len(expected - arrived)} deliveries never arrived"
            await check_database(db, writers)
        # Killed, the server signed no last checkpoint: its last entries are chained, not yet signed.
        verified = group.cli("access-log", "verify", "--database", "--allow-unsigned-tail")
        assert verified.stdout.startswith("OK: "), verified.stdout
        print(f"after the crash: {counts}; cut off: {dict(writers.failures)}; {verified.stdout.strip()}")
