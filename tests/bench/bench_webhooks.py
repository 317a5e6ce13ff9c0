"""Webhook benchmark: commit-to-first-attempt latency under a steady change rate, and sustained delivery
throughput next to plain httpx POSTs of the same bodies. SQLite, real processes, 127.0.0.1 only.

    .venv/bin/python tests/bench/bench_webhooks.py       (about 6 minutes; --help lists the knobs)

1. Latency. A scratch data dir; `airegistry serve` as deployed by default, the relay running inside the
   API process (AIREG_WEBHOOKS_RELAY unset, poll interval, concurrency, timeout at their defaults),
   pinned to one core with taskset; one receiver process (tests/support/receiver.py, answering 204,
   checking every signature with the `standardwebhooks` package against the subscribers' secrets) and
   this script's change generator on the other core. 10 subscriptions to all event types. After a
   short warm-up, changes (registrations and If-Match PATCHes through the API) start at 100 per
   second, open loop, for 30 s; then the relay drains what is left. Latency of each (event,
   subscriber): the receiver's arrival time of the first POST carrying that webhook-id minus the
   event's commit time (webhook_event.created_us, the `timestamp` of the payload). Percentiles over
   all of them, per round; the change rate achieved and the backlog say whether the rate was sustained.
   --latency-setup worker measures the other deployment instead: API with AIREG_WEBHOOKS_RELAY=false
   on one core, `airegistry worker` on the other.
2. Throughput. A second scratch data dir, the API with AIREG_WEBHOOKS_RELAY=false (nothing delivers),
   10 subscriptions; per round, 500 changes fill the outbox with 5,000 deliveries. Then, on the same
   core (taskset) and in alternating order: `airegistry worker` starts and delivers them all (time from
   the first arrival to the last, from the receiver's records; the worker's start-up is not counted),
   and a plain httpx client (`python bench_webhooks.py plain`) POSTs the same 5,000 bodies, with valid
   Standard Webhooks headers signed beforehand, to the same receiver, 10 at a time (the relay sends
   one delivery per subscription at a time: 10 in flight). The receiver, on the other core, verifies
   every signature in both cases. Medians over the rounds and the relay/plain ratio per round.
3. The figures go to stdout and into docs/benchmarks.md between the bench-webhooks markers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.docs_block import DOCS, write_block  # noqa: E402 - after the sys.path insert above
from tests.bench.machine import Machine  # noqa: E402
from tests.bench.percentiles import percentile  # noqa: E402
from tests.bench.processes import Proc, airegistry, cli, exit_on_signals, spawn  # noqa: E402
from tests.bench.webhook_faults import (  # noqa: E402
    ReceiverProc,
    Tenant,
    connect,
    create_tenant,
    delivery_counts,
    make_changes,
    read_records,
    scratch_env,
    start_api,
    start_receiver,
    subscribe,
    write_secret,
)

SCRIPT = ".venv/bin/python tests/bench/bench_webhooks.py"
TARGET_P95 = 2.0
TARGET_P99 = 5.0


def log(message: str) -> None:
    print(f"[bench-webhooks {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def git_state() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    changed = [
        line[3:] for line in git("status", "--porcelain", "--", "webhooks", "api", "registry").splitlines()
    ]
    hooks = [path for path in changed if path.startswith("webhooks/")]
    others = len(changed) - len(hooks)
    notes = []
    if hooks:
        notes.append(f"uncommitted changes to {', '.join(hooks)}")
    if others:
        notes.append(f"{others} other uncommitted files in api/ and registry/")
    return f"commit {commit}" + (f", with {'; '.join(notes)}" if notes else "")


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


@dataclass
class Stack:
    """A scratch register with a receiver and subscribers; what both parts start from."""

    work: Path
    env: dict[str, str]
    receiver: ReceiverProc
    api: Proc
    tenant: Tenant
    processes: list[Proc] = field(default_factory=list)

    @property
    def db_path(self) -> Path:
        return self.work / "registry.db"


@contextlib.contextmanager
def stack(work: Path, machine: Machine, subscribers: int, *, relay_in_api: bool, api_cpus: str | None) -> Any:
    env = scratch_env(work, webhooks_allow_private_targets=True)
    api_env = env if relay_in_api else env | {"AIREG_WEBHOOKS_RELAY": "false"}
    with contextlib.ExitStack() as stop:
        with contextlib.redirect_stdout(sys.stderr):
            cli(env, "migrate")
        receiver = start_receiver(work, "receiver", env, cpus=machine.load_cpus)
        stop.callback(receiver.stop)
        api = start_api(work, api_env, cpus=api_cpus)
        stop.callback(api.stop)
        tenant = create_tenant(api.base_url, env)
        for i in range(subscribers):
            subscriber = subscribe(tenant, receiver.url(f"/hooks/s{i}"))
            write_secret(receiver, subscriber.secret)
        yield Stack(work, env, receiver, api, tenant)


def wait_pending_zero(db_path: Path, timeout: float, relay: Proc | None = None) -> float:
    """Seconds until no delivery is pending (raises after `timeout`, or when `relay` has exited)."""
    started = time.monotonic()
    while delivery_counts(db_path)["pending"]:
        if relay is not None and relay.process.poll() is not None:
            raise RuntimeError(f"the relay exited with {relay.process.returncode}:\n{relay.tail()}")
        if time.monotonic() - started > timeout:
            raise RuntimeError(
                f"deliveries still pending after {timeout:.0f} s: {dict(delivery_counts(db_path))}"
            )
        time.sleep(0.05)
    return time.monotonic() - started


def events_since(db_path: Path, since_us: int) -> list[dict[str, Any]]:
    with contextlib.closing(connect(db_path)) as db:
        rows = db.execute(
            'SELECT "id", "event_id", "payload", "created_us" FROM "webhook_event" WHERE "created_us" >= ? '
            'ORDER BY "id"',
            (since_us,),
        ).fetchall()
    return [dict(row) for row in rows]


def first_arrivals(records: list[dict[str, Any]], prefix: str = "/hooks/") -> dict[tuple[str, str], float]:
    firsts: dict[tuple[str, str], float] = {}
    for record in records:
        if not record["path"].startswith(prefix):
            continue
        key = (record["path"], record["webhook_id"])
        at = float(record["received_at"])
        if key not in firsts or at < firsts[key]:
            firsts[key] = at
    return firsts


# --- 1. latency ------------------------------------------------------------------------------------


@dataclass
class LatencyRound:
    round: int
    changes: int
    events: int
    seconds: float
    rate: float
    late_over_1s: int
    max_lateness: float
    deliveries: int
    missing: int
    p50: float
    p95: float
    p99: float
    max: float
    p95_last_third: float
    backlog_at_end: int
    drain_seconds: float
    server_cpu: float
    relay_cpu: float | None
    receiver_cpu: float
    change_p50: float  # seconds one change request took (the API's answer to the generator)
    change_p99: float


def latency_round(
    s: Stack,
    round_: int,
    *,
    rate: float,
    duration: float,
    concurrency: int,
    subscribers: int,
    relay: Proc | None,
) -> LatencyRound:
    wait_pending_zero(s.db_path, 120, relay or s.api)
    total = round(rate * duration)
    start_us = int(time.time() * 1_000_000)
    cpu_before, wall_before = s.api.cpu_seconds(), time.monotonic()
    relay_before = relay.cpu_seconds() if relay else 0.0
    receiver_before = s.receiver.cpu_seconds()
    stats = asyncio.run(
        make_changes(s.tenant, total, concurrency=concurrency, rate=rate, seed=round_, progress=log)
    )
    wall = time.monotonic() - wall_before
    server_cpu = (s.api.cpu_seconds() - cpu_before) / wall
    relay_cpu = (relay.cpu_seconds() - relay_before) / wall if relay else None
    receiver_cpu = (s.receiver.cpu_seconds() - receiver_before) / wall
    backlog = delivery_counts(s.db_path)["pending"]
    drain = wait_pending_zero(s.db_path, 600, relay or s.api)
    time.sleep(0.5)  # the receiver's last records are flushed
    events = events_since(s.db_path, start_us)
    firsts = first_arrivals(read_records([s.receiver.record]))
    latencies, missing, by_time = [], 0, []
    window_end = start_us + (stats.seconds * 2 / 3) * 1_000_000
    paths = [f"/hooks/s{i}" for i in range(subscribers)]
    for event in events:
        created = int(event["created_us"]) / 1_000_000
        for path in paths:
            arrived = firsts.get((path, event["event_id"]))
            if arrived is None:
                missing += 1
                continue
            latencies.append(arrived - created)
            if int(event["created_us"]) >= window_end:
                by_time.append(arrived - created)
    return LatencyRound(
        round=round_,
        changes=stats.made,
        events=len(events),
        seconds=stats.seconds,
        rate=stats.rate,
        late_over_1s=stats.late_over_1s,
        max_lateness=stats.max_lateness,
        deliveries=len(latencies),
        missing=missing,
        p50=percentile(latencies, 0.50),
        p95=percentile(latencies, 0.95),
        p99=percentile(latencies, 0.99),
        max=max(latencies, default=float("nan")),
        p95_last_third=percentile(by_time, 0.95),
        backlog_at_end=backlog,
        drain_seconds=drain,
        server_cpu=server_cpu,
        relay_cpu=relay_cpu,
        receiver_cpu=receiver_cpu,
        change_p50=percentile(stats.durations, 0.50),
        change_p99=percentile(stats.durations, 0.99),
    )


def measure_latency(args: argparse.Namespace, machine: Machine, work: Path) -> list[LatencyRound]:
    in_process = args.latency_setup == "inprocess"
    results = []
    with stack(work, machine, args.subscribers, relay_in_api=in_process, api_cpus=machine.server_cpus) as s:
        relay = None
        if not in_process:
            relay = spawn(
                "worker", [*airegistry(), "worker"], s.env, work / "worker.log", cpus=machine.load_cpus
            )
            s.processes.append(relay)
        try:
            log(f"latency: warm-up, {args.warmup:g} s at {args.rate:g} changes/s")
            asyncio.run(
                make_changes(
                    s.tenant,
                    round(args.rate * args.warmup),
                    concurrency=args.concurrency,
                    rate=args.rate,
                    seed=0,
                )
            )
            for round_ in range(1, args.rounds + 1):
                r = latency_round(
                    s,
                    round_,
                    rate=args.rate,
                    duration=args.duration,
                    concurrency=args.concurrency,
                    subscribers=args.subscribers,
                    relay=relay,
                )
                log(
                    f"latency round {round_}: {r.changes} changes at {r.rate:.1f}/s, {r.deliveries} first "
                    f"attempts, p50 {r.p50 * 1000:.0f} ms, p95 {r.p95 * 1000:.0f} ms, "
                    f"p99 {r.p99 * 1000:.0f} ms, "
                    f"max {r.max * 1000:.0f} ms; backlog {r.backlog_at_end} at the end, drained in "
                    f"{r.drain_seconds:.1f} s; server CPU {r.server_cpu:.0%}, receiver CPU "
                    f"{r.receiver_cpu:.0%}; change requests p50 {r.change_p50 * 1000:.0f} ms, p99 "
                    f"{r.change_p99 * 1000:.0f} ms"
                )
                results.append(r)
        finally:
            if relay is not None:
                relay.stop()
    return results


# --- 2. throughput ---------------------------------------------------------------------------------


@dataclass
class ThroughputRound:
    round: int
    events: int
    deliveries: int
    relay_rate: float  # deliveries/s, first arrival to last
    relay_wall: float  # seconds from starting the worker until nothing is pending
    relay_cpu: float  # share of one core the worker used while delivering
    plain_rate: float
    plain_errors: int
    plain_cpu: float
    unverified: int
    receiver_cpu_relay: float = 0.0  # share of one core the receiver used while the relay delivered
    receiver_cpu_plain: float = 0.0

    @property
    def ratio(self) -> float:
        return self.relay_rate / self.plain_rate if self.plain_rate else float("nan")


def plain_input(s: Stack, events: list[dict[str, Any]], subscribers: int, path: Path) -> int:
    """The bodies of these events for every subscriber, with signed Standard Webhooks headers, one
    JSON line each, grouped per subscriber in event order (the plain client's input)."""
    from webhooks.signing import webhook_headers

    secrets = [line.strip() for line in s.receiver.secret_file.read_text().splitlines() if line.strip()]
    count = 0
    now = int(time.time())
    with path.open("w", encoding="utf-8") as out:
        for i in range(subscribers):
            for event in events:
                body = event["payload"].encode()
                headers = webhook_headers(event["event_id"], now, body, [secrets[i]])
                out.write(
                    json.dumps(
                        {"lane": i, "path": f"/plain/s{i}", "headers": headers, "body": event["payload"]}
                    )
                )
                out.write("\n")
                count += 1
    return count


def run_plain(s: Stack, machine: Machine, input_path: Path, concurrency: int) -> tuple[float, int, float]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "plain",
        "--base-url",
        s.receiver.url(""),
        "--input",
        str(input_path),
        "--concurrency",
        str(concurrency),
    ]
    command = machine.pin(machine.server_cpus, command)
    done = subprocess.run(
        command, cwd=ROOT, env=s.env, capture_output=True, text=True, timeout=600, check=False
    )
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the plain client failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    cpu = result["cpu_seconds"] / result["seconds"]
    return result["requests"] / result["seconds"], int(result["errors"]), cpu


