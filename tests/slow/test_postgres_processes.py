"""Production shape on a real PostgreSQL: two `airegistry serve` processes (relay off) and four
`airegistry worker` relays, all separate processes sharing one data dir (so one set of keys) and one
database, with a real HTTP receiver on loopback checking every signature.

- The relays take a subscription's queue with SELECT ... FOR NO KEY UPDATE SKIP LOCKED and hold it
  under a lease: while no relay dies, no delivery reaches the receiver more often than the relays
  recorded attempts of it; when one relay is SIGKILLed mid-delivery, only the deliveries it held
  arrive twice, and nothing is lost; per subscription, events arrive in the order they were made.
  (Without the lock, or with leases ignored, this fails: duplicates, or nothing delivered at all.)
- The access log stays one linear chain while both API processes append to it at once: gap-free seq,
  each prev_hash the previous hash, one entry per request, and `airegistry access-log verify` agrees
  (on the database, and offline on an export).
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import json
import random
import signal
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from api.auth import TokenIssuer
from registry import Role
from registry.accesslog.signing import CheckpointSigner, public_key_pem
from tests.support.postgres import ThrowawayPostgres
from tests.support.processes import API, ProcessGroup, Service, prepare_data_dir, scratch_env
from tests.support.receiver import Receiver, Reply
from tests.support.registry_db import RegisterDatabase, check_access_log_chain
from tests.support.world import CVRS, SYSTEM_EVENTS, system_body

pytestmark = pytest.mark.postgres

# Short, so a killed relay's deliveries are taken over within seconds; the timeout must stay below it.
LEASE_SECONDS = 8.0
TIMEOUT_SECONDS = 3.0
WORKERS = 4
# Each relay holds at most two subscriptions' queues, so with eight subscriptions every relay gets work.
RELAY_CONCURRENCY = 2
SUBSCRIPTIONS = 8
CLIENTS = 8
QUIET_CHANGES = 100  # changes while no relay dies
KILL_CHANGES = 140  # changes during which one relay is SIGKILLed
SLOW_REPLY_SECONDS = 0.1  # while waiting to kill: relays then hold their leases mostly mid-send
DRAIN_TIMEOUT_SECONDS = 90.0
ACCESS_LOG_REQUESTS = 240


@dataclass
class Cluster:
    group: ProcessGroup
    apis: list[Service]
    workers: list[Service]
    receiver: Receiver
    database_url: str
    data_dir: Path
    issuer: TokenIssuer

    def headers(self, role: Role, org: str | None = None) -> dict[str, str]:
        token = self.issuer.issue(role=role, sub=f"test-{role.value}", org=org, ttl_seconds=7200)
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    work = tmp_path_factory.mktemp("processes")
    data_dir = work / "data"
    issuer = prepare_data_dir(data_dir)
    with ThrowawayPostgres() as postgres, Receiver() as receiver:
        env = scratch_env(
            data_dir,
            {
                "DATABASE_URL": postgres.url,
                "WEBHOOKS_RELAY": False,
                "WEBHOOKS_ALLOW_PRIVATE_TARGETS": True,
                "WEBHOOKS_TIMEOUT_SECONDS": TIMEOUT_SECONDS,
                "WEBHOOKS_LEASE_SECONDS": LEASE_SECONDS,
                "WEBHOOKS_CONCURRENCY": RELAY_CONCURRENCY,
                "WEBHOOKS_POLL_INTERVAL_SECONDS": 0.1,
            },
        )
        with ProcessGroup(work, env) as group:
            with group.logs_on_failure():
                group.cli("migrate")
                apis = [group.start_serve(f"api-{n}") for n in (1, 2)]
                workers = [group.worker(f"worker-{n}") for n in range(1, WORKERS + 1)]
                group.wait_healthy(*apis)
            yield Cluster(group, apis, workers, receiver, postgres.url, data_dir, issuer)


@asynccontextmanager
async def api_clients(cluster: Cluster) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One client per API process; each names its process in the User-Agent (the access log keeps it)."""
    clients = [
        httpx.AsyncClient(base_url=api.base_url, timeout=60, headers={"User-Agent": f"test-{api.name}"})
        for api in cluster.apis
    ]
    try:
        yield clients
    finally:
        for client in clients:
            await client.aclose()


