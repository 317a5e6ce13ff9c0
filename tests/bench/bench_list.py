"""List-endpoint benchmark: the register against a bare Litestar route, one server process, SQLite.

    make bench        # = .venv/bin/python tests/bench/bench_list.py

1. A scratch data dir (AIREG_DATA_DIR) gets a migrated SQLite database seeded through the registry
   services: 100 organizations x 100 AI systems (60 of each organization's systems are in use).
2. The real body of GET /api/v1/organizations/{org}/systems?status=in_use&limit=50 is captured once;
   bench_app.py serves those bytes at /bench/bare (no auth, no database) and /bench/bare-auth.
3. One uvicorn process (pinned to one core with taskset where there are two) serves the app on
   127.0.0.1; the load generator (wrk, else bench_load.py with httpx) runs on another core with 16
   connections and a steward's bearer token.
4. Several rounds, each measuring every endpoint once, register and bare back to back in alternating
   order; the table gives medians over the rounds and the register/bare throughput ratio per round.
5. The figures go to stdout and into docs/benchmarks.md (between the generated-block markers).
The server is terminated at the end, on errors and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib.util
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.bench_load import WRK_REPORT_LUA  # noqa: E402
from tests.bench.docs_block import DOCS, write_block  # noqa: E402 - after the sys.path insert above
from tests.bench.machine import Machine  # noqa: E402
from tests.bench.processes import HOST, Proc, exit_on_signals, free_port, start  # noqa: E402

FILTER = "status=in_use"
PAGE = 50
TARGET_LIST_P99_MS = 50.0
TARGET_RATIO = 0.25
TARGET_SINGLE_P99_MS = 20.0
ENDPOINTS = {
    "list": "register list: GET /api/v1/organizations/{org}/systems?status=in_use&limit=50",
    "bare": "bare route: GET /bench/bare (same bytes, no auth, no database)",
    "bare_auth": "bare route behind the JWT middleware: GET /bench/bare-auth (diagnostic)",
    "single": "register single system: GET /api/v1/systems/{id} (100 ids in turn)",
}
WRK_LUA = (
    r"""
local paths = {%(paths)s}
local n = 0
if #paths > 1 then
  request = function()
    n = n %% #paths + 1
    return wrk.format("GET", paths[n])
  end
end
"""
    + WRK_REPORT_LUA
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- seeding and the captured body -----------------------------------------------------------------


@dataclass
class Dataset:
    data_dir: Path
    org_id: str
    system_ids: list[str]
    token: str
    body: bytes
    seconds: float
    organizations: int
    systems: int
    in_use: int


async def prepare(data_dir: Path, organizations: int, per_org: int) -> Dataset:
    # Imported here: piccolo_conf chooses the database from AIREG_DATA_DIR when first imported.
    import bench_seed
    import httpx

    from api.app import create_app
    from api.auth import TokenIssuer
    from api.settings import ApiSettings
    from registry import Role
    from registry.composition import compose
    from registry.db.migrate import migrate
    from webhooks.outbox import OutboxSink

    logging.getLogger("httpx").setLevel(logging.WARNING)
    compose(OutboxSink())  # registering writes its events to the outbox, as in the served app
    with contextlib.redirect_stdout(sys.stderr):  # piccolo reports migrations on stdout
        await migrate()
    started = time.perf_counter()
    seeded = await bench_seed.seed(organizations, per_org)
    seconds = time.perf_counter() - started
    org_id = seeded.org_ids[0]
    settings = ApiSettings(data_dir=data_dir)
    token = TokenIssuer.from_settings(settings).issue(
        role=Role.steward, sub="bench-steward", org=org_id, ttl_seconds=6 * 3600
    )
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        response = await client.get(list_path(org_id), headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    page = response.json()
    if len(page["items"]) != PAGE or not page["next_cursor"]:
        raise RuntimeError(f"the filtered list returned {len(page['items'])} items, not a page of {PAGE}")
    return Dataset(
        data_dir=data_dir,
        org_id=org_id,
        system_ids=seeded.system_ids[org_id],
        token=token,
        body=response.content,
        seconds=seconds,
        organizations=len(seeded.org_ids),
        systems=sum(len(ids) for ids in seeded.system_ids.values()),
        in_use=seeded.status_counts[org_id]["in_use"],
    )


def list_path(org_id: str) -> str:
    return f"/api/v1/organizations/{org_id}/systems?{FILTER}&limit={PAGE}"


# --- the server ------------------------------------------------------------------------------------


@contextlib.contextmanager
def serve(data: Dataset, machine: Machine, extra_env: dict[str, str] | None = None) -> Iterator[Proc]:
    """`extra_env` adds to the server's environment (bench_access_log.py: audit on or off, limits)."""
    body_file = data.data_dir / "bare-body.json"
    body_file.write_bytes(data.body)
    env = {k: v for k, v in os.environ.items() if k != "AIREG_DATABASE_URL"}
    env |= {"AIREG_DATA_DIR": str(data.data_dir), "AIREG_BENCH_BARE_BODY": str(body_file)}
    env |= extra_env or {}
    port = free_port()
    command = machine.pin(
        machine.server_cpus,
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(HERE),
            "bench_app:create_bench_app",
            "--factory",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
    )
    log_path = data.data_dir / f"server-{port}.log"
    server = Proc("the server", start(command, env, log_path), log_path, port=port)
    try:
        server.wait_ready("/api/v1/health", interval=0.2)
        yield server
    finally:
        server.stop(timeout=15)
        log(f"server stopped (exit code {server.process.returncode})")