def run_relay(
    s: Stack, machine: Machine, events: list[dict[str, Any]], subscribers: int
) -> tuple[float, float, float, int]:
    ids = {event["event_id"] for event in events}
    started = time.monotonic()
    worker = spawn(
        "worker", [*airegistry(), "worker"], s.env, s.work / "worker.log", cpus=machine.server_cpus
    )
    samples: list[tuple[float, float]] = []  # (wall clock, the worker's CPU seconds)
    try:
        while delivery_counts(s.db_path)["pending"]:
            if worker.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {worker.process.returncode}:\n{worker.tail()}")
            if time.monotonic() - started > 600:
                raise RuntimeError("the worker did not deliver everything within 600 s")
            with contextlib.suppress(OSError):
                samples.append((time.time(), worker.cpu_seconds()))
            time.sleep(0.02)
        wall = time.monotonic() - started
        with contextlib.suppress(OSError):
            samples.append((time.time(), worker.cpu_seconds()))
    finally:
        worker.stop()
    time.sleep(0.3)
    records = [
        r
        for r in read_records([s.receiver.record])
        if r["path"].startswith("/hooks/") and r["webhook_id"] in ids
    ]
    if len(records) < len(ids) * subscribers:
        raise RuntimeError(f"only {len(records)} of {len(ids) * subscribers} deliveries arrived")
    times = sorted(float(r["received_at"]) for r in records)
    span = times[-1] - times[0]
    unverified = sum(1 for r in records if r["verified"] is not True)
    # CPU while delivering: from the last sample before the first arrival (start-up excluded) to the end.
    before = [sample for sample in samples if sample[0] <= times[0]] or samples[:1]
    (t0, cpu0), (t1, cpu1) = before[-1], samples[-1]
    return len(records) / span, wall, (cpu1 - cpu0) / max(t1 - t0, 1e-9), unverified