async def create_org(client: httpx.AsyncClient, cluster: Cluster, cvr: str) -> tuple[str, dict[str, str]]:
    r = await client.post(
        f"{API}/organizations",
        json={"name": f"Organisation {cvr}", "cvr": cvr, "sector": "private", "cooperation_body": "SU"},
        headers=cluster.headers(Role.platform_admin),
    )
    assert r.status_code == 201, r.text
    org_id = str(r.json()["id"])
    return org_id, cluster.headers(Role.employer_admin, org_id)


# --- webhooks: changes, then reconciliation of the receiver's record with the database ---------------


@dataclass(frozen=True)
class Change:
    system_id: str
    version: int
    sent: float  # wall clock before the request left
    done: float  # ... and after its answer arrived: the change was committed in between


@dataclass
class Journal:
    changes: dict[str, list[Change]] = field(default_factory=lambda: defaultdict(list))

    def add(self, change: Change) -> None:
        self.changes[change.system_id].append(change)

    def change_of(self, system_id: str, created_us: int) -> Change:
        """The change whose transaction made an event of this system at this moment."""
        moment = created_us / 1_000_000
        for change in self.changes.get(system_id, []):
            if change.sent <= moment <= change.done:
                return change
        raise AssertionError(f"no change of system {system_id} was in flight at {moment}")


async def make_changes(
    clients: list[httpx.AsyncClient], admin: dict[str, str], org_id: str, total: int, journal: Journal
) -> None:
    """`total` changes by CLIENTS concurrent clients, each request to the next API process in turn:
    a client registers a system, then PATCHes it three times (its purpose, its status), then starts
    on a new one. Each change is journalled with when it was sent and when it was answered."""
    numbers = itertools.count()
    rng = random.Random(total)

    async def one_client(first: int) -> None:
        system_id, version, status, patches = "", 0, "pilot", 3
        for turn in itertools.count(first):
            n = next(numbers)
            if n >= total:
                return
            client = clients[turn % len(clients)]
            sent = time.time()
            if patches >= 3:
                r = await client.post(
                    f"{API}/organizations/{org_id}/systems",
                    json=system_body(name=f"System {n}"),
                    headers=admin,
                )
                assert r.status_code == 201, r.text
                system_id, status, patches = str(r.json()["id"]), "pilot", 0
            else:
                if patches % 2:
                    status = "in_use" if status == "pilot" else "pilot"
                    body: dict[str, Any] = {"status": status, "change_note": f"change {n}"}
                else:
                    body = {"purpose": f"Planlægger vagter (ændring {n}, {rng.random():.6f})."}
                r = await client.patch(
                    f"{API}/systems/{system_id}", json=body, headers={**admin, "If-Match": f'"{version}"'}
                )
                assert r.status_code == 200, r.text
                patches += 1
            version = int(r.json()["version"])
            journal.add(Change(system_id, version, sent, time.time()))

    await asyncio.gather(*(one_client(k) for k in range(CLIENTS)))