def check_routes(server: Proc, data: Dataset, paths: dict[str, list[str]]) -> dict[str, Any]:
    """Every measured route answers 200 before any load; the bare bodies equal the list body."""
    import httpx

    headers = {"Authorization": f"Bearer {data.token}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
        bodies = {}
        for name, candidates in paths.items():
            response = client.get(candidates[0])
            if response.status_code != 200:
                raise RuntimeError(
                    f"{name}: {candidates[0]} answered {response.status_code}: {response.text[:200]}"
                )
            bodies[name] = response.content
        info = client.get("/bench/info").json()
    if not bodies["list"] == bodies["bare"] == bodies["bare_auth"]:
        raise RuntimeError(
            f"bodies differ: list {len(bodies['list'])} B, bare {len(bodies['bare'])} B, "
            f"bare-auth {len(bodies['bare_auth'])} B"
        )
    return info


# --- load ------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    endpoint: str
    round: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    errors: int
    server_cpu: float  # share of one core the server used during the run
    client_cpu: float  # share of one core the load generator used


@dataclass
class LoadGenerator:
    kind: str  # "wrk", "asyncio" or "httpx" (the last two: bench_load.py with that client)
    machine: Machine
    base_url: str
    token: str
    connections: int
    scratch: Path
    version: str = ""
    scripts: dict[str, Path] = field(default_factory=dict)

    def command(self, name: str, paths: list[str], seconds: float) -> list[str]:
        header = f"Authorization: Bearer {self.token}"
        if self.kind == "wrk":
            script = self.scripts.get(name)
            if script is None:
                script = self.scratch / f"{name}.lua"
                script.write_text(WRK_LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
                self.scripts[name] = script
            wrk = shutil.which("wrk") or "/usr/bin/wrk"
            command = [
                wrk,
                "-t1",
                f"-c{self.connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-H",
                header,
                "-s",
                str(script),
                self.base_url + paths[0],
            ]
        else:
            client = "raw" if self.kind == "asyncio" else "httpx"
            command = [
                sys.executable,
                str(HERE / "bench_load.py"),
                "--base-url",
                self.base_url,
                "--client",
                client,
                "--connections",
                str(self.connections),
                "--duration",
                str(seconds),
                "--header",
                header,
            ]
            for path in paths:
                command += ["--path", path]
        return self.machine.pin(self.machine.load_cpus, command)

    def measure(self, server: Proc, name: str, paths: list[str], seconds: float, round_: int) -> Measurement:
        cpu_before, wall_before = server.cpu_seconds(), time.monotonic()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        completed = subprocess.run(
            self.command(name, paths, seconds),
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.monotonic() - wall_before
        server_cpu = (server.cpu_seconds() - cpu_before) / wall
        client_cpu = (
            children_after.ru_utime
            + children_after.ru_stime
            - children_before.ru_utime
            - children_before.ru_stime
        ) / wall
        lines = [ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH_JSON ")]
        if completed.returncode != 0 or not lines:
            raise RuntimeError(
                f"load generator failed ({completed.returncode}):\n{completed.stdout}\n"
                f"{completed.stderr}\nserver log:\n{server.tail()}"
            )
        raw = json.loads(lines[-1].removeprefix("BENCH_JSON "))
        errors = sum(int(raw[k]) for k in raw if k.startswith("errors_"))
        return Measurement(
            endpoint=name,
            round=round_,
            rps=raw["requests"] / (raw["duration_us"] / 1e6),
            p50_ms=raw["p50_us"] / 1000,
            p90_ms=raw["p90_us"] / 1000,
            p99_ms=raw["p99_us"] / 1000,
            max_ms=raw["max_us"] / 1000,
            requests=int(raw["requests"]),
            errors=errors,
            server_cpu=server_cpu,
            client_cpu=client_cpu,
        )


def pick_load_generator(choice: str) -> tuple[str, str]:
    wrk = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)
    if choice == "wrk" and not wrk:
        raise SystemExit("--loadgen wrk: wrk is not installed (Debian: apt-get install -y wrk)")
    if choice in ("auto", "wrk") and wrk:
        version = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
        first = (version.stdout + version.stderr).strip().splitlines()
        return "wrk", (first[0] if first else "wrk").split(" Copyright")[0] + " (one thread)"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    if choice == "httpx":
        httpx = metadata.version("httpx")
        return "httpx", f"tests/bench/bench_load.py --client httpx (httpx {httpx}, {loop})"
    why = "" if wrk else "; wrk is not installed"
    return "asyncio", f"tests/bench/bench_load.py (HTTP/1.1 over asyncio streams, {loop}{why})"


# --- report ----------------------------------------------------------------------------------------


@dataclass
class Summary:
    endpoint: str
    rps: float
    p50_ms: float
    p99_ms: float
    rounds: int
    errors: int
    server_cpu: float
    client_cpu: float


def summarize(results: list[Measurement]) -> dict[str, Summary]:
    summaries = {}
    for name in ENDPOINTS:
        runs = [m for m in results if m.endpoint == name]
        if runs:
            summaries[name] = Summary(
                endpoint=name,
                rps=statistics.median(m.rps for m in runs),
                p50_ms=statistics.median(m.p50_ms for m in runs),
                p99_ms=statistics.median(m.p99_ms for m in runs),
                rounds=len(runs),
                errors=sum(m.errors for m in runs),
                server_cpu=statistics.median(m.server_cpu for m in runs),
                client_cpu=statistics.median(m.client_cpu for m in runs),
            )
    return summaries


def ratios(results: list[Measurement], over: str = "list", under: str = "bare") -> list[float]:
    by_round: dict[int, dict[str, float]] = {}
    for m in results:
        by_round.setdefault(m.round, {})[m.endpoint] = m.rps
    return [r[over] / r[under] for _, r in sorted(by_round.items()) if over in r and under in r and r[under]]


def client_bound(s: Summary) -> bool:
    """The load generator, not the server, set the pace: its core was busy and the server's was not."""
    return s.client_cpu > 0.9 and s.server_cpu < 0.85


def verdicts(summaries: dict[str, Summary], ratio: float) -> list[tuple[str, str, bool]]:
    bare_limited = client_bound(summaries["bare"])
    ratio_text = f"{ratio:.3f}" + (
        "; inconclusive: the load generator, not the server, limited the bare route, so the ratio is "
        "overstated"
        if bare_limited
        else ""
    )
    return [
        (
            f"list p99 <= {TARGET_LIST_P99_MS:.0f} ms",
            f"{summaries['list'].p99_ms:.1f} ms",
            summaries["list"].p99_ms <= TARGET_LIST_P99_MS,
        ),
        (
            f"list/bare throughput ratio >= {TARGET_RATIO}",
            ratio_text,
            ratio >= TARGET_RATIO and not bare_limited,
        ),
        (
            f"single-system GET p99 <= {TARGET_SINGLE_P99_MS:.0f} ms",
            f"{summaries['single'].p99_ms:.1f} ms",
            summaries["single"].p99_ms <= TARGET_SINGLE_P99_MS,
        ),
    ]


def tables(results: list[Measurement], summaries: dict[str, Summary]) -> str:
    list_ratios = ratios(results)
    lines = [
        "| endpoint | req/s (median) | p50 ms | p99 ms | runs | errors | server CPU | load-gen CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, s in summaries.items():
        lines.append(
            f"| {ENDPOINTS[name]} | {s.rps:,.0f} | {s.p50_ms:.2f} | {s.p99_ms:.2f} | {s.rounds} | "
            f"{s.errors} | {s.server_cpu:.0%} | {s.client_cpu:.0%} |"
        )
    lines += [
        "",
        "| round | list req/s | bare req/s | ratio list/bare | bare-auth req/s | single req/s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    by_round: dict[int, dict[str, Measurement]] = {}
    for m in results:
        by_round.setdefault(m.round, {})[m.endpoint] = m
    for (round_, runs), ratio in zip(sorted(by_round.items()), list_ratios, strict=False):
        cells = [f"{runs[n].rps:,.0f}" if n in runs else "-" for n in ("list", "bare")]
        extra = [f"{runs[n].rps:,.0f}" if n in runs else "-" for n in ("bare_auth", "single")]
        lines.append(f"| {round_} | {cells[0]} | {cells[1]} | {ratio:.3f} | {extra[0]} | {extra[1]} |")
    lines.append(f"| median | | | **{statistics.median(list_ratios):.3f}** | | |")
    return "\n".join(lines)


def report(
    *,
    results: list[Measurement],
    data: Dataset,
    machine: Machine,
    loadgen: LoadGenerator,
    info: dict[str, Any],
    args: argparse.Namespace,
    command: str,
) -> str:
    summaries = summarize(results)
    ratio = statistics.median(ratios(results))
    checks = verdicts(summaries, ratio)
    met = all(ok for _, _, ok in checks)
    auth_ratio = ratios(results, "bare_auth", "bare")
    pinning = machine.pinning("server", "load generator")
    packages = ("litestar", "piccolo", "uvicorn", "aiosqlite", "python-jose")
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in packages)
    http = "httptools" if info.get("httptools_installed") else "h11"
    parts = [
        f"Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} with {command}.",
        "",
        f"- Machine: {machine.description}; a shared machine, so figures move between runs.",
        f"- Server: one uvicorn process (`--workers 1`, access log off), event loop {info.get('loop')}, "
        f"HTTP parser {http} (uvicorn's `auto` choice); Python {info.get('python')}; {versions}; {pinning}.",
        f"- Load: {loadgen.version}, {args.connections} connections, closed loop, keep-alive, "
        f"{args.rounds} rounds x {args.duration:g} s per endpoint after {args.warmup:g} s warm-up each; "
        "register and bare measured back to back in each round, in alternating order.",
        f"- Data: SQLite (WAL) with {data.organizations} organizations x "
        f"{data.systems // max(data.organizations, 1)} AI systems, seeded through the registry services "
        f"in {data.seconds:.0f} s; the organization measured has {data.in_use} systems in use. "
        f"Requests carry a steward's bearer token (HS256). The list page ({FILTER}, limit={PAGE}) is "
        f"{len(data.body):,} bytes; the bare routes send those same bytes.",
        "",
        tables(results, summaries),
        "",
        "Targets (medians over the rounds):",
        "",
    ]
    parts += [f"- {'met' if ok else 'NOT met'}: {what} (measured {value})" for what, value, ok in checks]
    parts += [
        "",
        f"All targets met: **{'yes' if met else 'no'}**.",
    ]
    if not client_bound(summaries["bare"]) and not client_bound(summaries["bare_auth"]):
        auth_share = statistics.median(auth_ratio)
        parts[-1] += (
            f" Token verification alone costs the bare route {1 - auth_share:.0%} of its "
            f"throughput (bare-auth/bare = {auth_share:.3f})."
        )
    limited = [name for name, s in summaries.items() if client_bound(s)]
    if limited:
        parts.append(
            f"Warning: the load generator limited {', '.join(limited)} (its core over 90% busy, the "
            "server's under 85%): those figures measure the client, not the server."
        )
    return "\n".join(parts)


def write_docs(path: Path, block: str) -> None:
    write_block(
        "bench",
        "tests/bench/bench_list.py",
        "List endpoint against a bare route (SQLite, one server process)",
        "Requirement: with 10,000 systems across 100 organizations in SQLite, one server process, the "
        "list endpoint (50 items, authenticated, one filter) at 16 concurrent clients has p99 <= 50 ms "
        "and at least 0.25 of the throughput of a bare Litestar route in the same app returning a "
        "pre-built JSON body of the same size; a single-system GET has p99 <= 20 ms.",
        block,
        path,
    )


# --- main ------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the list endpoint against a bare Litestar route.")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each measures every endpoint once")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement (1..120)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unrecorded load per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--organizations", type=int, default=100)
    parser.add_argument("--systems-per-org", type=int, default=100, help=">= 84 so a filtered page is full")
    parser.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "asyncio", "httpx"),
        default="auto",
        help="auto: wrk when installed, else bench_load.py (asyncio streams); httpx: "
        "bench_load.py with httpx, which saturates its core long before the bare route does",
    )
    parser.add_argument("--docs", type=Path, default=DOCS, help="markdown file to update")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--keep-data", action="store_true", help="keep the scratch data dir")
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= 20 or not 1 <= args.duration <= 120 or not 0 <= args.warmup <= 60:
        parser.error("rounds 1..20, duration 1..120 s, warm-up 0..60 s")
    if not 1 <= args.connections <= 256 or not 1 <= args.organizations <= 1000:
        parser.error("connections 1..256, organizations 1..1000")
    if not 84 <= args.systems_per_org <= 1000:
        parser.error("systems per organization 84..1000 (60% are in use; a page needs 50)")
    return args


def run(args: argparse.Namespace, argv: list[str] | None = None) -> int:
    machine = Machine.probe()
    kind, version = pick_load_generator(args.loadgen)
    data_dir = Path(tempfile.mkdtemp(prefix="airegistry-bench-"))
    # Before anything imports piccolo_conf: the engine is chosen from these at import time.
    os.environ["AIREG_DATA_DIR"] = str(data_dir)
    os.environ.pop("AIREG_DATABASE_URL", None)
    sys.path.insert(0, str(HERE))
    try:
        log(f"seeding {args.organizations} x {args.systems_per_org} systems into {data_dir}")
        data = asyncio.run(prepare(data_dir, args.organizations, args.systems_per_org))
        log(f"seeded in {data.seconds:.1f} s; list page body {len(data.body):,} bytes")
        paths = {
            "list": [list_path(data.org_id)],
            "bare": ["/bench/bare"],
            "bare_auth": ["/bench/bare-auth"],
            "single": [f"/api/v1/systems/{system_id}" for system_id in data.system_ids[:100]],
        }
        with serve(data, machine) as server:
            info = check_routes(server, data, paths)
            log(f"server pid {server.process.pid} on {server.base_url}: {info}")
            loadgen = LoadGenerator(
                kind=kind,
                machine=machine,
                base_url=server.base_url,
                token=data.token,
                connections=args.connections,
                scratch=data_dir,
                version=version,
            )
            if args.warmup:
                for name, candidates in paths.items():
                    loadgen.measure(server, name, candidates, args.warmup, 0)
            results: list[Measurement] = []
            for round_ in range(1, args.rounds + 1):
                order = ["list", "bare", "bare_auth", "single"]
                if round_ % 2 == 0:
                    order = ["bare", "list", "single", "bare_auth"]
                for name in order:
                    m = loadgen.measure(server, name, paths[name], args.duration, round_)
                    log(
                        f"round {round_} {name:9s} {m.rps:9,.0f} req/s  p50 {m.p50_ms:7.2f} ms  "
                        f"p99 {m.p99_ms:7.2f} ms  errors {m.errors}  server CPU {m.server_cpu:.0%}  "
                        f"load-gen CPU {m.client_cpu:.0%}"
                    )
                    results.append(m)
        script = ".venv/bin/python tests/bench/bench_list.py"
        given = sys.argv[1:] if argv is None else argv
        command = f"`{' '.join([script, *given])}`" if given else f"`make bench` (runs `{script}`)"
        block = report(
            results=results,
            data=data,
            machine=machine,
            loadgen=loadgen,
            info=info,
            args=args,
            command=command,
        )
        print(block)
        if not args.no_docs:
            write_docs(args.docs, block)
            log(f"wrote {args.docs}")
    finally:
        if args.keep_data:
            log(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_signals()
    try:
        return run(args, argv)
    except KeyboardInterrupt:
        log("interrupted; server stopped")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