def measure_throughput(args: argparse.Namespace, machine: Machine, work: Path) -> list[ThroughputRound]:
    results = []
    # The API only fills the outbox here; it stays off the measured core.
    with stack(work, machine, args.subscribers, relay_in_api=False, api_cpus=machine.load_cpus) as s:
        for round_ in range(1, args.rounds + 1):
            since_us = int(time.time() * 1_000_000)
            asyncio.run(make_changes(s.tenant, args.events, concurrency=8, seed=100 + round_))
            events = events_since(s.db_path, since_us)
            pending = delivery_counts(s.db_path)["pending"]
            input_path = s.work / f"plain-{round_}.jsonl"
            count = plain_input(s, events, args.subscribers, input_path)
            log(f"throughput round {round_}: {len(events)} events, {pending} deliveries pending")
            order = ["relay", "plain"] if round_ % 2 else ["plain", "relay"]
            relay_rate = relay_wall = relay_cpu = plain_rate = plain_cpu = 0.0
            plain_errors = unverified = 0
            receiver_cpu = {}
            for which in order:
                before = s.receiver.cpu_seconds()
                if which == "relay":
                    relay_rate, relay_wall, relay_cpu, unverified = run_relay(
                        s, machine, events, args.subscribers
                    )
                    busy = count / relay_rate  # seconds from the first arrival to the last
                else:
                    plain_rate, plain_errors, plain_cpu = run_plain(s, machine, input_path, args.subscribers)
                    busy = count / plain_rate
                receiver_cpu[which] = (s.receiver.cpu_seconds() - before) / busy
            r = ThroughputRound(
                round=round_,
                events=len(events),
                deliveries=count,
                relay_rate=relay_rate,
                relay_wall=relay_wall,
                relay_cpu=relay_cpu,
                plain_rate=plain_rate,
                plain_errors=plain_errors,
                plain_cpu=plain_cpu,
                unverified=unverified,
                receiver_cpu_relay=receiver_cpu["relay"],
                receiver_cpu_plain=receiver_cpu["plain"],
            )
            log(
                f"throughput round {round_}: relay {r.relay_rate:,.0f} deliveries/s (CPU {r.relay_cpu:.0%}), "
                f"plain httpx {r.plain_rate:,.0f}/s (CPU {r.plain_cpu:.0%}), ratio {r.ratio:.3f}"
            )
            results.append(r)
    return results