async def wait_delivered(db: RegisterDatabase, cluster: Cluster) -> dict[str, int]:
    """Until no delivery is pending; fails when it takes too long or every relay died."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    while True:
        counts = await db.delivery_counts()
        if counts and not counts.get("pending"):
            return counts
        assert any(worker.alive for worker in cluster.workers), "every relay has died"
        assert time.monotonic() < deadline, f"still pending after {DRAIN_TIMEOUT_SECONDS} s: {counts}"
        await asyncio.sleep(0.2)


@dataclass
class Reconciliation:
    deliveries: int = 0
    arrivals: int = 0
    duplicates: int = 0  # arrivals beyond the first of a delivery
    duplicates_explained_by_kill: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def summary(self) -> str:
        shown = "\n  ".join(self.problems[:25])
        return (
            f"{self.deliveries} deliveries, {self.arrivals} arrivals, {self.duplicates} duplicates "
            f"({self.duplicates_explained_by_kill} held by the killed relay); "
            f"{len(self.problems)} problems:\n  {shown}"
        )


async def reconcile(
    db: RegisterDatabase, receiver: Receiver, journal: Journal, *, killed_held: set[int]
) -> Reconciliation:
    """The receiver's record against the outbox. Every delivery succeeded and arrived, verified, at its
    subscriber's path; no subscription missed an event it wants. A delivery arrived at most as often as
    attempts of it were recorded, plus once if the killed relay held it: two relays sending the same
    delivery (a broken SKIP LOCKED or lease) would arrive once more than recorded, since only the
    current lease holder's outcome is kept. Per subscription, first arrivals keep the order of
    creation: the events of one change in id order, and those of a change answered before another
    was sent ahead of that one's."""
    result = Reconciliation()
    subscriptions = {
        str(row["id"]): row
        for row in await db.rows('SELECT "id", "url", "event_types" FROM "webhook_subscription"')
    }
    events = {
        int(row["id"]): row
        for row in await db.rows(
            'SELECT "id", "event_id", "type", "payload", "created_us" FROM "webhook_event"'
        )
    }
    deliveries = await db.rows(
        'SELECT "id", "subscription", "event", "status" FROM "webhook_delivery" ORDER BY "id"'
    )
    recorded = await recorded_attempts(db, result)
    arrivals = arrivals_by_id(receiver, result)
    first: dict[str, list[tuple[int, int, Change]]] = defaultdict(list)  # path -> (arrival, event, change)
    for row in deliveries:
        result.deliveries += 1
        delivery, event = int(row["id"]), events[int(row["event"])]
        path = urlsplit(subscriptions[str(row["subscription"])]["url"]).path
        came = arrivals.get((path, event["event_id"]), [])
        if row["status"] != "succeeded":
            result.problem(f"delivery {delivery} ended {row['status']}")
        if not came:
            result.problem(f"delivery {delivery} ({event['type']}) never reached {path}: lost")
            continue
        held = delivery in killed_held
        result.duplicates += len(came) - 1
        result.duplicates_explained_by_kill += (len(came) - 1) if held else 0
        if len(came) > recorded.get(delivery, 0) + held:
            result.problem(
                f"delivery {delivery} arrived {len(came)} times, {recorded.get(delivery, 0)} attempts "
                f"recorded{' (held by the killed relay)' if held else ''}: sent by two relays at once"
            )
        system_id = json.loads(event["payload"])["data"]["system_id"]
        first[path].append(
            (came[0], int(event["id"]), journal.change_of(system_id, int(event["created_us"])))
        )

    expected = set()
    for sub_id, sub in subscriptions.items():
        wanted = json.loads(sub["event_types"]) if isinstance(sub["event_types"], str) else sub["event_types"]
        expected |= {(sub_id, key) for key, event in events.items() if not wanted or event["type"] in wanted}
    found = {(str(row["subscription"]), int(row["event"])) for row in deliveries}
    for sub_id, key in sorted(expected - found)[:10]:
        result.problem(f"no delivery of event {key} to subscription {sub_id}")
    known = {(urlsplit(subscriptions[sub_id]["url"]).path, events[key]["event_id"]) for sub_id, key in found}
    for path, webhook_id in sorted(set(arrivals) - known)[:10]:
        result.problem(f"{path} received {webhook_id}, which is no delivery of that subscription")
    for path, firsts in first.items():
        for problem in order_violations(firsts)[:5]:
            result.problem(f"{path}: {problem}")
    return result


