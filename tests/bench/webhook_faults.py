"""Webhook fault injection: every change reaches every subscriber although the relay is SIGKILLed at
random moments and the receiver fails half the time.

    .venv/bin/python tests/bench/webhook_faults.py                 # 10,000 changes, 2 subscribers
    .venv/bin/python tests/bench/webhook_faults.py --changes 500 --kill-every 2 --seed 7

1. A scratch data dir (AIREG_DATA_DIR) with AIREG_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true (the receivers
   listen on 127.0.0.1), a 2 s delivery timeout and a 3 s lease (a killed relay's deliveries are
   taken over quickly), a short retry schedule (AIREG_WEBHOOKS_RETRY_SCHEDULE_SECONDS; the real one
   waits 5 s, then 5 min, ...) and `airegistry migrate`.
2. One receiver process per subscriber (`python -m tests.support.receiver`), each verifying the
   Standard Webhooks signature with that subscriber's secret alone, so `verified` in its record means
   "signed with the right secret for this path". Each fails --fail-rate of the POSTs with 500 and,
   with probability --receiver-kill-rate, SIGKILLs the relay right after a 2xx reply went out: the
   relay dies between the receiver's answer and its own bookkeeping.
3. `airegistry serve` (AIREG_WEBHOOKS_RELAY=false) on a free port; an organization made with a
   platform_admin token, an employer_admin token from `airegistry token issue`; --subscribers
   subscriptions (odd ones only want system.registered and system.updated, so filtering is checked
   too), their secrets written to the receivers' secret files.
4. A supervisor thread keeps `airegistry worker` running: it SIGKILLs it at random moments
   (exponential intervals, mean --kill-every seconds) and restarts it whenever it has died, writing
   the new PID to the file the receivers kill through.
5. --changes changes through the API with httpx (--concurrency clients): systems registered, then
   PATCHed with If-Match (purpose edits and status changes). Then the worker runs until no delivery
   is pending (read with sqlite3). Deliveries that ended `failed` (all attempts used up) are
   reported and redelivered through the API (same webhook-id), as an operator would, until none is
   left.
6. Reconciliation, from the database and the receivers' records: every delivery row's webhook-id was
   accepted (2xx) at least once, with a verified signature, at its subscriber's path; every event
   reached every subscription that existed when it was made and wants its type (and no other);
   duplicates (one webhook-id accepted twice on one path) are counted and must carry identical
   bodies, equal to the stored payload; first arrivals per path come in the order of the events.

Prints a summary and exits 1 when anything is lost or wrong. `run()` is the same, for tests.
Only 127.0.0.1 is used; every process is stopped at the end, on errors and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import logging
import os
import random
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.docs_block import DOCS, write_block  # noqa: E402 - after the sys.path insert above
from tests.bench.machine import pinned  # noqa: E402
from tests.bench.processes import (  # noqa: E402
    HOST,
    Proc,
    airegistry,
    cli,
    exit_on_signals,
    free_port,
    log_tail,
    spawn,
    start,
    stop_process,
)

API = "/api/v1"
SCRIPT = ".venv/bin/python tests/bench/webhook_faults.py"
# The setting this script needs from the product (see `retry_schedule_supported`).
RETRY_SCHEDULE_ENV = "AIREG_WEBHOOKS_RETRY_SCHEDULE_SECONDS"
RETRY_SCHEDULE_FIELD = "webhooks_retry_schedule_seconds"
# Short waits, 8 attempts like the real schedule: with 50% failures a delivery needs two attempts on
# average, and one subscription's deliveries go out one after the other, so the waits add up.
DEFAULT_RETRY_SCHEDULE = "0,0.02,0.05,0.1,0.1,0.1,0.1,0.1"
ORG_BODY = {"name": "Fejlinjektion A/S", "cvr": "29189919", "sector": "private", "cooperation_body": "SU"}
FILTERED_TYPES = ["system.registered", "system.updated"]

Log = Callable[[str], None]


def log(message: str) -> None:
    print(f"[webhook-faults {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Blocked(RuntimeError):
    """The product lacks something the run needs (reported, not worked around)."""


def retry_schedule_supported() -> bool:
    """True when webhooks/settings.py has the retry-schedule setting this script sets."""
    from webhooks.settings import WebhookSettings

    return RETRY_SCHEDULE_FIELD in WebhookSettings.model_fields


# --- processes -------------------------------------------------------------------------------------


def scratch_env(data_dir: Path, **settings: Any) -> dict[str, str]:
    """This environment without any AIREG_ setting of its own, plus a data dir and `settings`
    (keyword `webhooks_timeout_seconds=2` becomes AIREG_WEBHOOKS_TIMEOUT_SECONDS=2)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIREG_")}
    env["AIREG_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    for name, value in settings.items():
        if value is not None:
            env[f"AIREG_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


@dataclass
class ReceiverProc(Proc):
    record: Path = Path()
    secret_file: Path = Path()

    def url(self, path: str) -> str:
        return self.base_url + path


def start_receiver(
    work: Path,
    name: str,
    env: dict[str, str],
    *,
    fail_rate: float = 0.0,
    kill_pid_file: Path | None = None,
    kill_rate: float = 0.0,
    seed: int | None = None,
    cpus: str | None = None,
    fail_every: int | None = None,
    kill_after_2xx: Sequence[int] = (),
) -> ReceiverProc:
    """`python -m tests.support.receiver` on an ephemeral port, recording to work/<name>.jsonl and
    verifying with the secrets in work/<name>.secrets (re-read whenever that file changes)."""
    record, secret_file = work / f"{name}.jsonl", work / f"{name}.secrets"
    secret_file.touch()
    command = [
        sys.executable,
        "-m",
        "tests.support.receiver",
        "--port",
        "0",
        "--secret-file",
        str(secret_file),
        "--fail-rate",
        str(fail_rate),
        "--record",
        str(record),
    ]
    if kill_pid_file is not None and kill_rate > 0:
        command += ["--kill-pid-file", str(kill_pid_file), "--kill-rate", str(kill_rate)]
    if fail_every:
        command += ["--fail-every", str(fail_every)]
    if kill_pid_file is not None and kill_after_2xx:
        command += [
            "--kill-pid-file",
            str(kill_pid_file),
            "--kill-after-2xx",
            ",".join(map(str, kill_after_2xx)),
        ]
    command += ["--kills-file", str(work / f"{name}.kills")]
    if seed is not None:
        command += ["--seed", str(seed)]
    proc = spawn(name, command, env, work / f"{name}.log", cpus=cpus, stdout_pipe=True)
    assert proc.process.stdout is not None
    line = proc.process.stdout.readline().decode().strip()
    if not line.isdigit():
        proc.stop()
        raise RuntimeError(f"receiver {name} did not print its port:\n{line}\n{proc.tail()}")
    return ReceiverProc(
        proc.name, proc.process, proc.log_path, port=int(line), record=record, secret_file=secret_file
    )


def receiver_kills(receiver: ReceiverProc) -> int:
    """How many times this receiver SIGKILLed the relay (it appends each kill to its kills file)."""
    kills = receiver.record.with_suffix(".kills")
    return len(kills.read_text().split()) if kills.exists() else 0


class ArrivalCount:
    """The number of POSTs the receivers have recorded so far (lines of their record files), read
    incrementally: a receiver writes a POST's line before it replies."""

    def __init__(self, records: Sequence[Path]) -> None:
        self._records = list(records)
        self._offsets = [0] * len(self._records)
        self._count = 0

    def __call__(self) -> int:
        for i, path in enumerate(self._records):
            try:
                with path.open("rb") as record:
                    record.seek(self._offsets[i])
                    chunk = record.read()
            except FileNotFoundError:
                continue
            complete = chunk.rfind(b"\n") + 1
            self._count += chunk.count(b"\n", 0, complete)
            self._offsets[i] += complete
        return self._count


def write_secret(receiver: ReceiverProc, secret: str) -> None:
    """Add a secret to the receiver's file atomically (it re-reads the file when it changes)."""
    lines = [ln for ln in receiver.secret_file.read_text().splitlines() if ln.strip()]
    temporary = receiver.secret_file.with_suffix(".tmp")
    temporary.write_text("\n".join([*lines, secret]) + "\n")
    os.replace(temporary, receiver.secret_file)


def start_api(work: Path, env: dict[str, str], *, cpus: str | None = None, timeout: float = 60.0) -> Proc:
    """`airegistry serve` on a free port of 127.0.0.1, once /api/v1/health answers."""
    port = free_port()
    proc = spawn(
        "api", [*airegistry(), "serve", "--host", HOST, "--port", str(port)], env, work / "api.log", cpus=cpus
    )
    proc.port = port
    try:
        proc.wait_ready(f"{API}/health", what="airegistry serve", timeout=timeout)
    except RuntimeError:
        proc.stop()
        raise
    return proc


# --- the register through its API ------------------------------------------------------------------


@dataclass
class Subscriber:
    index: int
    id: str
    path: str
    url: str
    secret: str
    event_types: list[str]


@dataclass
class Tenant:
    base_url: str
    org_id: str
    admin_token: str  # employer_admin of org_id
    subscribers: list[Subscriber] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}


def create_tenant(base_url: str, env: dict[str, str]) -> Tenant:
    """An organization (platform_admin token) and an employer_admin token for it, both from
    `airegistry token issue`."""
    import httpx

    platform = cli(env, "token", "issue", "--role", "platform_admin", "--ttl", "12h").strip()
    response = httpx.post(
        f"{base_url}{API}/organizations",
        json=ORG_BODY,
        headers={"Authorization": f"Bearer {platform}"},
        timeout=30,
    )
    if response.status_code != 201:
        raise RuntimeError(f"creating the organization: {response.status_code} {response.text}")
    org_id = response.json()["id"]
    admin = cli(env, "token", "issue", "--role", "employer_admin", "--org", org_id, "--ttl", "12h").strip()
    return Tenant(base_url, org_id, admin)


def subscribe(tenant: Tenant, url: str, event_types: list[str] | None = None) -> Subscriber:
    import httpx

    body: dict[str, Any] = {"url": url, "description": "fault-injection receiver"}
    if event_types:
        body["event_types"] = event_types
    response = httpx.post(
        f"{tenant.base_url}{API}/organizations/{tenant.org_id}/webhooks",
        json=body,
        headers=tenant.headers,
        timeout=30,
    )
    if response.status_code != 201:
        raise RuntimeError(f"subscribing {url}: {response.status_code} {response.text}")
    created = response.json()
    subscriber = Subscriber(
        index=len(tenant.subscribers),
        id=created["id"],
        path=urlsplit(url).path,
        url=url,
        secret=created["secret"],
        event_types=list(event_types or []),
    )
    tenant.subscribers.append(subscriber)
    return subscriber


def system_body(n: int) -> dict[str, Any]:
    return {
        "name": f"Vagtplanlægning {n}",
        "vendor": "Eksempel Software A/S",
        "purpose": f"Foreslår vagtplaner ud fra fravær og kompetencer (system {n}).",
        "category": "decision_support",
        "control_measure": False,
        "status": "pilot",
    }


@dataclass
class ChangeStats:
    made: int = 0
    registered: int = 0
    patched: int = 0
    seconds: float = 0.0
    # Open-loop runs (a target rate): how late the last change started against its schedule.
    max_lateness: float = 0.0
    late_over_1s: int = 0
    durations: list[float] = field(default_factory=list)  # seconds each change request took

    @property
    def rate(self) -> float:
        return self.made / self.seconds if self.seconds else 0.0


async def make_changes(
    tenant: Tenant,
    total: int,
    *,
    concurrency: int = 8,
    patches_per_system: int = 4,
    rate: float | None = None,
    seed: int | None = None,
    progress: Log | None = None,
) -> ChangeStats:
    """`total` changes through the API: each client registers a system, then PATCHes it
    `patches_per_system` times with If-Match (alternately its purpose and its status), then starts
    on a new system. With `rate`, change n starts at n/rate seconds (open loop) or as soon as a
    client is free when the clients fall behind; ChangeStats says by how much."""
    import httpx

    stats = ChangeStats()
    rng = random.Random(seed)
    next_index = 0
    started = time.monotonic()
    last_report = started
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    def claim() -> int | None:
        nonlocal next_index
        if next_index >= total:
            return None
        next_index += 1
        return next_index - 1

    async def send(
        client: httpx.AsyncClient, method: str, url: str, body: dict[str, Any], if_match: str | None = None
    ) -> httpx.Response:
        headers = tenant.headers if if_match is None else {**tenant.headers, "If-Match": if_match}
        sent = time.monotonic()
        response = await client.request(method, url, json=body, headers=headers)
        stats.durations.append(time.monotonic() - sent)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {url} answered {response.status_code}: {response.text[:300]}")
        return response

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal last_report
        system: str | None = None
        etag, status, patches = "", "pilot", 0
        while (n := claim()) is not None:
            if rate:
                due = started + n / rate
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                else:
                    stats.max_lateness = max(stats.max_lateness, -wait)
                    stats.late_over_1s += -wait > 1.0
            if system is None or patches >= patches_per_system:
                response = await send(
                    client, "POST", f"{API}/organizations/{tenant.org_id}/systems", system_body(n)
                )
                system, status, patches = response.json()["id"], "pilot", 0
                stats.registered += 1
            else:
                if patches % 2 == 0:
                    change: dict[str, Any] = {
                        "purpose": f"Foreslår vagtplaner (ændring {n}, {rng.random():.6f})."
                    }
                else:
                    status = "in_use" if status == "pilot" else "pilot"
                    change = {"status": status, "change_note": f"status {n}"}
                response = await send(client, "PATCH", f"{API}/systems/{system}", change, etag)
                patches += 1
                stats.patched += 1
            etag = response.headers["etag"]
            stats.made += 1
            if progress and time.monotonic() - last_report >= 10:
                last_report = time.monotonic()
                progress(
                    f"{stats.made:,} of {total:,} changes ({stats.made / (last_report - started):.0f}/s)"
                )

    async with httpx.AsyncClient(base_url=tenant.base_url, limits=limits, timeout=60) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
    stats.seconds = time.monotonic() - started
    return stats


async def redeliver(tenant: Tenant, deliveries: list[tuple[str, int]]) -> None:
    """POST .../deliveries/{id}/redeliver for each (subscription id, delivery id)."""
    import httpx

    async with httpx.AsyncClient(base_url=tenant.base_url, headers=tenant.headers, timeout=60) as client:
        for subscription_id, delivery_id in deliveries:
            response = await client.post(
                f"{API}/webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver"
            )
            if response.status_code != 202:
                raise RuntimeError(
                    f"redelivering {delivery_id}: {response.status_code} {response.text[:300]}"
                )


# --- the relay under fire --------------------------------------------------------------------------


@dataclass
class WorkerExit:
    pid: int
    returncode: int
    cause: str  # supervisor | external (SIGKILL by someone else: the receiver) | crash | stopped
    lived: float


READY_LINE = b"webhook relay running"  # what `airegistry worker` prints once it has started


class Supervisor:
    """Keeps one `airegistry worker` running: restarts it whenever it has died, and (while `killing`)
    SIGKILLs it after exponentially distributed intervals with mean `kill_every` seconds, counted from
    the moment the worker says it is running (so a slow start on a loaded machine is not all it does
    between kills). With `kill_after` instead, the kills happen by construction: one as soon as
    `arrivals()` (the POSTs the receivers got) reaches each number, once the worker runs. The running
    worker's PID is in `pid_file` (written atomically, removed as soon as the worker is seen dead, so a
    receiver never kills a reused PID)."""

    def __init__(
        self,
        command: list[str],
        env: dict[str, str],
        pid_file: Path,
        log_path: Path,
        *,
        kill_every: float | None,
        seed: int | None = None,
        cpus: str | None = None,
        kill_after: Sequence[int] = (),
        arrivals: Callable[[], int] | None = None,
    ) -> None:
        if kill_after and (arrivals is None or kill_every):
            raise ValueError("kill_after needs arrivals() and no kill_every")
        self.command = command
        self.env = env
        self.pid_file = pid_file
        self.log_path = log_path
        self.kill_every = kill_every
        self.cpus = cpus
        self.killing = (kill_every is not None and kill_every > 0) or bool(kill_after)
        self.kill_after = sorted(kill_after)
        self.arrivals = arrivals
        self.rng = random.Random(seed)
        self.exits: list[WorkerExit] = []
        self.starts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._born = 0.0
        self._next_kill = float("inf")
        self._armed = False  # the kill clock runs: the worker said it is running
        self._log_offset = 0
        self._killed: set[int] = set()
        self._stop = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="worker-supervisor", daemon=True)

    def __enter__(self) -> Supervisor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def count(self, cause: str) -> int:
        return sum(1 for e in self.exits if e.cause == cause)

    def check(self) -> None:
        if self._failure is not None:
            raise RuntimeError("the worker supervisor failed") from self._failure
        crashes = [e for e in self.exits if e.cause == "crash"]
        if len(crashes) >= 3:
            raise RuntimeError(f"the worker keeps crashing ({crashes[-1]}):\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _spawn(self) -> None:
        with self.log_path.open("ab") as out:
            out.write(f"--- worker start {self.starts + 1} at {time.strftime('%H:%M:%S')}\n".encode())
            self._log_offset = out.tell()
        self._proc = start(pinned(self.cpus, self.command), self.env, self.log_path, append=True)
        self.starts += 1
        self._born = time.monotonic()
        temporary = self.pid_file.with_suffix(".tmp")
        temporary.write_text(f"{self._proc.pid}\n")
        os.replace(temporary, self.pid_file)
        self._next_kill = float("inf")
        self._armed = False

    def _arm_when_running(self) -> None:
        """Start the kill clock once this worker's log says it is running."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            if READY_LINE not in log.read():
                return
        self._armed = True
        if self.killing and self.kill_every:
            self._next_kill = time.monotonic() + self.rng.expovariate(1 / self.kill_every)

    def _kill_due(self) -> bool:
        if self.kill_after:
            assert self.arrivals is not None
            return self.arrivals() >= self.kill_after[0]
        return time.monotonic() >= self._next_kill

    def _account(self, proc: subprocess.Popen[bytes], stopped: bool = False) -> None:
        self.pid_file.unlink(missing_ok=True)
        code = proc.returncode
        if stopped:
            cause = "stopped"
        elif proc.pid in self._killed:
            cause = "supervisor"
        elif code == -signal.SIGKILL:
            cause = "external"
        else:
            cause = "crash"
        self.exits.append(WorkerExit(proc.pid, code, cause, time.monotonic() - self._born))

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                proc = self._proc
                if proc is None or proc.poll() is not None:
                    if proc is not None:
                        self._account(proc)
                    self._spawn()
                elif not self._armed:
                    self._arm_when_running()
                elif self.killing and self._kill_due():
                    self._killed.add(proc.pid)
                    proc.kill()
                    proc.wait()
                    if self.kill_after:
                        self.kill_after.pop(0)
                    continue  # accounted and restarted on the next turn
                elif not self.killing:
                    self._next_kill = float("inf")
                self._stop.wait(0.01)
        except BaseException as exc:  # reported by check()
            self._failure = exc
        finally:
            proc = self._proc
            if proc is not None:
                if proc.poll() is None:
                    stop_process(proc, timeout=10, kill_timeout=None)
                    self._account(proc, stopped=True)
                elif not self.exits or self.exits[-1].pid != proc.pid:
                    self._account(proc)


# --- the database, read directly -------------------------------------------------------------------


def connect(db_path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    db.row_factory = sqlite3.Row
    return db


def delivery_counts(db_path: Path) -> Counter[str]:
    with contextlib.closing(connect(db_path)) as db:
        rows = db.execute('SELECT "status", count(*) FROM "webhook_delivery" GROUP BY "status"').fetchall()
    return Counter({row[0]: int(row[1]) for row in rows})


def wait_drained(
    db_path: Path, *, timeout: float, supervisor: Supervisor | None = None, progress: Log | None = None
) -> Counter[str]:
    """Poll until no delivery is pending; the final counts by status."""
    deadline = time.monotonic() + timeout
    last_report = time.monotonic()
    while True:
        counts = delivery_counts(db_path)
        if counts["pending"] == 0:
            return counts
        if supervisor is not None:
            supervisor.check()
        now = time.monotonic()
        if now >= deadline:
            return counts
        if progress and now - last_report >= 10:
            last_report = now
            progress(f"waiting for deliveries: {dict(counts)}")
        time.sleep(0.1)


def micros(value: Any) -> int:
    """A Timestamptz column as SQLite stores it (ISO text) in microseconds since the epoch."""
    if isinstance(value, (int, float)):
        return int(value)
    moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1_000_000)


@dataclass
class Snapshot:
    subscriptions: dict[str, dict[str, Any]]  # id -> row (+ "created_us", "types", "path")
    events: dict[int, dict[str, Any]]  # row id -> row
    deliveries: list[dict[str, Any]]


def snapshot(db_path: Path) -> Snapshot:
    with contextlib.closing(connect(db_path)) as db:
        subscriptions = {}
        for row in db.execute('SELECT * FROM "webhook_subscription"'):
            item = dict(row)
            item["created_us"] = micros(item["created_at"])
            types = item["event_types"]
            item["types"] = json.loads(types) if isinstance(types, str) else list(types or [])
            item["path"] = urlsplit(item["url"]).path
            subscriptions[str(item["id"])] = item
        events = {
            int(row["id"]): dict(row)
            for row in db.execute(
                'SELECT "id", "event_id", "type", "payload", "created_us" FROM "webhook_event" ORDER BY "id"'
            )
        }
        deliveries = [
            dict(row)
            for row in db.execute(
                'SELECT "id", "subscription", "event", "status", "attempts", "redelivery_of", "created_us", '
                '"first_attempt_us", "last_status_code", "last_error" FROM "webhook_delivery" ORDER BY "id"'
            )
        ]
    for row in deliveries:
        row["subscription"] = str(row["subscription"])
    return Snapshot(subscriptions, events, deliveries)


def read_records(paths: list[Path]) -> list[dict[str, Any]]:
    records = []
    for path in paths:
        with contextlib.suppress(FileNotFoundError), path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    records.append(json.loads(line))
    return records


# --- reconciliation --------------------------------------------------------------------------------


@dataclass
class Reconciliation:
    events: int = 0
    deliveries: int = 0  # original delivery rows (one per event and subscription that wants it)
    redeliveries: int = 0
    succeeded: int = 0
    exhausted: int = 0  # original rows that ended `failed`: every attempt used up
    attempts: int = 0  # attempts the database counts, over all rows
    pending: int = 0
    arrivals: int = 0  # POSTs the receivers recorded
    accepted: int = 0  # ... complete, answered 2xx
    rejected: int = 0  # ... complete, answered otherwise (the simulated failures)
    unverified: int = 0  # complete arrivals whose signature did not verify with the path's secret
    truncated: int = 0  # arrivals cut off mid-request by the relay's death (not deliveries)
    unexpected: int = 0  # arrivals naming no delivery of that path
    duplicates: int = 0  # accepted arrivals beyond the first, per (path, webhook-id)
    duplicated_ids: int = 0
    body_mismatches: int = 0  # arrivals whose body differs from the stored payload
    missing_deliveries: int = 0  # (event, subscription) pairs that wanted it but have no row
    unwanted_deliveries: int = 0  # rows for a subscription that does not want the event's type
    lost: int = 0  # (event, subscription) pairs never accepted with a verified signature
    never_arrived: int = 0  # ... of which nothing at all arrived
    order_violations: int = 0  # first arrivals on a path out of event order
    exhausted_keys: list[tuple[str, str]] = field(default_factory=list)  # (path, webhook-id)
    examples: list[str] = field(default_factory=list)

    @property
    def unsent_attempts(self) -> int:
        """Attempts counted that never reached a receiver: the relay died after taking the delivery
        and before sending it (or took it and gave it back)."""
        return self.attempts - self.arrivals

    def note(self, text: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(text)

    @property
    def ok(self) -> bool:
        return not (
            self.lost
            or self.pending
            or self.unverified
            or self.unexpected
            or self.body_mismatches
            or self.missing_deliveries
            or self.unwanted_deliveries
            or self.order_violations
        )


def wanted(types: list[str], event_type: str) -> bool:
    return not types or event_type in types


def accepted(record: dict[str, Any]) -> bool:
    return 200 <= int(record["status_replied"]) < 300


@dataclass
class _Rows:
    """The delivery rows, keyed the way the receivers' records are: (path, webhook-id)."""

    expected: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # -> event row
    originals: dict[str, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    pairs: set[tuple[str, int]] = field(default_factory=set)  # (subscription id, event row id)
    redelivered: set[tuple[str, str]] = field(default_factory=set)


def _check_rows(snap: Snapshot, result: Reconciliation) -> _Rows:
    rows = _Rows()
    for row in snap.deliveries:
        sub = snap.subscriptions[row["subscription"]]
        event = snap.events[int(row["event"])]
        key = (sub["path"], event["event_id"])
        rows.expected[key] = event
        result.pending += row["status"] == "pending"
        result.attempts += int(row["attempts"])
        if row["redelivery_of"] is not None:
            result.redeliveries += 1
            rows.redelivered.add(key)
            continue
        result.deliveries += 1
        rows.pairs.add((row["subscription"], int(row["event"])))
        rows.originals[sub["path"]].append((int(row["id"]), event["event_id"]))
        result.succeeded += row["status"] == "succeeded"
        if row["status"] == "failed":
            result.exhausted += 1
            result.exhausted_keys.append(key)
        if not wanted(sub["types"], event["type"]):
            result.unwanted_deliveries += 1
            result.note(f"unwanted: delivery {row['id']} ({event['type']}) to {sub['path']} {sub['types']}")
    return rows


def _check_fan_out(snap: Snapshot, rows: _Rows, result: Reconciliation) -> None:
    """Every event has a delivery to every subscription that existed when it was made and wants it."""
    for event_key, event in snap.events.items():
        for sub_id, sub in snap.subscriptions.items():
            existed = sub["created_us"] < int(event["created_us"]) and sub["deleted_at"] is None
            receiving = existed and sub["status"] in ("active", "paused")
            if receiving and wanted(sub["types"], event["type"]) and (sub_id, event_key) not in rows.pairs:
                result.missing_deliveries += 1
                result.note(f"missing: no delivery of {event['event_id']} ({event['type']}) to {sub['path']}")


def truncated(record: dict[str, Any], payload: str) -> bool:
    """A POST cut off by the relay's death mid-request: the receiver read fewer bytes than the
    Content-Length (a strict prefix of the payload, often nothing) and could not verify it."""
    body = record["body"]
    return record["verified"] is not True and len(body) < len(payload) and payload.startswith(body)


def _check_arrivals(
    rows: _Rows, by_key: dict[tuple[str, str], list[dict[str, Any]]], result: Reconciliation
) -> None:
    for key, arrivals in by_key.items():
        event = rows.expected.get(key)
        if event is None:
            result.unexpected += len(arrivals)
            result.note(f"unexpected: {key[1]} at {key[0]} ({len(arrivals)} arrival(s))")
            continue
        for record in arrivals:
            if truncated(record, event["payload"]):
                result.truncated += 1
                result.note(f"truncated ({len(record['body'])} bytes, the relay died sending): {key[1]}")
                continue
            result.accepted += accepted(record)
            result.rejected += not accepted(record)
            if record["body"] != event["payload"]:
                result.body_mismatches += 1
                result.note(f"body differs from the stored payload: {key[1]} at {key[0]}")
            if record["verified"] is not True:
                result.unverified += 1
                result.note(f"unverified ({record['verified']}): {key[1]} at {key[0]}")
    for key in rows.expected:
        arrivals = by_key.get(key, [])
        good = [r for r in arrivals if r["verified"] is True and accepted(r)]
        if not good:
            result.lost += 1
            result.never_arrived += not arrivals
            result.note(f"lost: {key[1]} never accepted at {key[0]} ({len(arrivals)} arrival(s))")
        if len(good) > 1:
            result.duplicates += len(good) - 1
            result.duplicated_ids += 1
    for key in result.exhausted_keys:
        result.note(f"exhausted: {key[1]} at {key[0]} arrived {len(by_key.get(key, []))} time(s) in all")


def _check_order(
    rows: _Rows, by_key: dict[tuple[str, str], list[dict[str, Any]]], result: Reconciliation
) -> None:
    """Per subscription, first arrivals come in the order the events were made (delivery id order).
    Redelivered events are left out: a redelivery goes after what is queued, by design."""
    for path, originals in rows.originals.items():
        firsts = []
        for delivery_id, webhook_id in originals:
            arrivals = by_key.get((path, webhook_id))
            if arrivals and (path, webhook_id) not in rows.redelivered:
                firsts.append((min(r["received_at"] for r in arrivals), delivery_id, webhook_id))
        firsts.sort()
        for (_, before, first_id), (_, after, second_id) in itertools.pairwise(firsts):
            if after < before:
                result.order_violations += 1
                result.note(f"order: {second_id} (delivery {after}) before {first_id} ({before}) at {path}")


def reconcile(snap: Snapshot, records: list[dict[str, Any]]) -> Reconciliation:
    """Compare the database's deliveries with what the receivers recorded (see the docstring)."""
    result = Reconciliation(events=len(snap.events), arrivals=len(records))
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_key[(record["path"], record["webhook_id"])].append(record)
    rows = _check_rows(snap, result)
    _check_fan_out(snap, rows, result)
    _check_arrivals(rows, by_key, result)
    _check_order(rows, by_key, result)
    return result


# --- the run ---------------------------------------------------------------------------------------


@dataclass
class Report:
    changes: int
    subscribers: int
    fail_rate: float
    kill_every: float | None
    receiver_kill_rate: float
    seed: int | None
    retry_schedule: str
    change_stats: ChangeStats
    reconciliation: Reconciliation
    worker_starts: int
    kills_supervisor: int
    kills_receiver: int  # SIGKILLs by the receivers, right after a 2xx reply (counted by the receivers)
    crashes: int
    exhausted_rounds: list[int]  # deliveries that used up their attempts, per redelivery round
    drain_seconds: float
    total_seconds: float
    worker_command: str | None = None  # when not `airegistry worker`
    crash_logs: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.reconciliation.lost

    @property
    def ok(self) -> bool:
        return self.reconciliation.ok and not self.crashes

    def summary(self) -> str:
        r, c = self.reconciliation, self.change_stats
        exhausted = " + ".join(str(n) for n in self.exhausted_rounds) or "0"
        lines = [
            f"changes          {c.made:,} ({c.registered:,} registered, {c.patched:,} PATCHed with "
            f"If-Match) in {c.seconds:.1f} s ({c.rate:.0f}/s)",
            f"events           {r.events:,}",
            f"deliveries       {r.deliveries:,} to {self.subscribers} subscriber(s) "
            f"(+{r.redeliveries} redeliveries); succeeded {r.succeeded:,}, pending {r.pending}",
            f"exhausted        {exhausted} (ended `failed` after all attempts; redelivered through the API)",
            f"received         {r.arrivals:,} POSTs: {r.accepted:,} answered 2xx, "
            f"{r.rejected:,} answered 500, {r.truncated} cut off mid-request (relay killed while sending)",
            f"attempts         {r.attempts:,} counted by the relay, {r.unsent_attempts:,} of them never sent "
            "(the relay died holding them)",
            f"duplicates       {r.duplicates} (on {r.duplicated_ids} webhook-ids; same id, identical bodies: "
            f"{'yes' if not r.body_mismatches else f'NO, {r.body_mismatches} differ'})",
            f"kills            {self.kills_supervisor} by the supervisor, "
            f"{self.kills_receiver} by the receivers right after a 2xx reply; "
            f"{self.worker_starts} worker starts, {self.crashes} crashes",
            f"checks           unverified {r.unverified}, unexpected {r.unexpected}, missing deliveries "
            f"{r.missing_deliveries}, unwanted deliveries {r.unwanted_deliveries}, order violations "
            f"{r.order_violations}",
            f"lost             {r.lost} (never arrived at all: {r.never_arrived})",
            f"time             {self.total_seconds:.0f} s ({self.drain_seconds:.0f} s waiting for "
            f"deliveries after the last change)",
            f"result           {'OK' if self.ok else 'FAILED'}",
        ]
        if r.examples:
            lines += ["examples:", *(f"  {e}" for e in r.examples)]
        lines += [f"crash: {text}" for text in self.crash_logs]
        return "\n".join(lines)


def run(
    changes: int = 10_000,
    subscribers: int = 2,
    fail_rate: float = 0.5,
    *,
    kill_every: float | None = 10.0,
    receiver_kill_rate: float = 0.002,
    seed: int | None = None,
    fail_every: int | None = None,
    kill_after_arrivals: Sequence[int] = (),
    receiver_kills_after_2xx: Sequence[int] = (),
    concurrency: int = 8,
    patches_per_system: int = 4,
    retry_schedule: str = DEFAULT_RETRY_SCHEDULE,
    timeout_seconds: float = 2.0,
    lease_seconds: float = 3.0,
    poll_interval_seconds: float = 0.02,
    drain_timeout: float = 3600.0,
    max_redelivery_rounds: int = 5,
    worker_command: list[str] | None = None,
    data_dir: Path | None = None,
    keep_data: bool = False,
    progress: Log | None = log,
) -> Report:
    """The whole fault-injection run (see the module docstring); returns what was found.

    Faults by chance (a benchmark): `fail_rate`, `kill_every`, `receiver_kill_rate`. Faults by
    construction (a test, whose figures must not depend on luck or speed): `fail_every` (each receiver
    answers every n-th POST with 500), `kill_after_arrivals` (the supervisor kills the relay when the
    receivers together have got that many POSTs) and `receiver_kills_after_2xx` (each receiver kills it
    right after its 2xx replies of those numbers).

    `worker_command` replaces `airegistry worker` (it must read the same AIREG_ settings); without
    it the product must have the retry-schedule setting, or `Blocked` is raised."""
    if worker_command is None and not retry_schedule_supported():
        raise Blocked(
            f"webhooks/settings.py has no {RETRY_SCHEDULE_FIELD} ({RETRY_SCHEDULE_ENV}): the relay would "
            "retry on the real schedule (5 s, 5 min, 30 min, ...) and one subscription's queue waits behind "
            "its oldest delivery, so a run with 50% failures would take hours"
        )
    say = progress or (lambda _: None)
    started = time.monotonic()
    work = data_dir or Path(tempfile.mkdtemp(prefix="airegistry-webhook-faults-"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    env = scratch_env(
        work,
        webhooks_allow_private_targets=True,
        webhooks_timeout_seconds=timeout_seconds,
        webhooks_lease_seconds=lease_seconds,
        webhooks_poll_interval_seconds=poll_interval_seconds,
        webhooks_retry_schedule_seconds=retry_schedule,
    )
    api_env = env | {"AIREG_WEBHOOKS_RELAY": "false"}
    pid_file = work / "worker.pid"
    db_path = work / "registry.db"
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        with contextlib.ExitStack() as stack:
            cli(env, "migrate")
            receivers = []
            for i in range(subscribers):
                receiver = start_receiver(
                    work,
                    f"receiver-{i}",
                    env,
                    fail_rate=fail_rate,
                    kill_pid_file=pid_file,
                    kill_rate=receiver_kill_rate,
                    seed=rng.randrange(2**32),
                    fail_every=fail_every,
                    kill_after_2xx=receiver_kills_after_2xx,
                )
                stack.callback(receiver.stop)
                receivers.append(receiver)
            api = start_api(work, api_env)
            stack.callback(api.stop)
            tenant = create_tenant(api.base_url, env)
            for i, receiver in enumerate(receivers):
                types = FILTERED_TYPES if i % 2 else None
                subscriber = subscribe(tenant, receiver.url(f"/hooks/s{i}"), types)
                write_secret(receiver, subscriber.secret)
            say(
                f"{subscribers} subscriber(s) on {', '.join(r.url('') for r in receivers)}; "
                f"API {tenant.base_url}; data in {work}"
            )
            supervisor = Supervisor(
                worker_command or [*airegistry(), "worker"],
                env,
                pid_file,
                work / "worker.log",
                kill_every=None if kill_after_arrivals else kill_every,
                seed=rng.randrange(2**32),
                kill_after=kill_after_arrivals,
                arrivals=ArrivalCount([r.record for r in receivers]),
            )
            stack.enter_context(supervisor)
            stats = asyncio.run(
                make_changes(
                    tenant,
                    changes,
                    concurrency=concurrency,
                    patches_per_system=patches_per_system,
                    seed=rng.randrange(2**32),
                    progress=say,
                )
            )
            supervisor.check()
            say(f"{stats.made:,} changes in {stats.seconds:.1f} s; waiting for every delivery")
            drained_at = time.monotonic()
            exhausted_rounds: list[int] = []
            handled: set[int] = set()
            for _ in range(max_redelivery_rounds + 1):
                remaining = drain_timeout - (time.monotonic() - drained_at)
                counts = wait_drained(db_path, timeout=max(remaining, 0), supervisor=supervisor, progress=say)
                if counts["pending"]:
                    say(f"gave up waiting after {drain_timeout:.0f} s: {dict(counts)}")
                    break
                snap = snapshot(db_path)
                failed = [
                    (row["subscription"], int(row["id"]))
                    for row in snap.deliveries
                    if row["status"] == "failed" and int(row["id"]) not in handled
                ]
                if not failed:
                    break
                exhausted_rounds.append(len(failed))
                say(f"{len(failed)} deliveries used up their attempts; redelivering them")
                handled.update(delivery_id for _, delivery_id in failed)
                asyncio.run(redeliver(tenant, failed))
            drain_seconds = time.monotonic() - drained_at
            supervisor.stop()
            supervisor.check()
            for receiver in receivers:
                receiver.stop()
            api.stop()
            result = reconcile(snapshot(db_path), read_records([r.record for r in receivers]))
            crashes = [e for e in supervisor.exits if e.cause == "crash"]
            return Report(
                changes=changes,
                subscribers=subscribers,
                fail_rate=fail_rate,
                kill_every=kill_every,
                receiver_kill_rate=receiver_kill_rate,
                seed=seed,
                retry_schedule=retry_schedule,
                change_stats=stats,
                reconciliation=result,
                worker_starts=supervisor.starts,
                kills_supervisor=supervisor.count("supervisor"),
                kills_receiver=sum(receiver_kills(r) for r in receivers),
                crashes=len(crashes),
                exhausted_rounds=exhausted_rounds,
                drain_seconds=drain_seconds,
                total_seconds=time.monotonic() - started,
                worker_command=shlex.join(worker_command) if worker_command else None,
                crash_logs=[f"pid {e.pid} exited {e.returncode} after {e.lived:.1f} s" for e in crashes],
            )
    except BaseException:
        keep_data = True  # the logs of the processes say what went wrong
        raise
    finally:
        if keep_data or data_dir is not None:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# --- docs and command line -------------------------------------------------------------------------


def docs_block(report: Report, command: str) -> str:
    r, c = report.reconciliation, report.change_stats
    exhausted = " + ".join(str(n) for n in report.exhausted_rounds) or "0"
    kill_every = f"{report.kill_every:g} s" if report.kill_every else "never"
    return "\n".join(
        [
            f"Run {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} with `{command}` "
            f"(retry schedule `{report.retry_schedule}` s, 2 s timeout, 3 s lease, SQLite).",
            "",
            "| | |",
            "| --- | ---: |",
            f"| changes through the API (registered + PATCHed with If-Match) | {c.made:,} ({c.rate:.0f}/s) |",
            f"| events in the outbox | {r.events:,} |",
            f"| deliveries (event x subscription that wants it), {report.subscribers} subscribers | "
            f"{r.deliveries:,} |",
            f"| POSTs received (receiver fails {report.fail_rate:.0%} with 500) | {r.arrivals:,} |",
            f"| relay SIGKILLed at random moments (mean interval {kill_every}) | {report.kills_supervisor} |",
            "| relay SIGKILLed by the receiver right after a 2xx reply "
            f"(rate {report.receiver_kill_rate:g}) | {report.kills_receiver} |",
            f"| attempts counted by the relay / of them never sent (the relay died holding them) | "
            f"{r.attempts:,} / {r.unsent_attempts:,} |",
            f"| duplicates (same webhook-id accepted again; bodies identical) | {r.duplicates} |",
            f"| deliveries that used up all 8 attempts (redelivered through the API) | {exhausted} |",
            f"| unverified signatures / body mismatches / order violations | {r.unverified} / "
            f"{r.body_mismatches} / {r.order_violations} |",
            f"| missing or unwanted deliveries | {r.missing_deliveries} / {r.unwanted_deliveries} |",
            f"| **lost** | **{r.lost}** |",
            "",
            f"Result: **{'OK' if report.ok else 'FAILED'}**, in {report.total_seconds:.0f} s.",
        ]
        + (
            [
                "",
                f"The relay ran as `{report.worker_command}` instead of `airegistry worker` (see "
                "`--worker-command`).",
            ]
            if report.worker_command
            else []
        )
    )


def write_docs(path: Path, block: str) -> None:
    write_block(
        "webhook-faults",
        "tests/bench/webhook_faults.py",
        "Webhooks: no event lost when the relay is killed and the receiver fails",
        "Requirement: with 10,000 changes and the relay process killed (SIGKILL) at random moments, "
        "including between the HTTP response and the bookkeeping, every event reaches the receiver at "
        "least once (reconciled by webhook-id); duplicates keep the same webhook-id; a receiver that "
        "fails 50% of the time still receives everything.",
        block,
        path,
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Fault injection: changes through the API while the webhook relay is killed at random "
        "and the receivers fail; then reconcile every delivery by webhook-id."
    )
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=2, help="one receiver process each")
    parser.add_argument("--fail-rate", type=float, default=0.5, help="share of POSTs answered 500")
    parser.add_argument(
        "--kill-every", type=float, default=10.0, help="mean seconds between random SIGKILLs (0: none)"
    )
    parser.add_argument(
        "--receiver-kill-rate",
        type=float,
        default=0.002,
        help="probability that a receiver SIGKILLs the relay right after a 2xx reply",
    )
    parser.add_argument("--seed", type=int, help="seed of the fault decisions and the change data")
    parser.add_argument("--concurrency", type=int, default=8, help="API clients making changes")
    parser.add_argument("--retry-schedule", default=DEFAULT_RETRY_SCHEDULE, help=f"{RETRY_SCHEDULE_ENV}")
    parser.add_argument("--drain-timeout", type=float, default=3600.0, help="seconds to wait for deliveries")
    parser.add_argument(
        "--worker-command",
        help="run this instead of `airegistry worker` (a shell-quoted command reading the same settings)",
    )
    parser.add_argument("--docs", type=Path, default=DOCS, help="markdown file to update")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--keep-data", action="store_true", help="keep the scratch data dir and logs")
    args = parser.parse_args(argv)
    if not 1 <= args.changes <= 1_000_000 or not 1 <= args.subscribers <= 50:
        parser.error("changes 1..1,000,000, subscribers 1..50")
    if not 0 <= args.fail_rate < 1 or not 0 <= args.receiver_kill_rate <= 1 or args.kill_every < 0:
        parser.error("fail rate in [0, 1), receiver kill rate in [0, 1], kill-every >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_signals()
    try:
        report = run(
            args.changes,
            args.subscribers,
            args.fail_rate,
            kill_every=args.kill_every or None,
            receiver_kill_rate=args.receiver_kill_rate,
            seed=args.seed,
            concurrency=args.concurrency,
            retry_schedule=args.retry_schedule,
            drain_timeout=args.drain_timeout,
            worker_command=shlex.split(args.worker_command) if args.worker_command else None,
            keep_data=args.keep_data,
        )
    except Blocked as exc:
        log(f"blocked: {exc}")
        return 2
    except KeyboardInterrupt:
        log("interrupted; processes stopped")
        return 130
    print(report.summary())
    if not args.no_docs:
        given = sys.argv[1:] if argv is None else argv
        write_docs(args.docs, docs_block(report, " ".join([SCRIPT, *given])))
        log(f"wrote {args.docs}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