# --- the plain client (a separate process) ---------------------------------------------------------


async def plain_client(base_url: str, input_path: Path, concurrency: int) -> dict[str, Any]:
    """POST every line of the input; `concurrency` lanes, each sending its lines one after the other."""
    import httpx

    lanes: dict[int, list[dict[str, Any]]] = {}
    with input_path.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            lanes.setdefault(int(item["lane"]) % concurrency, []).append(item)
    errors = 0

    async def lane(client: httpx.AsyncClient, items: list[dict[str, Any]]) -> None:
        nonlocal errors
        for item in items:
            response = await client.post(item["path"], content=item["body"].encode(), headers=item["headers"])
            await response.aread()
            errors += not 200 <= response.status_code < 300

    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=15, follow_redirects=False, trust_env=False
    ) as client:
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(lane(client, items) for items in lanes.values()))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    requests = sum(len(items) for items in lanes.values())
    return {"requests": requests, "seconds": seconds, "cpu_seconds": cpu, "errors": errors}


# --- report ----------------------------------------------------------------------------------------


def report(
    *,
    latency: list[LatencyRound],
    throughput: list[ThroughputRound],
    args: argparse.Namespace,
    machine: Machine,
    command: str,
) -> str:
    from webhooks.settings import WebhookSettings

    defaults = WebhookSettings()
    packages = ("litestar", "piccolo", "uvicorn", "aiosqlite", "httpx", "standardwebhooks")
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in packages)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = f"load average (1/5/15 min) {args.load_before} before the run, {load_average()} after"
    parts = [
        f"Measured {when} with `{command}` ({git_state()}).",
        "",
        f"- Machine: {machine.description}; a shared machine, so figures move between runs ({load}). "
        f"{machine.pinning('System under test', 'receiver and load')}.",
        f"- Python {platform.python_version()}; {versions}. SQLite (WAL). Relay settings at their "
        f"defaults: concurrency {defaults.webhooks_concurrency}, poll interval "
        f"{defaults.webhooks_poll_interval_seconds:g} s, timeout {defaults.webhooks_timeout_seconds:g} s.",
        "- Receiver: tests/support/receiver.py in its own process (ThreadingHTTPServer, HTTP/1.1 "
        f"keep-alive), answering 204, verifying every POST with `standardwebhooks` against the "
        f"{args.subscribers} subscribers' secrets and appending a JSON line per POST to its record.",
    ]
    if latency:
        parts += latency_section(latency, args)
    if throughput:
        parts += throughput_section(throughput, args)
    return "\n".join(parts)