async def recorded_attempts(db: RegisterDatabase, result: Reconciliation) -> dict[int, int]:
    """How many attempts of each delivery the relays recorded; none may follow a success."""
    outcomes: dict[int, list[str]] = defaultdict(list)
    for row in await db.rows('SELECT "delivery", "outcome" FROM "webhook_attempt" ORDER BY "id"'):
        outcomes[int(row["delivery"])].append(str(row["outcome"]))
    for delivery, found in outcomes.items():
        if "succeeded" in found[:-1]:
            result.problem(f"delivery {delivery} was attempted again after it succeeded: {found}")
    return {delivery: len(found) for delivery, found in outcomes.items()}


def arrivals_by_id(receiver: Receiver, result: Reconciliation) -> dict[tuple[str, str], list[int]]:
    """(path, webhook-id) -> the positions of its arrivals among all POSTs; each must be verified."""
    arrivals: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, request in enumerate(receiver.requests()):
        arrivals[(request.path, request.headers.get("webhook-id", ""))].append(index)
        result.arrivals += 1
        if request.verified is not True:
            result.problem(f"{request.path} {request.headers.get('webhook-id')}: signature not verified")
    return arrivals


def order_violations(firsts: list[tuple[int, int, Change]]) -> list[str]:
    """Events of one subscription, as (first arrival, event id, change), whose first arrivals contradict
    the order they were made in."""
    problems = []
    # Changes answered before another was sent: all their events must have arrived before its events.
    by_done = sorted(firsts, key=lambda item: item[2].done)
    dones = [item[2].done for item in by_done]
    latest: list[tuple[int, int, Change]] = []  # per prefix of by_done, its latest first arrival
    for item in by_done:
        latest.append(item if not latest or item[0] > latest[-1][0] else latest[-1])
    for arrived, event, change in firsts:
        before = bisect.bisect_left(dones, change.sent)
        if before and latest[before - 1][0] > arrived:
            other = latest[before - 1]
            problems.append(
                f"event {event} (system {change.system_id} v{change.version}) arrived before event "
                f"{other[1]} (system {other[2].system_id} v{other[2].version}), made before it"
            )
    # The events of one change (one transaction) in the order of their ids.
    by_change: dict[int, list[tuple[int, int, Change]]] = defaultdict(list)
    for item in firsts:
        by_change[id(item[2])].append(item)
    for items in by_change.values():
        arrivals = [arrived for arrived, _, _ in sorted(items, key=lambda item: item[1])]
        if arrivals != sorted(arrivals):
            problems.append(
                f"the events {sorted(item[1] for item in items)} of one change arrived out of order"
            )
    return problems


HELD = """
SELECT d."id", s."url", e."event_id" FROM "webhook_delivery" d
JOIN "webhook_subscription" s ON s."id" = d."subscription" JOIN "webhook_event" e ON e."id" = d."event"
WHERE d."lease_owner" = {}"""


async def kill_a_relay_mid_delivery(db: RegisterDatabase, cluster: Cluster) -> tuple[Service, set[int]]:
    """SIGKILL a worker that holds leased deliveries of which the receiver already has one: it dies
    between sending and recording. Returns it and the deliveries it held (their rows keep its
    lease_owner until another relay takes them over, once the lease has run out). A candidate is
    frozen (SIGSTOP) while its rows are read, so what it holds cannot change before it dies; one not
    caught mid-delivery is let go on (SIGCONT) and the search goes on."""
    workers = {worker.pid: worker for worker in cluster.workers if worker.alive}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        owners = await db.rows(
            'SELECT DISTINCT "lease_owner" FROM "webhook_delivery" WHERE "lease_owner" IS NOT NULL'
        )
        for row in owners:
            owner = str(row["lease_owner"])  # relay-<pid>-<random>
            victim = workers.get(int(owner.split("-")[1]))
            if victim is None:
                continue
            victim.process.send_signal(signal.SIGSTOP)
            await asyncio.sleep(0.2)  # what it had already sent to the database is done by then
            held = await db.rows(HELD, owner)
            arrived = {(r.path, r.headers.get("webhook-id")) for r in cluster.receiver.requests()}
            if any((urlsplit(str(r["url"])).path, r["event_id"]) in arrived for r in held):
                victim.kill()
                return victim, {int(r["id"]) for r in held}
            victim.process.send_signal(signal.SIGCONT)
        await asyncio.sleep(0.01)
    raise AssertionError("no relay was caught mid-delivery within 30 s")