def latency_section(latency: list[LatencyRound], args: argparse.Namespace) -> list[str]:
    setup = (
        "`airegistry serve` with the relay inside (the default), one process"
        if args.latency_setup == "inprocess"
        else "`airegistry serve` with AIREG_WEBHOOKS_RELAY=false, plus `airegistry worker` on the other core"
    )
    p95 = statistics.median(r.p95 for r in latency)
    p99 = statistics.median(r.p99 for r in latency)
    sustained = all(r.rate >= 0.95 * args.rate and r.late_over_1s == 0 for r in latency)
    kept_up = all(r.drain_seconds < 5 for r in latency)
    missing = sum(r.missing for r in latency)
    parts = [
        "",
        f"**Commit-to-first-attempt latency** at {args.rate:g} changes/s for {args.duration:g} s per "
        f"round ({args.rounds} rounds after {args.warmup:g} s of warm-up), {args.subscribers} "
        f"subscribers: {setup}. Changes are registrations and If-Match PATCHes through the API from "
        f"{args.concurrency} httpx clients, started on schedule (open loop). Latency = the receiver's "
        "arrival time of the first POST of a webhook-id at a subscriber minus the event's commit time "
        "(webhook_event.created_us). A change can cause more than one event (the register's rules add "
        "findings' and APV events), each delivered to every subscriber.",
        "",
        "| round | changes | changes/s achieved | events | first attempts | p50 ms | p95 ms | p99 ms | "
        "max ms | p95 ms, last third | backlog at end | drained after | change request p50 / p99 ms | "
        f"{'server' if args.latency_setup == 'inprocess' else 'API / worker'} CPU | receiver CPU |",
        "|" + " ---: |" * 15,
    ]
    for r in latency:
        cells = [
            str(r.round),
            f"{r.changes:,}",
            f"{r.rate:.1f}",
            f"{r.events:,}",
            f"{r.deliveries:,}",
            *(f"{v * 1000:,.0f}" for v in (r.p50, r.p95, r.p99, r.max, r.p95_last_third)),
            f"{r.backlog_at_end:,}",
            f"{r.drain_seconds:.1f} s",
            f"{r.change_p50 * 1000:,.0f} / {r.change_p99 * 1000:,.0f}",
            f"{r.server_cpu:.0%}" + (f" / {r.relay_cpu:.0%}" if r.relay_cpu is not None else ""),
            f"{r.receiver_cpu:.0%}",
        ]
        parts.append("| " + " | ".join(cells) + " |")
    parts += [
        f"| median | | {statistics.median(r.rate for r in latency):.1f} | | | "
        f"{statistics.median(r.p50 for r in latency) * 1000:,.0f} | **{p95 * 1000:,.0f}** | "
        f"**{p99 * 1000:,.0f}** | | | | | | | |",
        "",
        f"- {'met' if p95 <= TARGET_P95 else 'NOT met'}: p95 <= {TARGET_P95:g} s (measured {p95:.2f} s)",
        f"- {'met' if p99 <= TARGET_P99 else 'NOT met'}: p99 <= {TARGET_P99:g} s (measured {p99:.2f} s)",
        f"- Change rate sustained by the API: **{'yes' if sustained else 'no'}** (every round >= 95% of "
        f"{args.rate:g}/s and no change started more than 1 s late); deliveries kept up: "
        f"**{'yes' if kept_up else 'no'}** (backlog drained within 5 s of the last change)."
        + (f" {missing} first attempts missing." if missing else ""),
    ]
    return parts