async def test_relays_lease_deliveries_and_lose_nothing_when_one_is_killed(cluster: Cluster) -> None:
    receiver = cluster.receiver
    with cluster.group.logs_on_failure():
        async with api_clients(cluster) as clients, RegisterDatabase(cluster.database_url) as db:
            org_id, admin = await create_org(clients[0], cluster, CVRS[0])
            paths = []
            for n in range(SUBSCRIPTIONS):
                path = f"/hooks/{n}"
                body: dict[str, Any] = {"url": receiver.url(path)}
                if n % 2:  # half of them follow the systems alone, half every event type
                    body["event_types"] = SYSTEM_EVENTS
                r = await clients[n % 2].post(
                    f"{API}/organizations/{org_id}/webhooks", json=body, headers=admin
                )
                assert r.status_code == 201, r.text
                receiver.set_secrets(path, r.json()["secret"])
                paths.append(path)
            journal = Journal()
            started, laps = time.monotonic(), {}

            # 1. No relay dies: every delivery arrives once (more only where a failed attempt was recorded).
            await make_changes(clients, admin, org_id, QUIET_CHANGES, journal)
            laps["quiet_changes"] = round(time.monotonic() - started, 1)
            await wait_delivered(db, cluster)
            laps["quiet_delivered"] = round(time.monotonic() - started, 1)
            quiet = await reconcile(db, receiver, journal, killed_held=set())
            assert not quiet.problems, quiet.summary()
            assert quiet.deliveries >= QUIET_CHANGES * SUBSCRIPTIONS, quiet.summary()

            # 2. One relay is SIGKILLed mid-delivery while changes go on; a fresh one replaces it.
            for path in paths:
                receiver.set_default(path, Reply(204, delay=SLOW_REPLY_SECONDS))
            changing = asyncio.create_task(make_changes(clients, admin, org_id, KILL_CHANGES, journal))
            try:
                victim, held = await kill_a_relay_mid_delivery(db, cluster)
            finally:
                for path in paths:
                    receiver.set_default(path, Reply(204))
            laps["killed"] = round(time.monotonic() - started, 1)
            cluster.workers.append(cluster.group.worker(f"worker-{len(cluster.workers) + 1}"))
            await changing
            laps["kill_changes"] = round(time.monotonic() - started, 1)
            await wait_delivered(db, cluster)
            laps["kill_delivered"] = round(time.monotonic() - started, 1)
            assert victim.process.returncode == -9
            after_kill = await reconcile(db, receiver, journal, killed_held=held)
            assert not after_kill.problems, after_kill.summary()
            # What it had sent before it died went again, from another relay, once its lease ran out.
            assert after_kill.duplicates_explained_by_kill >= 1, after_kill.summary()
            assert after_kill.deliveries >= (QUIET_CHANGES + KILL_CHANGES) * SUBSCRIPTIONS
            print(f"quiet phase: {quiet.summary()}\nwith a kill: {after_kill.summary()}\nseconds: {laps}")


# --- the access log --------------------------------------------------------------------------------