def throughput_section(throughput: list[ThroughputRound], args: argparse.Namespace) -> list[str]:
    relay = statistics.median(r.relay_rate for r in throughput)
    plain = statistics.median(r.plain_rate for r in throughput)
    ratio = statistics.median(r.ratio for r in throughput)
    events = statistics.median(r.events for r in throughput)
    total = statistics.median(r.deliveries for r in throughput)
    parts = [
        "",
        f"**Sustained delivery throughput**: per round, {args.events} changes through the API fill the "
        f"outbox with about {events:,.0f} events x {args.subscribers} subscribers = {total:,.0f} deliveries "
        "while no relay runs (API with "
        "AIREG_WEBHOOKS_RELAY=false, on the other core), then `airegistry worker` alone on the measured "
        "core delivers them (first arrival to last; start-up not counted); next to it, on the same core, "
        f"a plain httpx client POSTs the same bodies with pre-signed headers, {args.subscribers} at a "
        "time, to the same receiver (which verifies every signature in both cases). Alternating order.",
        "",
        "| round | deliveries | relay deliveries/s | relay CPU | receiver CPU | plain httpx POSTs/s | "
        "plain CPU | receiver CPU | ratio relay/plain |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in throughput:
        parts.append(
            f"| {r.round} | {r.deliveries:,} | {r.relay_rate:,.0f} | {r.relay_cpu:.0%} | "
            f"{r.receiver_cpu_relay:.0%} | {r.plain_rate:,.0f} | {r.plain_cpu:.0%} | "
            f"{r.receiver_cpu_plain:.0%} | {r.ratio:.3f} |"
        )
    errors = sum(r.plain_errors for r in throughput)
    unverified = sum(r.unverified for r in throughput)
    parts += [
        f"| median | | **{relay:,.0f}** | | | **{plain:,.0f}** | | | **{ratio:.3f}** |",
        "",
        f"Plain-client errors: {errors}; deliveries whose signature did not verify: {unverified}.",
    ]
    return parts


def write_docs(path: Path, block: str) -> None:
    write_block(
        "bench-webhooks",
        "tests/bench/bench_webhooks.py",
        "Webhooks: commit-to-first-attempt latency and delivery throughput (SQLite)",
        "Requirement: commit-to-first-attempt latency p95 <= 2 s and p99 <= 5 s at 100 changes/s on "
        "SQLite with 10 subscribers; sustained delivery throughput to a local receiver (deliveries/s), "
        "with the signature check on the receiver side, reported next to the throughput of plain httpx "
        "POSTs to the same receiver (the ratio).",
        block,
        path,
    )


# --- main ------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark webhook latency and delivery throughput.")
    parser.add_argument("--parts", default="latency,throughput", help="latency, throughput or both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--subscribers", type=int, default=10)
    parser.add_argument("--rate", type=float, default=100.0, help="changes per second (latency)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per latency round")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of changes before the first round")
    parser.add_argument("--concurrency", type=int, default=16, help="API clients making changes (latency)")
    parser.add_argument(
        "--latency-setup",
        choices=("inprocess", "worker"),
        default="inprocess",
        help="inprocess: the relay inside `airegistry serve` (the default deployment); worker: a separate "
        "`airegistry worker`",
    )
    parser.add_argument(
        "--events", type=int, default=500, help="changes that fill the outbox per throughput round"
    )
    parser.add_argument("--docs", type=Path, default=DOCS, help="markdown file to update")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--keep-data", action="store_true", help="keep the scratch data dirs")
    args = parser.parse_args(argv)
    args.part_set = {p.strip() for p in args.parts.split(",") if p.strip()}
    if not args.part_set <= {"latency", "throughput"} or not args.part_set:
        parser.error("--parts: latency, throughput or both")
    if not 1 <= args.rounds <= 20 or not 1 <= args.subscribers <= 100 or not 1 <= args.events <= 100_000:
        parser.error("rounds 1..20, subscribers 1..100, events 1..100,000")
    return args


def main_plain(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_webhooks.py plain")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    result = asyncio.run(plain_client(args.base_url, args.input, args.concurrency))
    print("BENCH_JSON " + json.dumps(result), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["plain"]:
        return main_plain(argv[1:])
    args = parse_args(argv)
    exit_on_signals()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args.load_before = load_average()
    machine = Machine.probe()
    machine.pin_self()
    scratch = Path(tempfile.mkdtemp(prefix="airegistry-bench-webhooks-"))
    latency: list[LatencyRound] = []
    throughput: list[ThroughputRound] = []
    try:
        if "latency" in args.part_set:
            (scratch / "latency").mkdir()
            latency = measure_latency(args, machine, scratch / "latency")
        if "throughput" in args.part_set:
            (scratch / "throughput").mkdir()
            throughput = measure_throughput(args, machine, scratch / "throughput")
    except KeyboardInterrupt:
        log("interrupted; processes stopped")
        return 130
    except BaseException:
        args.keep_data = True  # the logs of the processes say what went wrong
        raise
    finally:
        if args.keep_data:
            log(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    command = " ".join([SCRIPT, *argv])
    block = report(latency=latency, throughput=throughput, args=args, machine=machine, command=command)
    print(block)
    if not args.no_docs:
        write_docs(args.docs, block)
        log(f"wrote {args.docs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