async def test_access_log_is_one_chain_with_two_api_processes(cluster: Cluster, tmp_path: Path) -> None:
    with cluster.group.logs_on_failure():
        async with api_clients(cluster) as clients, RegisterDatabase(cluster.database_url) as db:
            before = int(await db.value('SELECT COALESCE(MAX("seq"), 0) FROM "access_log"'))
            sent: list[str] = []  # the X-Request-ID of every request this test makes, each one entry

            async def call(n: int, method: str, url: str, **kwargs: Any) -> httpx.Response:
                request_id = f"chain-{n}-{uuid.uuid4().hex[:8]}"
                sent.append(request_id)
                headers = {**kwargs.pop("headers", {}), "X-Request-ID": request_id}
                return await clients[n % 2].request(method, url, headers=headers, **kwargs)

            org_id, admin = await create_org(clients[0], cluster, CVRS[1])
            untagged = 1  # create_org's request, with a request id the server made
            systems: dict[str, int] = {}
            for n in range(6):
                r = await call(
                    n, "POST", f"{API}/organizations/{org_id}/systems", json=system_body(), headers=admin
                )
                assert r.status_code == 201, r.text
                systems[str(r.json()["id"])] = 1
            ids = list(systems)

            async def mixed(n: int, gate: asyncio.Semaphore) -> int:
                system = ids[n % len(ids)]
                async with gate:
                    match n % 6:
                        case 0:
                            r = await call(n, "GET", f"{API}/systems/{system}", headers=admin)
                        case 1 | 4:
                            r = await call(
                                n,
                                "PATCH",
                                f"{API}/systems/{system}",
                                json={"purpose": f"Ændring {n}."},
                                headers={**admin, "If-Match": f'"{systems[system]}"'},
                            )
                            if r.status_code == 200:
                                systems[system] = max(systems[system], int(r.json()["version"]))
                        case 2:
                            r = await call(
                                n, "GET", f"{API}/organizations/{org_id}/systems?limit=5", headers=admin
                            )
                        case 3:
                            r = await call(n, "GET", f"{API}/systems/{system}/revisions", headers=admin)
                        case _:
                            r = await call(n, "GET", f"{API}/systems/{uuid.uuid4()}", headers=admin)
                return r.status_code

            gate = asyncio.Semaphore(32)
            statuses = Counter(await asyncio.gather(*(mixed(n, gate) for n in range(ACCESS_LOG_REQUESTS))))
            assert not [s for s in statuses if s >= 500], statuses
            assert statuses[200] > ACCESS_LOG_REQUESTS / 2, statuses

            entries = await check_access_log_chain(db)
            mine = [entry for entry in entries if int(entry["seq"]) > before]
            assert len(mine) == len(sent) + untagged, (
                f"{len(mine)} entries for {len(sent) + untagged} requests"
            )
            tagged = Counter(e["request_id"] for e in mine if str(e["request_id"]).startswith("chain-"))
            assert tagged == Counter(sent), "not exactly one entry per request"
            # Both processes appended, their entries interleaved in the one chain.
            agents = [entry["user_agent"] for entry in mine]
            switches = sum(1 for a, b in itertools.pairwise(agents) if a != b)
            assert set(agents) == {"test-api-1", "test-api-2"}, Counter(agents)
            assert switches >= 20, f"the two processes' entries hardly interleave ({switches} switches)"

            # The product's own verifiers agree: the stored chain, and an export checked offline.
            signed = cluster.group.cli("access-log", "checkpoint")  # the tail since the last signature
            assert signed.stdout.startswith("signed checkpoint"), signed.stdout
            stored = cluster.group.cli("access-log", "verify", "--database")
            assert stored.stdout.startswith(f"OK: {len(entries)} entries"), stored.stdout
            now = datetime.now(UTC)
            export = await clients[1].get(
                f"{API}/access-log",
                params={
                    "from": (now - timedelta(days=1)).isoformat(),
                    "to": (now + timedelta(days=1)).isoformat(),
                    "format": "jsonl",
                },
                headers=cluster.headers(Role.auditor),
            )
            assert export.status_code == 200, export.text
            exported, key = tmp_path / "access-log.jsonl", tmp_path / "register.pem"
            exported.write_bytes(export.content)
            key.write_text(public_key_pem(CheckpointSigner.from_data_dir(cluster.data_dir).public_key))
            offline = cluster.group.cli("access-log", "verify", str(exported), "--public-key", str(key))
            assert offline.stdout.startswith("OK: "), offline.stdout
            verified = int(offline.stdout.split()[1])
            assert verified >= len(entries), offline.stdout
