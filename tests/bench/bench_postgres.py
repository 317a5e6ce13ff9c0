"""Production scale on PostgreSQL: the register with 1,000,000 AI systems in 50,000 organizations and
10,000,000 access-log entries, served by real processes on 127.0.0.1.

    .venv/bin/python tests/bench/bench_postgres.py --data-dir /var/tmp/airegistry-pg-bench   (--help)

1. Server. Debian's PostgreSQL (scripts/ensure-postgres.sh installs it) in a cluster of this script's
   own (tests/support/postgres.py ThrowawayPostgres with `root=` and `settings=`): durability at the
   defaults (fsync, synchronous_commit, full_page_writes on), with memory settings for a dedicated
   database host of modest size (PG_SETTINGS). With --data-dir the cluster, the keys and a manifest stay
   there, and a rerun with the same sizes skips the seeding.
2. Seeding, without the API or the services one by one: `airegistry migrate`, then rows generated in
   worker processes and bulk-loaded with asyncpg's copy_records_to_table. Organizations (skewed sizes:
   the 10 largest hold 5% of the systems, the rest follow a log-normal spread) with one unit each; AI
   systems and their first revision built by the services' own functions (`_complete` of a validated
   `SystemFields` from bench_seed.system_fields, `_document`, `_columns`: the stored JSON, the filter
   columns and `search_text`; `changed_field_names` and `material_reasons` for the revision) from
   templates that are varied per system (id, organization, unit, name, times); access-log entries from
   bench_access_log's draft generator, numbered, timed and hashed by the writer's own `chain_entries`
   (in worker processes; the main process links them in order with `link`, which is what chain_entries
   computes), with a checkpoint signed for every hour of log and for the head. The secondary indexes of
   the three big tables are dropped for the load and rebuilt from their own definitions afterwards, then
   VACUUM (ANALYZE). Findings, APV reassessments, questions and webhook events start empty.
3. Query plans: EXPLAIN (ANALYZE, BUFFERS) of the SQL the list (filter and text search), the single GET
   and the export send, in the report; the text search also as the generic plan of a prepared statement
   (asyncpg prepares every statement; PostgreSQL may switch to that plan after five executions).
4. List and single GET with two `airegistry serve` processes (relay off: `airegistry worker` delivers in
   production) on two ports; wrk with two threads, one per server (the Lua `setup` points each thread at
   one port), 16 connections in all; the list pages of the 10 largest organizations in turn, as an
   auditor of all organizations; the single GET over 2,000 systems drawn from the whole table. Nothing
   pinned: the API processes, PostgreSQL and wrk share the machine's cores, as they would on a host.
5. Ratios to a bare route, as bench_list.py measures them on SQLite: bench_app.py (the real app plus
   /bench/bare with the captured bytes of the measured list page) in one uvicorn process pinned to one
   core, wrk on the other core, a steward's token; once on this PostgreSQL database (PostgreSQL's own
   processes on the load core) and once on a SQLite data dir seeded as bench_list.py seeds it (100 x 100
   systems), both in the same rounds, alternating, so the machine's load is the same for both.
6. Access-log export: GET /api/v1/access-log?from=&to=&format=jsonl|csv as an auditor, the newest
   --export-entries entries of the 10,000,000, streamed by bench_access_log.py's fetch helper from one
   pinned server; each format's file of the first round is verified offline with the public key.
7. Webhook fan-out: as bench_webhooks.py's throughput part, on this database: 10 subscriptions on a
   receiver (tests/support/receiver.py, checking every signature), the outbox filled through the API
   (relay off), then `airegistry worker` alone on one core delivers; deliveries/s from the receiver's
   first arrival to its last, next to a plain httpx client POSTing the same signed bodies.
8. The daily recompute of the findings (part `findings`): `recompute_organization` over the 10 largest
   organizations in a process of its own, three rounds. Before any server starts, the run is recorded
   as done in `scheduled_run`, so no measured server runs it meanwhile.
9. The figures go to stdout and into docs/benchmarks.md between the bench-postgres markers.

Every process started here is stopped at the end, on errors and on Ctrl-C; the PostgreSQL server too
(its cluster is deleted unless --data-dir or --keep-data).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # bench_list and bench_access_log import their siblings by name

from tests.bench.bench_load import WRK_REPORT_LUA  # noqa: E402
from tests.bench.docs_block import DOCS, write_block  # noqa: E402 - after the sys.path insert above
from tests.bench.machine import Machine  # noqa: E402
from tests.bench.processes import HOST, Proc, cli, exit_on_signals  # noqa: E402

SCRIPT = ".venv/bin/python tests/bench/bench_postgres.py"
SEED_VERSION = 1  # bump when the seeded data changes shape: a kept data dir is then seeded again
API = "/api/v1"

TARGET_LIST_P99_MS = 50.0
TARGET_SINGLE_P99_MS = 20.0
TARGET_EXPORT_ROWS_PER_S = 50_000
TARGET_RATIO_SHARE = 0.8  # a PostgreSQL ratio within 20% of SQLite's: at least 0.8 of it

PAGE = 50
LIST_FILTER = "status=in_use"
SEARCH = "vagtplan"  # begins "Vagtplanlægning" (one product in 12) and "vagtplaner" in its purpose
LARGE_ORGANIZATIONS = 10
LARGE_SHARE = 0.05  # of all systems, in the 10 largest organizations
SINGLE_IDS = 2000
SYSTEM_CHUNK = 20_000  # systems per worker task
LOG_CHUNK = 50_000  # access-log entries per worker task
TEMPLATES = 240  # validated system documents per worker, varied per system
START_US = 1_640_995_200_000_000  # 2022-01-01: systems were registered between then and the seeding
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
PLACEHOLDER_UNIT = "00000000-0000-4000-8000-000000000000"
SQLITE_DOC_RATIOS = {"list": 0.251, "single": 5485 / 14671}  # docs/benchmarks.md, bench_list.py's block

# Durability as PostgreSQL ships it; memory for a database host with a few GB to spare. The planner and
# autovacuum settings stay at their defaults.
PG_SETTINGS = {
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "shared_buffers": "1GB",
    "effective_cache_size": "4GB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
    "max_connections": "200",
}
BIG_TABLES = ("ai_system", "system_revision", "access_log")
ORGANIZATION_FIELDS = ("name", "cvr", "sector", "cooperation_body", "notice_period_days", "maturity_level")
CHECKPOINT_COLUMNS = ("kind", "last_seq", "last_hash", "at", "at_ms", "key_id", "signature")

WRK_LUA = (
    r"""
local ports = {%(ports)s}
local paths = {%(paths)s}
local started = 0
function setup(thread)
  started = started + 1
  local port = ports[(started - 1) %% #ports + 1]
  thread.addr = wrk.lookup("127.0.0.1", tostring(port))[1]
  thread:set("offset", started * 7)
end
local n = 0
function init(args)
  n = offset or 0
end
function request()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n])
end
"""
    + WRK_REPORT_LUA
)


def log(message: str) -> None:
    print(f"[bench-pg {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def bench_json(stdout: str) -> dict[str, Any]:
    lines = [ln for ln in stdout.splitlines() if ln.startswith("BENCH_JSON ")]
    if not lines:
        raise RuntimeError(f"no BENCH_JSON line in:\n{stdout[-2000:]}")
    return dict(json.loads(lines[-1].removeprefix("BENCH_JSON ")))


# --- the data dir, the server and the manifest -----------------------------------------------------


@dataclass
class Layout:
    root: Path

    @property
    def cluster(self) -> Path:
        return self.root / "pg"

    @property
    def app(self) -> Path:  # AIREG_DATA_DIR of the PostgreSQL register: its keys
        return self.root / "app"

    @property
    def sqlite(self) -> Path:  # AIREG_DATA_DIR of the SQLite comparison
        return self.root / "sqlite"

    @property
    def work(self) -> Path:  # logs, the receiver, exports; emptied on each run
        return self.root / "work"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"


def prepare_layout(root: Path) -> Layout:
    layout = Layout(root)
    for path in (root, layout.app, layout.sqlite):
        path.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(layout.work, ignore_errors=True)
    layout.work.mkdir()
    # The server runs as the postgres user: it must reach its cluster directory through the root.
    root.chmod(0o711)
    return layout


@dataclass
class Manifest:
    seed_version: int
    systems: int
    organizations: int
    log_entries: int
    large_org_ids: list[str]
    large_size: int
    steward_org_id: str
    steward_system_ids: list[str]
    sample_system_ids: list[str]
    log_start_ms: int
    log_span_ms: int
    log_checkpoints: int
    seconds: dict[str, float]
    seeded_at: str
    jobs: int
    load_before: str
    load_after: str

    def at_ms(self, seq: int) -> int:
        return self.log_start_ms + (seq - 1) * self.log_span_ms // self.log_entries

    def matches(self, args: argparse.Namespace) -> bool:
        return (self.seed_version, self.systems, self.organizations, self.log_entries) == (
            SEED_VERSION,
            args.systems,
            args.organizations,
            args.log_entries,
        )


def read_manifest(layout: Layout) -> Manifest | None:
    if not layout.manifest.exists():
        return None
    with contextlib.suppress(ValueError, TypeError, KeyError):
        return Manifest(**json.loads(layout.manifest.read_text()))
    return None


@contextlib.contextmanager
def postgres(layout: Layout) -> Iterator[Any]:
    from tests.support.postgres import ThrowawayPostgres, find_bin_dir

    if find_bin_dir() is None:
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure-postgres.sh")], check=True)
    with ThrowawayPostgres(root=layout.cluster, settings=PG_SETTINGS) as pg:
        yield pg


def postmaster_pid(layout: Layout) -> int:
    return int((layout.cluster / "data" / "postmaster.pid").read_text().split()[0])


def postgres_pids(layout: Layout) -> list[int]:
    """The postmaster and its children (backends, checkpointer, walwriter, autovacuum)."""
    parent = postmaster_pid(layout)
    pids = [parent]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                pids.append(int(stat.parent.name))
    return pids


def cpu_seconds(pids: Iterable[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class PostgresCpu:
    """CPU seconds PostgreSQL's processes used since `start()`, counting backends that start later
    (from zero) and those that exit (up to their last sample)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.base: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def start(self) -> PostgresCpu:
        for pid in postgres_pids(self.layout):
            self.base[pid] = self.last[pid] = cpu_seconds([pid])
        return self

    def sample(self) -> float:
        for pid in postgres_pids(self.layout):
            self.base.setdefault(pid, 0.0)
            self.last[pid] = max(self.last.get(pid, 0.0), cpu_seconds([pid]))
        return sum(self.last[pid] - self.base[pid] for pid in self.last)


def pin_postgres(layout: Layout, cpus: str | None) -> str:
    """Move PostgreSQL's processes (and so the backends it forks later) onto `cpus`; None: all CPUs."""
    wanted = {int(c) for c in cpus.split(",")} if cpus is not None else set(range(os.cpu_count() or 1))
    for pid in postgres_pids(layout):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, wanted)
    return "all CPUs" if cpus is None else f"CPU {cpus}"


def base_env(layout: Layout, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIREG_")}
    env |= {"AIREG_DATA_DIR": str(layout.app), "AIREG_DATABASE_URL": url}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


class Probe:
    """A synchronous asyncpg connection of this process, for counting and EXPLAIN."""

    def __init__(self, url: str) -> None:
        import asyncpg

        self.loop = asyncio.new_event_loop()
        self.connection = self.loop.run_until_complete(asyncpg.connect(url))

    def fetch(self, sql: str, *args: Any) -> list[Any]:
        return list(self.loop.run_until_complete(self.connection.fetch(sql, *args)))

    def value(self, sql: str, *args: Any) -> Any:
        return self.loop.run_until_complete(self.connection.fetchval(sql, *args))

    def close(self) -> None:
        self.loop.run_until_complete(self.connection.close())
        self.loop.close()


# --- seeding: generated rows, bulk-loaded -----------------------------------------------------------


def organization_sizes(rng: random.Random, systems: int, organizations: int, large_size: int) -> list[int]:
    """The first LARGE_ORGANIZATIONS get `large_size` systems each; the others at least one, spread
    log-normally (a long tail of a few hundred) so that they add up to `systems`."""
    rest = organizations - LARGE_ORGANIZATIONS
    remaining = systems - LARGE_ORGANIZATIONS * large_size
    weights = [rng.lognormvariate(0.0, 1.0) for _ in range(rest)]
    scale = (remaining - rest) / sum(weights)
    sizes = [1 + int(w * scale) for w in weights]
    short = remaining - sum(sizes)
    for index in range(short):
        sizes[index % rest] += 1
    return [large_size] * LARGE_ORGANIZATIONS + sizes


@dataclass(frozen=True)
class Template:
    stated: dict[str, Any]
    base_name: str
    has_unit: bool
    changed: str  # JSON of the revision's changed_fields
    material: str  # JSON of the revision's material_reasons


_templates: dict[str, list[Template]] = {}


def _build_templates(seed: int) -> dict[str, list[Template]]:
    """Documents through the services' validation, per status, once per worker process."""
    import bench_seed

    from registry.obligations.materiality import material_reasons
    from registry.systems import service as systems
    from registry.systems.history import changed_field_names
    from registry.systems.models import SystemFields

    now = dt.datetime.now(dt.UTC)
    found: dict[str, list[Template]] = {status: [] for status in bench_seed.STATUS_SHARES}
    rng = random.Random(seed)
    for index in range(TEMPLATES):
        status = list(bench_seed.STATUS_SHARES)[index % len(bench_seed.STATUS_SHARES)]
        fields = bench_seed.system_fields(rng, index, status, PLACEHOLDER_UNIT)
        stated = systems._complete(SystemFields.model_validate(fields))
        document = systems._document(uuid.UUID(int=index), str(uuid.UUID(int=0)), 1, stated, now, now)
        found[status].append(
            Template(
                stated=stated,
                base_name=stated["name"].rsplit(" ", 1)[0],
                has_unit=bool(stated["unit_ids"]),
                changed=systems._dumps(changed_field_names(None, document)),
                material=systems._dumps(material_reasons(None, document)),
            )
        )
    return found


def system_chunk(task: tuple[int, list[tuple[str, str, int]], int]) -> dict[str, Any]:
    """Worker: the ai_system and system_revision rows of some organizations, as COPY tuples."""
    import bench_seed

    from registry.systems import service as systems

    seed, organizations, now_us = task
    if not _templates:
        _templates.update(_build_templates(20_260_101))
    rng = random.Random(seed)
    ai_rows: list[tuple[Any, ...]] = []
    revision_rows: list[tuple[Any, ...]] = []
    ids: dict[str, list[str]] = {}
    author_note = "Registreret ved indlæsning."
    for org_id, unit_id, size in organizations:
        org_key = uuid.UUID(org_id)
        author = f"bench-hr-{org_id[:8]}"
        org_ids = ids.setdefault(org_id, [])
        for index, status in enumerate(bench_seed._statuses(rng, size)):
            template = rng.choice(_templates[status])
            stated = dict(template.stated)
            stated["name"] = f"{template.base_name} {index + 1}"
            stated["unit_ids"] = [unit_id] if template.has_unit else []
            system_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            created_us = START_US + rng.randrange(now_us - START_US - 86_400_000_000)
            created = dt.datetime.fromtimestamp(created_us / 1_000_000, dt.UTC)
            document = systems._document(system_id, org_id, 1, stated, created, created)
            columns = {c._meta.name: v for c, v in systems._columns(document, created, author).items()}
            ai_rows.append(
                (
                    system_id,
                    org_key,
                    1,
                    columns["document"],
                    columns["name"],
                    columns["status"],
                    columns["category"],
                    columns["control_measure"],
                    columns["risk_class"],
                    columns["data_categories"],
                    columns["unit_ids"],
                    columns["search_text"],
                    created_us,
                    columns["changed_us"],
                    created,
                    created,
                    author,
                    author,
                )
            )
            revision_rows.append(
                (
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    system_id,
                    1,
                    columns["document"],
                    template.changed,
                    template.material,
                    author_note,
                    author,
                    created,
                )
            )
            org_ids.append(str(system_id))
    return {"ai": ai_rows, "revisions": revision_rows, "ids": ids}


AI_COLUMNS = (
    "id",
    "organization",
    "version",
    "document",
    "name",
    "status",
    "category",
    "control_measure",
    "risk_class",
    "data_categories",
    "unit_ids",
    "search_text",
    "sort_key",
    "changed_us",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
)
REVISION_COLUMNS = (
    "id",
    "system",
    "version",
    "document",
    "changed_fields",
    "material_reasons",
    "change_note",
    "author",
    "created_at",
)


_actors: list[Any] = []


def log_chunk(task: tuple[int, int, int, int, int]) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Worker: entries first_seq..last_seq, numbered, timed and hashed by the writer's chain_entries
    (against a placeholder head), with each entry's content digest; the caller links them in order."""
    import bench_access_log

    from registry.accesslog import writer
    from registry.accesslog.chain import GENESIS_HASH, content_digest

    first_seq, last_seq, start_ms, span_ms, entries = task
    if not _actors:
        _actors.append(bench_access_log._Actors(random.Random(20250101)))
    rng = random.Random(first_seq)
    drafts = bench_access_log._drafts(rng, _actors[0], last_seq - first_seq + 1)
    clock = iter(range(first_seq, last_seq + 1))

    def walking_clock() -> tuple[str, int]:
        millis = start_ms + (next(clock) - 1) * span_ms // entries
        return writer.iso_ms(millis), millis

    rows, digests = [], []
    with mock.patch.object(writer, "_timestamp", walking_clock):
        for seq, draft in enumerate(drafts, start=first_seq):
            # One call per entry: the writer gives a batch one moment, and these entries span days.
            [entry] = writer.chain_entries([draft], seq - 1, GENESIS_HASH)
            digests.append(content_digest(entry))
            rows.append(tuple(entry[name] for name in writer.INSERT_COLUMNS))
    return rows, digests


def bounded_map(
    pool: ProcessPoolExecutor, fn: Callable[[Any], Any], tasks: Iterable[Any], ahead: int
) -> Iterator[Any]:
    """Results of fn over tasks, in order, with at most `ahead` tasks queued (bounded memory)."""
    pending: deque[Future[Any]] = deque()
    for task in tasks:
        pending.append(pool.submit(fn, task))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@dataclass
class SeedPlan:
    """What the phases of the seeding share."""

    organizations: list[tuple[str, str, int]]  # (organization id, its unit's id, systems)
    large_size: int
    now: dt.datetime
    seconds: dict[str, float] = field(default_factory=dict)
    system_ids: dict[str, list[str]] = field(default_factory=dict)
    log_start_ms: int = 0
    log_span_ms: int = 0
    checkpoints: int = 0


async def seed_organizations(connection: Any, args: argparse.Namespace) -> SeedPlan:
    from registry.organizations.models import OrganizationFields
    from tests.bench.bench_seed import valid_cvrs

    phase = time.perf_counter()
    rng = random.Random(args.seed)
    large_size = large_size_of(args.systems)
    sizes = organization_sizes(rng, args.systems, args.organizations, large_size)
    cvrs = valid_cvrs(args.organizations)
    now = dt.datetime.now(dt.UTC)
    created = now - dt.timedelta(days=1200)
    org_rows, unit_rows, plan = [], [], []
    for index, size in enumerate(sizes):
        org_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        unit_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        fields = OrganizationFields(
            name=f"Organisation {index:05d}",
            cvr=cvrs[index],
            sector=rng.choice(["public", "private"]),
            cooperation_body=rng.choice(["MED", "SU"]),
        ).model_dump()
        org_rows.append((org_id, *(fields[name] for name in ORGANIZATION_FIELDS), created, created))
        headcount = rng.randint(50, 3000)
        unit_rows.append((unit_id, org_id, "Hovedafdelingen", None, "lokal-MED", headcount, created, created))
        plan.append((str(org_id), str(unit_id), size))
    columns = ["id", *ORGANIZATION_FIELDS, "created_at", "updated_at"]
    await connection.copy_records_to_table("organization", records=org_rows, columns=columns)
    columns = ["id", "organization", "name", "parent", "committee", "headcount", "created_at", "updated_at"]
    await connection.copy_records_to_table("unit", records=unit_rows, columns=columns)
    seeded = SeedPlan(organizations=plan, large_size=large_size, now=now)
    seeded.seconds["organizations"] = time.perf_counter() - phase
    log(f"{len(org_rows):,} organizations and units in {seeded.seconds['organizations']:.1f} s")
    return seeded


async def seed_systems(connection: Any, args: argparse.Namespace, seeded: SeedPlan) -> None:
    phase = time.perf_counter()
    now_us = int(seeded.now.timestamp() * 1_000_000)
    tasks: list[tuple[int, list[tuple[str, str, int]], int]] = []
    batch: list[tuple[str, str, int]] = []
    count = 0
    for item in seeded.organizations:
        batch.append(item)
        count += item[2]
        if count >= SYSTEM_CHUNK:
            tasks.append((args.seed + len(tasks), batch, now_us))
            batch, count = [], 0
    if batch:
        tasks.append((args.seed + len(tasks), batch, now_us))
    loaded = 0
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for result in bounded_map(pool, system_chunk, tasks, args.jobs + 1):
            await connection.copy_records_to_table("ai_system", records=result["ai"], columns=AI_COLUMNS)
            await connection.copy_records_to_table(
                "system_revision", records=result["revisions"], columns=REVISION_COLUMNS
            )
            seeded.system_ids.update(result["ids"])
            loaded += len(result["ai"])
            if loaded % 100_000 < SYSTEM_CHUNK:
                log(f"  {loaded:,} systems ({loaded / (time.perf_counter() - phase):,.0f}/s)")
    seeded.seconds["systems"] = time.perf_counter() - phase
    log(f"{loaded:,} systems and revisions in {seeded.seconds['systems']:.1f} s")


def checkpoint_row(signer: Any, seq: int, hash_: str, at_ms: int) -> tuple[Any, ...]:
    """A signed checkpoint as the server's task writes it (service._insert_checkpoint), as a COPY row
    in CHECKPOINT_COLUMNS order."""
    from registry.accesslog.writer import iso_ms

    record = {
        "kind": "checkpoint",
        "last_seq": seq,
        "last_hash": hash_,
        "at": iso_ms(at_ms),
        "key_id": signer.key_id,
    }
    return ("checkpoint", seq, hash_, record["at"], at_ms, signer.key_id, signer.sign(record))


async def seed_access_log(
    connection: Any, layout: Layout, args: argparse.Namespace, seeded: SeedPlan
) -> None:
    from registry.accesslog.chain import GENESIS_HASH, link
    from registry.accesslog.signing import CheckpointSigner
    from registry.accesslog.writer import INSERT_COLUMNS

    phase = time.perf_counter()
    signer = CheckpointSigner.from_data_dir(layout.app)
    entries = args.log_entries
    seeded.log_span_ms = span_ms = args.log_days * DAY_MS
    # the newest entry two hours ago
    seeded.log_start_ms = start_ms = int(time.time() * 1000) - 2 * HOUR_MS - span_ms
    chunks = [
        (first, min(first + LOG_CHUNK - 1, entries), start_ms, span_ms, entries)
        for first in range(1, entries + 1, LOG_CHUNK)
    ]
    head_seq, head_hash = 0, GENESIS_HASH
    next_hour = (start_ms // HOUR_MS + 1) * HOUR_MS
    checkpoints: list[tuple[Any, ...]] = []
    prev_at, hash_at, ms_at = (INSERT_COLUMNS.index(name) for name in ("prev_hash", "hash", "at_ms"))
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for rows, digests in bounded_map(pool, log_chunk, chunks, args.jobs + 1):
            linked = []
            for row, digest in zip(rows, digests, strict=True):
                if row[ms_at] >= next_hour and head_seq > 0:
                    # the hourly task signs the head as it stands on the hour
                    checkpoints.append(checkpoint_row(signer, head_seq, head_hash, next_hour))
                    while next_hour <= row[ms_at]:
                        next_hour += HOUR_MS
                entry_hash = link(head_hash, digest)  # what chain_entries computes, in chain order
                linked.append((*row[:prev_at], head_hash, entry_hash, *row[hash_at + 1 :]))
                head_seq, head_hash = row[0], entry_hash
            await connection.copy_records_to_table("access_log", records=linked, columns=INSERT_COLUMNS)
            if head_seq % 1_000_000 < LOG_CHUNK:
                log(f"  {head_seq:,} entries ({head_seq / (time.perf_counter() - phase):,.0f}/s)")
    checkpoints.append(checkpoint_row(signer, head_seq, head_hash, int(time.time() * 1000)))
    await connection.copy_records_to_table(
        "access_log_checkpoint", records=checkpoints, columns=CHECKPOINT_COLUMNS
    )
    seeded.checkpoints = len(checkpoints)
    seeded.seconds["access_log"] = time.perf_counter() - phase
    log(f"{head_seq:,} entries, {len(checkpoints)} checkpoints in {seeded.seconds['access_log']:.1f} s")


async def seed(url: str, layout: Layout, args: argparse.Namespace, env: dict[str, str]) -> Manifest:
    """Migrate; drop the big tables' secondary indexes; COPY everything in; rebuild the indexes from
    their own definitions; VACUUM (ANALYZE); CHECKPOINT."""
    import asyncpg

    load_before = load_average()
    started = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):
        print(cli(env, "migrate"), file=sys.stderr)
    migrated = time.perf_counter() - started
    connection = await asyncpg.connect(url)
    try:
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY tablename, indexname",
            list(BIG_TABLES),
        )
        for row in indexes:
            await connection.execute(f'DROP INDEX "{row["indexname"]}"')
        # Foreign keys hold by construction; checking them row by row would double the load time.
        await connection.execute("SET session_replication_role = replica")
        seeded = await seed_organizations(connection, args)
        seeded.seconds["migrate"] = migrated
        await seed_systems(connection, args, seeded)
        await seed_access_log(connection, layout, args, seeded)
        await connection.execute("SET session_replication_role = origin")
        phase = time.perf_counter()
        for row in indexes:
            one = time.perf_counter()
            await connection.execute(row["indexdef"])
            log(f"  {row['indexname']} in {time.perf_counter() - one:.1f} s")
        seeded.seconds["indexes"] = time.perf_counter() - phase
        phase = time.perf_counter()
        await connection.execute("VACUUM (ANALYZE)")
        await connection.execute("CHECKPOINT")
        seeded.seconds["vacuum_analyze"] = time.perf_counter() - phase
        log(
            f"indexes in {seeded.seconds['indexes']:.1f} s, VACUUM (ANALYZE) in "
            f"{seeded.seconds['vacuum_analyze']:.1f} s"
        )
    finally:
        await connection.close()
    seeded.seconds["total"] = time.perf_counter() - started
    large_ids = [org_id for org_id, _, _ in seeded.organizations[:LARGE_ORGANIZATIONS]]
    every = [system_id for ids in seeded.system_ids.values() for system_id in ids]
    manifest = Manifest(
        seed_version=SEED_VERSION,
        systems=args.systems,
        organizations=args.organizations,
        log_entries=args.log_entries,
        large_org_ids=large_ids,
        large_size=seeded.large_size,
        steward_org_id=large_ids[0],
        steward_system_ids=seeded.system_ids[large_ids[0]][:100],
        sample_system_ids=random.Random(args.seed).sample(every, min(SINGLE_IDS, len(every))),
        log_start_ms=seeded.log_start_ms,
        log_span_ms=seeded.log_span_ms,
        log_checkpoints=seeded.checkpoints,
        seconds=seeded.seconds,
        seeded_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        jobs=args.jobs,
        load_before=load_before,
        load_after=load_average(),
    )
    layout.manifest.write_text(json.dumps(asdict(manifest)))
    return manifest


def large_size_of(systems: int) -> int:
    return max(100, min(5000, round(systems * LARGE_SHARE / LARGE_ORGANIZATIONS)))


# --- database facts and query plans ----------------------------------------------------------------


def table_sizes(probe: Probe) -> list[tuple[str, int, int, int]]:
    """(table, rows, heap + TOAST bytes, index bytes) of the big tables."""
    rows = probe.fetch(
        "SELECT c.relname, c.reltuples::bigint, pg_table_size(c.oid), pg_indexes_size(c.oid) FROM pg_class c "
        "WHERE c.relname = ANY($1) AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC",
        [*BIG_TABLES, "organization", "unit"],
    )
    return [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]


@dataclass
class Plan:
    name: str
    sql: str
    lines: list[str]
    execution_ms: float
    planning_ms: float


def list_sql(q: str | None) -> tuple[str, list[Any]]:
    """The SQL list_systems sends for an auditor (no unit scope), first page, with `status` or `q`."""
    from registry.db import Dialect
    from registry.systems.queries import page_sql
    from registry.systems.search import TextQuery, text_condition

    clauses, args = ['"organization" = {}'], []
    if q is None:
        clauses.append('"status" = {}')
        args.append("in_use")
    else:
        clause, values = text_condition(Dialect("postgres"), TextQuery.parse(q))
        clauses.append(clause)
        args.extend(values)
    return page_sql(Dialect("postgres"), tuple(clauses)), args


GENERIC = "as a generic plan"


def literal(value: Any) -> str:
    """A bind value as SQL text, for EXECUTE (which takes no parameters): uuids, words, integers."""
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def numbered(sql: str, count: int) -> str:
    """Piccolo's `{}` placeholders as asyncpg's $1, $2, ..."""
    return sql.format(*(f"${i}" for i in range(1, count + 1)))


def explain(probe: Probe, manifest: Manifest, export_first_ms: int) -> list[Plan]:
    org = uuid.UUID(manifest.steward_org_id)
    plans = []
    filtered, filter_args = list_sql(None)
    searched, search_args = list_sql(SEARCH)
    cases = [
        ("list, status=in_use", filtered, [org, *filter_args, PAGE + 1]),
        (f"list, q={SEARCH}", searched, [org, *search_args, PAGE + 1]),
        (f"list, q={SEARCH}, {GENERIC}", searched, [org, *search_args, PAGE + 1]),
        (
            "single GET",
            'SELECT "organization", "version", convert_to("document"::text, \'UTF8\') AS "body", "unit_ids" '
            'FROM "ai_system" WHERE "id" = {}',
            [uuid.UUID(manifest.sample_system_ids[0])],
        ),
        (
            "export: first entry of the range",
            'SELECT "seq" FROM "access_log" WHERE "at_ms" >= {} ORDER BY "at_ms", "seq" LIMIT 1',
            [export_first_ms],
        ),
        (
            "export: a batch of 2,000 entries",
            'SELECT * FROM "access_log" WHERE "seq" >= {} AND "seq" <= {} ORDER BY "seq" LIMIT 2000',
            [manifest.log_entries // 2, manifest.log_entries],
        ),
    ]
    for name, sql, args in cases:
        text = numbered(sql, len(args))
        for _ in range(3):  # warm: the figure is the third run's
            if name.endswith(GENERIC):
                # What a prepared statement runs once PostgreSQL prefers its generic plan (asyncpg
                # prepares every statement; the server may switch after five executions).
                probe.fetch(f"PREPARE bench_generic AS {text}")
                try:
                    probe.fetch("SET plan_cache_mode = force_generic_plan")
                    values = ", ".join(literal(value) for value in args)
                    rows = probe.fetch(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic({values})")
                finally:
                    probe.fetch("RESET plan_cache_mode")
                    probe.fetch("DEALLOCATE bench_generic")
            else:
                rows = probe.fetch("EXPLAIN (ANALYZE, BUFFERS) " + text, *args)
        lines = [r[0] for r in rows]
        execution = next((ln for ln in lines if ln.startswith("Execution Time")), "Execution Time: nan ms")
        planning = next((ln for ln in lines if ln.startswith("Planning Time")), "Planning Time: nan ms")
        plans.append(
            Plan(
                name=name,
                sql=text,
                lines=[ln for ln in lines if not ln.startswith(("Planning", "Execution"))],
                execution_ms=float(execution.split(":")[1].split()[0]),
                planning_ms=float(planning.split(":")[1].split()[0]),
            )
        )
        log(f"EXPLAIN {name}: {plans[-1].execution_ms:.2f} ms ({lines[0].strip()[:90]})")
    return plans


# --- load ------------------------------------------------------------------------------------------


@dataclass
class Load:
    endpoint: str
    round: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    errors: int
    api_cpu: float  # cores the API processes used, in all
    db_cpu: float  # cores PostgreSQL used
    client_cpu: float  # cores the load generator used


def wrk_load(
    ports: list[int], paths: list[str], token: str, connections: int, seconds: float, scratch: Path, name: str
) -> tuple[list[str], Path]:
    script = scratch / f"{name}.lua"
    script.write_text(
        WRK_LUA % {"ports": ", ".join(map(str, ports)), "paths": ", ".join(json.dumps(p) for p in paths)}
    )
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    command = [
        wrk,
        f"-t{len(ports)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-H",
        f"Authorization: Bearer {token}",
        "-s",
        str(script),
        f"http://{HOST}:{ports[0]}{paths[0]}",
    ]
    return command, script


def fallback_load(port: int, paths: list[str], token: str, connections: int, seconds: float) -> list[str]:
    command = [sys.executable, str(HERE / "bench_load.py"), "--base-url", f"http://{HOST}:{port}"]
    command += ["--connections", str(connections), "--duration", str(seconds)]
    command += ["--header", f"Authorization: Bearer {token}"]
    for path in paths:
        command += ["--path", path]
    return command


def run_load(
    *,
    kind: str,
    ports: list[int],
    paths: list[str],
    token: str,
    connections: int,
    seconds: float,
    scratch: Path,
    name: str,
    round_: int,
    api: list[Proc],
    layout: Layout,
    cpus: str | None = None,
) -> Load:
    """One measurement: wrk with a thread per server port (or one bench_load.py per port, whose
    percentiles are then the worse of the two)."""
    if kind == "wrk":
        commands = [wrk_load(ports, paths, token, connections, seconds, scratch, name)[0]]
    else:
        share = max(1, connections // len(ports))
        commands = [fallback_load(port, paths, token, share, seconds) for port in ports]
    commands = [
        ["taskset", "-c", cpus, *c] if cpus is not None and shutil.which("taskset") else c for c in commands
    ]
    database = PostgresCpu(layout).start()
    api_before = sum(p.cpu_seconds() for p in api)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall_before = time.monotonic()
    processes = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        for c in commands
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=seconds + 120)
        outputs.append((process.returncode, out, err))
    wall = time.monotonic() - wall_before
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (
        children_after.ru_utime
        + children_after.ru_stime
        - children_before.ru_utime
        - children_before.ru_stime
    ) / wall
    raws = []
    for code, out, err in outputs:
        if code != 0 or "BENCH_JSON " not in out:
            tails = "\n".join(f"{p.name}:\n{p.tail()}" for p in api)
            raise RuntimeError(f"load generator failed ({code}):\n{out}\n{err}\n{tails}")
        raws.append(bench_json(out))
    api_cpu = (sum(p.cpu_seconds() for p in api) - api_before) / wall
    db_cpu = database.sample() / wall
    requests = sum(int(r["requests"]) for r in raws)
    duration = max(r["duration_us"] for r in raws) / 1e6
    return Load(
        endpoint=name,
        round=round_,
        rps=requests / duration,
        p50_ms=max(r["p50_us"] for r in raws) / 1000,
        p90_ms=max(r["p90_us"] for r in raws) / 1000,
        p99_ms=max(r["p99_us"] for r in raws) / 1000,
        max_ms=max(r["max_us"] for r in raws) / 1000,
        requests=requests,
        errors=sum(int(r[k]) for r in raws for k in r if k.startswith("errors_")),
        api_cpu=api_cpu,
        db_cpu=db_cpu,
        client_cpu=client_cpu,
    )


def pick_kind(choice: str) -> tuple[str, str]:
    import bench_list

    return bench_list.pick_load_generator(choice)


def start_serve(layout: Layout, env: dict[str, str], name: str, cpus: str | None = None) -> Proc:
    from tests.bench.processes import airegistry, free_port, spawn

    port = free_port()
    command = [*airegistry(), "serve", "--host", HOST, "--port", str(port)]
    proc = spawn(name, command, env, layout.work / f"{name}.log", cpus=cpus)
    proc.port = port
    try:
        proc.wait_ready(f"{API}/health", what=f"airegistry serve ({name})", timeout=90)
    except BaseException:
        proc.stop()
        raise
    return proc


def token(env: dict[str, str], role: str, org: str | None = None) -> str:
    args = ["token", "issue", "--role", role, "--sub", f"bench-{role}", "--ttl", "12h"]
    return cli(env, *args, *(["--org", org] if org else [])).strip()


def list_paths(manifest: Manifest, query: str) -> list[str]:
    return [f"{API}/organizations/{org}/systems?{query}&limit={PAGE}" for org in manifest.large_org_ids]


# --- the daily recompute of the findings ----------------------------------------------------------

RECOMPUTE_RUN = "findings-recompute"  # registry/obligations/findings.py's name in scheduled_run


def hold_daily_recompute(probe: Probe) -> str:
    """Every serve process started here would run the daily recompute of every finding if it were due
    (one of them: a few minutes of a core at this size, on the cores the measurements share; the seeded
    systems have never been recomputed, so it would first open their findings, which takes hours). The
    measurements are of a deployment between its daily runs: the run is recorded as done now, and its
    cost is measured apart (the findings part). Returns the report's sentence."""
    now_us = int(time.time() * 1_000_000)
    probe.fetch(
        "INSERT INTO scheduled_run (name, started_us, finished_us, result) VALUES ($1, $2, $2, $3) "
        "ON CONFLICT (name) DO UPDATE SET started_us = $2, finished_us = $2, result = $3, "
        "claimed_by = NULL, claimed_until_us = NULL",
        RECOMPUTE_RUN,
        now_us,
        "recorded as done by bench_postgres.py",
    )
    return (
        "The daily recompute of the findings is recorded as done before the servers start (the "
        "`scheduled_run` table), so none of them runs it while it is measured: the figures are of a "
        "deployment between its daily runs. What a run costs is measured apart, below."
    )


@dataclass
class RecomputeResults:
    rounds: list[dict[str, Any]] = field(default_factory=list)
    organizations: int = 0
    systems: int = 0
    load_before: str = ""
    load_after: str = ""


def recompute_sample_main(argv: list[str]) -> int:
    """Helper process: recompute the findings of the given organizations, one transaction each as the
    daily run does, for --rounds rounds; wall and CPU seconds of each round."""
    parser = argparse.ArgumentParser(prog="bench_postgres.py recompute-sample")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("organizations", nargs="+")
    args = parser.parse_args(argv)
    from registry.composition import compose
    from registry.obligations.findings import recompute_organization
    from webhooks.outbox import OutboxSink

    compose(OutboxSink(public_base_url="http://127.0.0.1"))  # opened findings are events, as in serve

    async def rounds() -> list[dict[str, Any]]:
        done = []
        for _ in range(args.rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            opened = resolved = 0
            for org in args.organizations:
                o, r = await recompute_organization(org)
                opened, resolved = opened + o, resolved + r
            done.append(
                {
                    "seconds": time.perf_counter() - wall,
                    "cpu_seconds": time.process_time() - cpu,
                    "opened": opened,
                    "resolved": resolved,
                }
            )
        return done

    print("BENCH_JSON " + json.dumps({"rounds": asyncio.run(rounds())}), flush=True)
    return 0


def measure_recompute(
    layout: Layout, manifest: Manifest, env: dict[str, str], args: argparse.Namespace
) -> RecomputeResults:
    """The daily recompute over the largest organizations, in a process of its own (nothing else
    running): the first round opens whatever findings those systems have, the next finds nothing to
    change, as a daily run mostly does."""
    results = RecomputeResults(
        organizations=len(manifest.large_org_ids),
        systems=len(manifest.large_org_ids) * manifest.large_size,
        load_before=load_average(),
    )
    command = [sys.executable, str(Path(__file__).resolve()), "recompute-sample", "--rounds", "3"]
    done = subprocess.run(
        [*command, *manifest.large_org_ids],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0 or "BENCH_JSON " not in done.stdout:
        tail = done.stderr[-3000:]
        raise RuntimeError(f"recompute-sample failed ({done.returncode}):\n{done.stdout}\n{tail}")
    results.rounds = bench_json(done.stdout)["rounds"]
    results.load_after = load_average()
    for index, r in enumerate(results.rounds, 1):
        log(
            f"recompute round {index}: {results.systems:,} systems in {r['seconds']:.1f} s "
            f"({r['cpu_seconds']:.1f} s CPU), {r['opened']} opened, {r['resolved']} resolved"
        )
    return results


def recompute_section(results: RecomputeResults, manifest: Manifest) -> list[str]:
    per_system = med(r["seconds"] for r in results.rounds[1:]) / results.systems
    lines = [
        f"**Daily recompute of the findings** (load average {results.load_before} before, "
        f"{results.load_after} after): `recompute_organization` (one transaction each, as the daily run "
        f"does) over the {results.organizations} largest organizations, {results.systems:,} systems, in a "
        "process of its own; round 1 opens whatever findings these systems did not have yet, the later "
        "rounds find nothing to change (what a daily run mostly finds).",
        "",
        "| round | seconds | CPU seconds | per system | opened | resolved |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {i} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | "
        f"{r['seconds'] / results.systems * 1e6:.0f} us | {r['opened']:,} | {r['resolved']:,} |"
        for i, r in enumerate(results.rounds, 1)
    ]
    lines += [
        "",
        f"At that rate a daily run over all {manifest.systems:,} systems takes about "
        f"{per_system * manifest.systems / 60:.0f} minutes of one serve process (one process of the "
        "deployment runs it; the others skip it). It hands the event loop back every 50 systems, so "
        "that process keeps answering meanwhile.",
    ]
    return lines


# --- part 1: two API processes ---------------------------------------------------------------------

API_ENDPOINTS = {
    "list_filter": f"list, one filter: GET /organizations/{{org}}/systems?{LIST_FILTER}&limit={PAGE}",
    "list_q": f"list, text search: GET /organizations/{{org}}/systems?q={SEARCH}&limit={PAGE}",
    "single": "single system: GET /systems/{id}",
}


@dataclass
class ApiResults:
    loads: list[Load] = field(default_factory=list)
    page_items: dict[str, list[int]] = field(default_factory=dict)
    body_bytes: dict[str, int] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""


def measure_api(
    layout: Layout, manifest: Manifest, env: dict[str, str], args: argparse.Namespace, kind: str
) -> ApiResults:
    import httpx

    results = ApiResults(load_before=load_average())
    pin_postgres(layout, None)
    api_env = env | {"AIREG_WEBHOOKS_RELAY": "false"}
    auditor = token(env, "auditor")
    paths = {
        "list_filter": list_paths(manifest, LIST_FILTER),
        "list_q": list_paths(manifest, f"q={quote(SEARCH)}"),
        "single": [f"{API}/systems/{system_id}" for system_id in manifest.sample_system_ids],
    }
    with contextlib.ExitStack() as stack:
        servers = []
        for index in range(2):
            server = start_serve(layout, api_env, f"api-{index + 1}")
            stack.callback(server.stop)
            servers.append(server)
        headers = {"Authorization": f"Bearer {auditor}"}
        for name, candidates in paths.items():
            with httpx.Client(base_url=servers[0].base_url, headers=headers, timeout=60) as client:
                for path in candidates[: LARGE_ORGANIZATIONS if name != "single" else 3]:
                    response = client.get(path)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
                    if name != "single":
                        results.page_items.setdefault(name, []).append(len(response.json()["items"]))
                    results.body_bytes[name] = len(response.content)
        if results.page_items["list_filter"] != [PAGE] * LARGE_ORGANIZATIONS:
            raise RuntimeError(f"filtered pages are not full: {results.page_items['list_filter']}")
        ports = [s.port for s in servers]
        log(f"two API processes on ports {ports}; pages {results.page_items}")

        def once(name: str, seconds: float, round_: int) -> Load:
            return run_load(
                kind=kind,
                ports=ports,
                paths=paths[name],
                token=auditor,
                connections=args.connections,
                seconds=seconds,
                scratch=layout.work,
                name=name,
                round_=round_,
                api=servers,
                layout=layout,
            )

        if args.warmup:
            for name in paths:
                once(name, args.warmup, 0)
        for round_ in range(1, args.rounds + 1):
            order = list(paths) if round_ % 2 else list(paths)[::-1]
            for name in order:
                m = once(name, args.duration, round_)
                results.loads.append(m)
                log(
                    f"round {round_} {name:11s} {m.rps:8,.0f} req/s  p50 {m.p50_ms:6.2f}  "
                    f"p99 {m.p99_ms:6.2f} ms"
                    f"  errors {m.errors}  API CPU {m.api_cpu:.2f}  PostgreSQL CPU {m.db_cpu:.2f}  load-gen "
                    f"CPU {m.client_cpu:.2f}  (load {load_average()})"
                )
    results.load_after = load_average()
    return results


# --- part 2: ratios to the bare route, PostgreSQL and SQLite side by side ---------------------------

RATIO_ENDPOINTS = ("list", "bare", "bare_auth", "single")


def scratch(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def sqlite_seed_main(argv: list[str]) -> int:
    """Helper process: bench_list.py's SQLite data set in --dir (its own engine, chosen at import)."""
    parser = argparse.ArgumentParser(prog="bench_postgres.py sqlite-seed")
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ["AIREG_DATA_DIR"] = str(args.dir)
    os.environ.pop("AIREG_DATABASE_URL", None)
    import bench_list

    data = asyncio.run(bench_list.prepare(args.dir, 100, 100))
    (args.dir / "list-body.json").write_bytes(data.body)
    summary = {k: v for k, v in asdict(data).items() if k not in ("body", "data_dir")}
    (args.dir / "dataset.json").write_text(json.dumps(summary))
    print("BENCH_JSON " + json.dumps({"seconds": data.seconds}), flush=True)
    return 0


def sqlite_dataset(layout: Layout) -> Any:
    import bench_list

    dataset = layout.sqlite / "dataset.json"
    if not dataset.exists():
        log("seeding the SQLite comparison (bench_list.py's 100 x 100 systems, through the services)")
        for stale in layout.sqlite.iterdir():
            if stale.is_file():
                stale.unlink()
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "sqlite-seed", "--dir", str(layout.sqlite)],
            cwd=ROOT,
            env={k: v for k, v in os.environ.items() if not k.startswith("AIREG_")},
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=1800,
        )
    summary = json.loads(dataset.read_text())
    # The token stored with the seeded data expires (6 h): issue a fresh one with the same keys.
    sqlite_env = {k: v for k, v in os.environ.items() if not k.startswith("AIREG_")}
    sqlite_env["AIREG_DATA_DIR"] = str(layout.sqlite)
    summary["token"] = token(sqlite_env, "steward", summary["org_id"])
    return bench_list.Dataset(
        data_dir=layout.sqlite, body=(layout.sqlite / "list-body.json").read_bytes(), **summary
    )


def postgres_dataset(layout: Layout, manifest: Manifest, env: dict[str, str]) -> Any:
    """The steward's filtered list page of the largest organization, captured from a running server."""
    import bench_list
    import httpx

    steward = token(env, "steward", manifest.steward_org_id)
    server = start_serve(layout, env | {"AIREG_WEBHOOKS_RELAY": "false"}, "api-capture")
    try:
        response = httpx.get(
            server.base_url + bench_list.list_path(manifest.steward_org_id),
            headers={"Authorization": f"Bearer {steward}"},
            timeout=60,
        )
    finally:
        server.stop()
    response.raise_for_status()
    return bench_list.Dataset(
        data_dir=layout.app,
        org_id=manifest.steward_org_id,
        system_ids=manifest.steward_system_ids,
        token=steward,
        body=response.content,
        seconds=manifest.seconds.get("total", 0.0),
        organizations=manifest.organizations,
        systems=manifest.systems,
        in_use=0,
    )


@dataclass
class RatioResults:
    runs: dict[str, list[Any]] = field(default_factory=dict)  # engine -> bench_list.Measurement
    info: dict[str, dict[str, Any]] = field(default_factory=dict)
    body_bytes: dict[str, int] = field(default_factory=dict)
    sqlite_seconds: float = 0.0
    load_before: str = ""
    load_after: str = ""
    loadgen: str = ""

    def ratios(self, engine: str, over: str) -> list[float]:
        by_round: dict[int, dict[str, float]] = {}
        for m in self.runs.get(engine, []):
            by_round.setdefault(m.round, {})[m.endpoint] = m.rps
        return [r[over] / r["bare"] for _, r in sorted(by_round.items()) if r.get("bare") and over in r]

    def shares(self, over: str) -> list[float]:
        """Per round: the PostgreSQL ratio over the SQLite ratio."""
        return [
            p / s for p, s in zip(self.ratios("postgres", over), self.ratios("sqlite", over), strict=False)
        ]


def measure_ratios(
    layout: Layout, manifest: Manifest, env: dict[str, str], machine: Machine, args: argparse.Namespace
) -> RatioResults:
    import bench_list

    kind, version = pick_kind(args.loadgen)
    results = RatioResults(load_before=load_average(), loadgen=version)
    datasets = {"postgres": postgres_dataset(layout, manifest, env)}
    if args.sqlite_baseline:
        datasets["sqlite"] = sqlite_dataset(layout)
    pin_postgres(layout, machine.load_cpus)
    extra = {
        "postgres": {"AIREG_DATABASE_URL": env["AIREG_DATABASE_URL"]},
        "sqlite": {},
    }
    with contextlib.ExitStack() as stack:
        servers, loads, paths = {}, {}, {}
        for engine, data in datasets.items():
            server = stack.enter_context(bench_list.serve(data, machine, extra_env=extra[engine]))
            paths[engine] = {
                "list": [bench_list.list_path(data.org_id)],
                "bare": ["/bench/bare"],
                "bare_auth": ["/bench/bare-auth"],
                "single": [f"{API}/systems/{system_id}" for system_id in data.system_ids[:100]],
            }
            results.info[engine] = bench_list.check_routes(server, data, paths[engine])
            results.body_bytes[engine] = len(data.body)
            servers[engine] = server
            loads[engine] = bench_list.LoadGenerator(
                kind=kind,
                machine=machine,
                base_url=server.base_url,
                token=data.token,
                connections=args.connections,
                # each engine its own dir: LoadGenerator writes one Lua script per endpoint name
                scratch=scratch(layout.work / engine),
                version=version,
            )
            log(f"{engine} bench_app pid {server.process.pid} on {server.base_url}")
        if args.warmup:
            for engine, server in servers.items():
                for name in RATIO_ENDPOINTS:
                    loads[engine].measure(server, name, paths[engine][name], args.warmup, 0)
        for round_ in range(1, args.rounds + 1):
            engines = list(servers) if round_ % 2 else list(servers)[::-1]
            for engine in engines:
                order = list(RATIO_ENDPOINTS) if round_ % 2 else ["bare", "list", "single", "bare_auth"]
                for name in order:
                    # LoadGenerator keeps one Lua script per name: keep the engines' apart.
                    m = loads[engine].measure(
                        servers[engine], name, paths[engine][name], args.duration, round_
                    )
                    results.runs.setdefault(engine, []).append(m)
                    log(
                        f"round {round_} {engine:8s} {name:9s} {m.rps:9,.0f} req/s  p50 {m.p50_ms:6.2f} ms  "
                        f"p99 {m.p99_ms:6.2f} ms  errors {m.errors}  server CPU {m.server_cpu:.0%}  "
                        f"load-gen CPU {m.client_cpu:.0%}"
                    )
    results.load_after = load_average()
    return results


# --- part 3: access-log export ---------------------------------------------------------------------


@dataclass
class ExportResults:
    span: Any = None  # bench_access_log.Span
    runs: list[Any] = field(default_factory=list)  # bench_access_log.ExportRun
    verified: list[Any] = field(default_factory=list)  # bench_access_log.VerifyRun
    load_before: str = ""
    load_after: str = ""


def export_span(manifest: Manifest, probe: Probe, entries: int) -> Any:
    from bench_access_log import Span

    from registry.accesslog.writer import iso_ms

    last = manifest.log_entries
    first = max(1, last - entries + 1)
    margin = max(1, manifest.log_span_ms // manifest.log_entries // 2)  # no neighbour is nearer
    checkpoints = probe.value(
        "SELECT count(*) FROM access_log_checkpoint WHERE kind = 'checkpoint' AND last_seq BETWEEN $1 AND $2",
        first,
        last,
    )
    label = f"newest {last - first + 1:,}" if first > 1 else f"all {last:,}"
    return Span(
        label=label,
        first_seq=first,
        last_seq=last,
        start=iso_ms(manifest.at_ms(first) - margin),
        end=iso_ms(manifest.at_ms(last) + margin),
        checkpoints=int(checkpoints),
    )


def measure_export(
    layout: Layout,
    manifest: Manifest,
    env: dict[str, str],
    probe: Probe,
    machine: Machine,
    args: argparse.Namespace,
    data: Any,
) -> ExportResults:
    import bench_access_log
    import bench_list
    import httpx
    from bench_access_log import Span, export_once, verify_once

    results = ExportResults(load_before=load_average())
    pin_postgres(layout, machine.load_cpus)
    span = export_span(manifest, probe, args.export_entries)
    results.span = span
    warm = Span(
        "warm-up", span.last_seq - 999, span.last_seq, export_span(manifest, probe, 1000).start, span.end, 0
    )
    auditor = token(env, "auditor")
    extra = {"AIREG_DATABASE_URL": env["AIREG_DATABASE_URL"], "AIREG_ACCESS_LOG_EXPORTS_PER_MINUTE": "100000"}
    key_file = layout.work / "access-log-public.pem"
    for round_ in range(1, args.export_rounds + 1):
        for fmt in bench_access_log.FORMATS if round_ % 2 else bench_access_log.FORMATS[::-1]:
            out = layout.work / f"export-{fmt}-{round_}.{fmt}"
            with bench_list.serve(data, machine, extra_env=extra) as server:
                headers = {"Authorization": f"Bearer {auditor}"}
                with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as client:
                    response = client.get(f"{API}/access-log/public-key")
                    response.raise_for_status()
                    key_file.write_text(response.json()["public_key"])
                    client.get(warm.path(fmt)).raise_for_status()
                run = export_once(server, machine, auditor, span, fmt, round_, out, args.timeout)
            results.runs.append(run)
            log(
                f"round {round_} {fmt:5s} {span.label}: {run.rows_per_s:9,.0f} rows/s  "
                f"{run.mb_per_s:6.1f} MB/s  "
                f"first byte {run.first_byte_ms:6.1f} ms  peak RSS {run.peak_rss_mb:6.1f} MB  server CPU "
                f"{run.server_cpu:.0%}  (load {load_average()})"
            )
            if round_ == 1:  # each format's file, written by different code
                verified = verify_once(machine, out, fmt, span, key_file, round_)
                results.verified.append(verified)
                log(
                    f"offline verification: ok={verified.ok} {verified.entries:,} entries "
                    f"{verified.reason or ''}"
                )
            out.unlink(missing_ok=True)
    results.load_after = load_average()
    return results


# --- part 4: webhook fan-out -----------------------------------------------------------------------


@dataclass
class WebhookRound:
    round: int
    events: int
    deliveries: int
    relay_rate: float
    relay_cpu: float
    db_cpu: float
    plain_rate: float
    plain_errors: int
    unverified: int

    @property
    def ratio(self) -> float:
        return self.relay_rate / self.plain_rate if self.plain_rate else float("nan")


@dataclass
class WebhookResults:
    rounds: list[WebhookRound] = field(default_factory=list)
    changes: int = 0
    load_before: str = ""
    load_after: str = ""


def unused_cvr() -> str:
    """A valid CVR outside the seeded range (20,000,000 and up), different on every run."""
    from registry.organizations.models import cvr_is_valid

    number = 30_000_000 + random.Random().randrange(60_000_000)
    while not cvr_is_valid(str(number)):
        number += 1
    return str(number)


def measure_webhooks(
    layout: Layout, env: dict[str, str], probe: Probe, machine: Machine, args: argparse.Namespace
) -> WebhookResults:
    import httpx
    from bench_webhooks import Stack, plain_input, run_plain
    from webhook_faults import Tenant, make_changes, read_records, start_receiver, subscribe, write_secret

    from tests.bench.processes import airegistry, spawn

    results = WebhookResults(load_before=load_average(), changes=args.webhook_changes)
    pin_postgres(layout, machine.load_cpus)
    hook_env = env | {"AIREG_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true"}
    with contextlib.ExitStack() as stack:
        receiver = start_receiver(layout.work, "receiver", hook_env, cpus=machine.load_cpus)
        stack.callback(receiver.stop)
        api = start_serve(
            layout, hook_env | {"AIREG_WEBHOOKS_RELAY": "false"}, "api-webhooks", machine.load_cpus
        )
        stack.callback(api.stop)
        platform = token(hook_env, "platform_admin")
        body = {
            "name": "Webhook-benchmark A/S",
            "cvr": unused_cvr(),
            "sector": "private",
            "cooperation_body": "SU",
        }
        created = httpx.post(
            f"{api.base_url}{API}/organizations",
            json=body,
            headers={"Authorization": f"Bearer {platform}"},
            timeout=60,
        )
        if created.status_code != 201:
            raise RuntimeError(f"creating the organization: {created.status_code} {created.text}")
        org_id = created.json()["id"]
        tenant = Tenant(api.base_url, org_id, token(hook_env, "employer_admin", org_id))
        for index in range(args.subscribers):
            subscriber = subscribe(tenant, receiver.url(f"/hooks/s{index}"))
            write_secret(receiver, subscriber.secret)
        fake = Stack(layout.work, hook_env, receiver, api, tenant)
        for round_ in range(1, args.webhook_rounds + 1):
            since_us = int(time.time() * 1_000_000)
            asyncio.run(make_changes(tenant, args.webhook_changes, concurrency=8, seed=100 + round_))
            events = [
                dict(r)
                for r in probe.fetch(
                    'SELECT "id", "event_id", "payload", "created_us" FROM "webhook_event" '
                    'WHERE "created_us" >= $1 AND "organization" = $2 ORDER BY "id"',
                    since_us,
                    uuid.UUID(org_id),
                )
            ]
            pending = int(probe.value("SELECT count(*) FROM webhook_delivery WHERE status = 'pending'"))
            input_path = layout.work / f"plain-{round_}.jsonl"
            count = plain_input(fake, events, args.subscribers, input_path)
            log(f"webhooks round {round_}: {len(events)} events, {pending} deliveries pending")
            ids = {event["event_id"] for event in events}
            relay_rate = relay_cpu = db_cpu = plain_rate = 0.0
            plain_errors = unverified = 0
            for which in ["relay", "plain"] if round_ % 2 else ["plain", "relay"]:
                if which == "plain":
                    plain_rate, plain_errors, _ = run_plain(fake, machine, input_path, args.subscribers)
                    continue
                database = PostgresCpu(layout).start()
                worker = spawn(
                    "worker",
                    [*airegistry(), "worker"],
                    hook_env,
                    layout.work / "worker.log",
                    cpus=machine.server_cpus,
                )
                samples: list[tuple[float, float, float]] = []
                started = time.monotonic()
                try:
                    while probe.value("SELECT count(*) FROM webhook_delivery WHERE status = 'pending'"):
                        if worker.process.poll() is not None:
                            raise RuntimeError(f"the worker exited:\n{worker.tail()}")
                        if time.monotonic() - started > 900:
                            raise RuntimeError("the worker did not deliver everything within 900 s")
                        with contextlib.suppress(OSError):
                            samples.append((time.time(), worker.cpu_seconds(), database.sample()))
                        time.sleep(0.05)
                    with contextlib.suppress(OSError):
                        samples.append((time.time(), worker.cpu_seconds(), database.sample()))
                finally:
                    worker.stop()
                time.sleep(0.3)
                records = [
                    r
                    for r in read_records([receiver.record])
                    if r["path"].startswith("/hooks/") and r["webhook_id"] in ids
                ]
                if len(records) < len(ids) * args.subscribers:
                    raise RuntimeError(
                        f"only {len(records)} of {len(ids) * args.subscribers} deliveries arrived"
                    )
                times = sorted(float(r["received_at"]) for r in records)
                relay_rate = len(records) / (times[-1] - times[0])
                unverified = sum(1 for r in records if r["verified"] is not True)
                before = [s for s in samples if s[0] <= times[0]] or samples[:1]
                (t0, cpu0, db0), (t1, cpu1, db1) = before[-1], samples[-1]
                relay_cpu = (cpu1 - cpu0) / max(t1 - t0, 1e-9)
                db_cpu = (db1 - db0) / max(t1 - t0, 1e-9)
            r = WebhookRound(
                round=round_,
                events=len(events),
                deliveries=count,
                relay_rate=relay_rate,
                relay_cpu=relay_cpu,
                db_cpu=db_cpu,
                plain_rate=plain_rate,
                plain_errors=plain_errors,
                unverified=unverified,
            )
            results.rounds.append(r)
            log(
                f"webhooks round {round_}: relay {r.relay_rate:,.0f} deliveries/s (CPU {r.relay_cpu:.0%}, "
                f"PostgreSQL {r.db_cpu:.0%}), plain httpx {r.plain_rate:,.0f}/s, ratio {r.ratio:.3f}"
            )
    results.load_after = load_average()
    return results


# --- report ----------------------------------------------------------------------------------------


def med(values: Iterable[float]) -> float:
    items = list(values)
    return statistics.median(items) if items else float("nan")


def git_state() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    changed = git("status", "--porcelain", "--", "api", "registry", "webhooks", "migrations").splitlines()
    return f"commit {commit}" + (f", with {len(changed)} uncommitted files in the app" if changed else "")


def full_size(manifest: Manifest) -> bool:
    return (manifest.systems, manifest.organizations, manifest.log_entries) == (1_000_000, 50_000, 10_000_000)


def data_section(
    manifest: Manifest, sizes: list[tuple[str, int, int, int]], server: str, reused: bool
) -> list[str]:
    s = manifest.seconds
    largest = f"{LARGE_ORGANIZATIONS} organizations of {manifest.large_size:,} systems"
    parts = [
        f"- Data: **{manifest.systems:,} AI systems in {manifest.organizations:,} organizations, "
        f"{manifest.log_entries:,} access-log entries**"
        + ("" if full_size(manifest) else " (**not the full size** of 1,000,000 / 50,000 / 10,000,000)")
        + f". The {largest} (the ones measured), the rest log-normally spread (at least one each); one "
        "unit per organization; 60% of each organization's systems in use; one revision per system; no "
        "APV reassessments or webhook events (the findings come from the recompute below). Access log over "
        f"{manifest.log_span_ms // DAY_MS} days ({manifest.log_checkpoints:,} signed checkpoints). "
        f"Seeded {manifest.seeded_at} by {manifest.jobs} worker processes and asyncpg COPY in "
        f"{s.get('total', 0):,.0f} s (migrate {s.get('migrate', 0):.0f}, organizations "
        f"{s.get('organizations', 0):.0f}, systems + revisions {s.get('systems', 0):.0f}, access log "
        f"{s.get('access_log', 0):.0f}, secondary indexes rebuilt {s.get('indexes', 0):.0f}, "
        "VACUUM (ANALYZE) "
        f"{s.get('vacuum_analyze', 0):.0f}); load average {manifest.load_before} before, "
        f"{manifest.load_after} after."
        + (
            " This run reused that seeded data dir (`--data-dir`), after `airegistry migrate` applied the "
            "migrations added since the seeding."
            if reused
            else ""
        ),
        f"- {server}",
        "",
        "| table | rows (estimate) | heap + TOAST | indexes |",
        "| --- | ---: | ---: | ---: |",
    ]
    parts += [
        f"| {name} | {rows:,} | {heap / 2**30:.2f} GiB | {index / 2**30:.2f} GiB |"
        for name, rows, heap, index in sizes
    ]
    return parts


def api_section(results: ApiResults, args: argparse.Namespace, loadgen: str) -> list[str]:
    lines = [
        f"**List and single GET, two `airegistry serve` processes** (load average {results.load_before} "
        f"before, {results.load_after} after). {loadgen}, one thread per server, {args.connections} "
        f"connections in all, {args.rounds} rounds x {args.duration:g} s per endpoint after "
        f"{args.warmup:g} s "
        "warm-up; an auditor of all organizations (HS256 token); lists over the 10 largest organizations "
        f"in turn (pages of {PAGE}: {sorted(set(results.page_items.get('list_filter', [])))} items with the "
        f"filter, {sorted(set(results.page_items.get('list_q', [])))} with the search), the single GET over "
        f"{SINGLE_IDS:,} systems drawn from the whole table. Nothing pinned; relay off in the API processes; "
        "every request is recorded in the access log (one hash chain for both processes). CPU columns: "
        "cores used (1.00 = one core).",
        "",
        "| endpoint | req/s (median) | p50 ms | p99 ms | max ms | errors | API CPU | PostgreSQL CPU | "
        "load-gen CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, title in API_ENDPOINTS.items():
        runs = [m for m in results.loads if m.endpoint == name]
        if runs:
            lines.append(
                f"| {title} | {med(m.rps for m in runs):,.0f} | {med(m.p50_ms for m in runs):.2f} | "
                f"{med(m.p99_ms for m in runs):.2f} | {max(m.max_ms for m in runs):.1f} | "
                f"{sum(m.errors for m in runs)} | {med(m.api_cpu for m in runs):.2f} | "
                f"{med(m.db_cpu for m in runs):.2f} | {med(m.client_cpu for m in runs):.2f} |"
            )
    lines += ["", "| round | " + " | ".join(f"{n} req/s, p99 ms" for n in API_ENDPOINTS) + " |"]
    lines.append("| ---: |" + " ---: |" * len(API_ENDPOINTS))
    for round_ in sorted({m.round for m in results.loads}):
        cells = []
        for name in API_ENDPOINTS:
            m = next((x for x in results.loads if x.round == round_ and x.endpoint == name), None)
            cells.append(f"{m.rps:,.0f}, {m.p99_ms:.1f}" if m else "-")
        lines.append(f"| {round_} | " + " | ".join(cells) + " |")
    return lines


def ratio_section(results: RatioResults, args: argparse.Namespace) -> list[str]:
    import bench_list

    titles = {
        "postgres": "PostgreSQL (this database)",
        "sqlite": "SQLite (bench_list.py's 100 x 100 systems)",
    }
    lines = [
        f"**Ratios to a bare route, one server process** (load average {results.load_before} before, "
        f"{results.load_after} after): bench_app.py in one uvicorn process on CPU 0; {results.loadgen} on "
        f"CPU 1 with {args.connections} connections; PostgreSQL's processes on CPU 1 too; a steward's token; "
        f"`GET {bench_list.list_path('{org}')}` of the largest organization against `/bench/bare` (the same "
        f"bytes: {results.body_bytes.get('postgres', 0):,} on PostgreSQL, "
        f"{results.body_bytes.get('sqlite', 0):,} on SQLite), and the single GET over 100 of its systems. "
        f"{args.rounds} rounds x {args.duration:g} s, engines and endpoints in alternating order.",
        "",
        "| engine | endpoint | req/s (median) | p50 ms | p99 ms | server CPU |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for engine, runs in results.runs.items():
        for name in RATIO_ENDPOINTS:
            mine = [m for m in runs if m.endpoint == name]
            lines.append(
                f"| {titles[engine]} | {name} | {med(m.rps for m in mine):,.0f} | "
                f"{med(m.p50_ms for m in mine):.2f} | "
                f"{med(m.p99_ms for m in mine):.2f} | {med(m.server_cpu for m in mine):.0%} |"
            )
    lines += [
        "",
        "| round | list/bare PostgreSQL | list/bare SQLite | PostgreSQL/SQLite | single/bare PostgreSQL | "
        "single/bare SQLite | PostgreSQL/SQLite |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    columns = [
        results.ratios("postgres", "list"),
        results.ratios("sqlite", "list"),
        results.shares("list"),
        results.ratios("postgres", "single"),
        results.ratios("sqlite", "single"),
        results.shares("single"),
    ]
    for index in range(args.rounds):
        cells = [f"{c[index]:.3f}" if index < len(c) else "-" for c in columns]
        lines.append(f"| {index + 1} | " + " | ".join(cells) + " |")
    lines.append("| median | " + " | ".join(f"**{med(c):.3f}**" if c else "-" for c in columns) + " |")
    lines += [
        "",
        f"For reference, docs/benchmarks.md's SQLite block (bench_list.py, another time and load): list/bare "
        f"{SQLITE_DOC_RATIOS['list']:.3f}, single/bare {SQLITE_DOC_RATIOS['single']:.3f}.",
    ]
    return lines


def export_section(results: ExportResults) -> list[str]:
    import bench_access_log

    span = results.span
    lines = [
        f"**Access-log export** (load average {results.load_before} before, {results.load_after} after): "
        f"the {span.label} entries of the log ({span.checkpoints} checkpoints in range) as an auditor of all "
        "organizations, one bench_app.py server process on CPU 0, bench_access_log.py's fetch helper "
        "(httpx, 256 KiB reads, the body stored) and PostgreSQL on CPU 1; a fresh server per format and "
        "round after a 1,000-entry warm-up export.",
        "",
        "| format | round | rows/s | MB/s | first byte ms | total s | body MB | server peak RSS MB | "
        "server CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in results.runs:
        lines.append(
            f"| {bench_access_log.fmt_name(run.fmt)} | {run.round} | {run.rows_per_s:,.0f} | "
            f"{run.mb_per_s:.1f} | "
            f"{run.first_byte_ms:.1f} | {run.seconds:.1f} | {run.bytes / 1e6:,.0f} | {run.peak_rss_mb:.1f} | "
            f"{run.server_cpu:.0%} |"
        )
    for verified in results.verified:
        lines += [
            "",
            f"Offline verification of the {bench_access_log.fmt_name(verified.fmt)} file of round "
            f"{verified.round} with the public key alone: "
            f"{'OK' if verified.ok else 'FAILED: ' + str(verified.reason)}, {verified.entries:,} entries, "
            f"{verified.checkpoints} checkpoints, {verified.entries_per_s:,.0f} entries/s.",
        ]
    return lines


def webhook_section(results: WebhookResults, args: argparse.Namespace) -> list[str]:
    lines = [
        f"**Webhook fan-out to {args.subscribers} subscribers** (load average {results.load_before} before, "
        f"{results.load_after} after): per round {results.changes} changes through the API (registrations "
        "and If-Match PATCHes, relay off) fill the outbox; then `airegistry worker` alone on CPU 0 "
        "delivers them to tests/support/receiver.py on CPU 1 (every signature checked), with PostgreSQL "
        "on CPU 1; deliveries/s from the first arrival to the last. Next to it, in alternating order, a "
        "plain httpx client on CPU 0 POSTs the same signed bodies, 10 at a time (bench_webhooks.py's).",
        "",
        "| round | events | deliveries | relay deliveries/s | relay CPU | PostgreSQL CPU | plain POSTs/s | "
        "ratio relay/plain | unverified |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results.rounds:
        lines.append(
            f"| {r.round} | {r.events:,} | {r.deliveries:,} | {r.relay_rate:,.0f} | {r.relay_cpu:.0%} | "
            f"{r.db_cpu:.0%} | {r.plain_rate:,.0f} | {r.ratio:.3f} | {r.unverified} |"
        )
    lines.append(
        f"| median | | | **{med(r.relay_rate for r in results.rounds):,.0f}** | | | "
        f"{med(r.plain_rate for r in results.rounds):,.0f} | {med(r.ratio for r in results.rounds):.3f} | |"
    )
    lines += ["", "On SQLite (docs/benchmarks.md, bench_webhooks.py): 1,278 deliveries/s, ratio 0.747."]
    return lines


def plan_section(plans: list[Plan]) -> list[str]:
    lines = [
        "**Query plans** (EXPLAIN (ANALYZE, BUFFERS), the third of three runs, on the largest organization; "
        "the SQL the services send):",
        "",
    ]
    search = next((p for p in plans if p.name == f"list, q={SEARCH}"), None)
    if search and any("Filter: ((to_tsvector(" in line for line in search.lines):
        removed = next(
            (ln.split(":")[1].strip() for ln in search.lines if "Rows Removed by Filter" in ln), "?"
        )
        lines += [
            f"Note: the text search does not use the GIN indexes here: PostgreSQL walks the organization's "
            f"index in page order and computes `to_tsvector` (Danish and English) for every row it passes "
            f"({removed} rows removed by the filter for one page): {search.execution_ms:.0f} ms of CPU for "
            "a page.",
            "",
        ]
    generic = next((p for p in plans if p.name == f"list, q={SEARCH}, {GENERIC}"), None)
    if search and generic and generic.execution_ms > 2 * search.execution_ms:
        lines += [
            f"Note: as a generic plan (no organization known, so no walk of its index in page order) the "
            f"text search takes {generic.execution_ms:.0f} ms against {search.execution_ms:.0f} ms for the "
            "custom plan. asyncpg prepares every statement, and PostgreSQL switches a prepared statement to "
            "its generic plan after five executions when the generic plan's estimate is the cheaper "
            "(plan_cache_mode = auto, the default); the register's connections set "
            "plan_cache_mode = force_custom_plan (registry/db/engine.py).",
            "",
        ]
    for plan in plans:
        lines += [f"- {plan.name}: {plan.execution_ms:.2f} ms (planning {plan.planning_ms:.2f} ms)", ""]
        lines += ["      " + line for line in plan.lines[:14]]
        lines.append("")
    return lines


def verdicts(
    api: ApiResults | None, ratios: RatioResults | None, export: ExportResults | None
) -> list[tuple[str, str, bool]]:
    checks = []
    if api:
        for name, target in (
            ("list_filter", TARGET_LIST_P99_MS),
            ("list_q", TARGET_LIST_P99_MS),
            ("single", TARGET_SINGLE_P99_MS),
        ):
            runs = [m for m in api.loads if m.endpoint == name]
            p99 = med(m.p99_ms for m in runs)
            checks.append((f"{API_ENDPOINTS[name]}: p99 <= {target:.0f} ms", f"{p99:.1f} ms", p99 <= target))
    if ratios:
        for over in ("list", "single"):
            pg = med(ratios.ratios("postgres", over))
            if "sqlite" in ratios.runs:
                share = med(ratios.shares(over))
                base = f"SQLite in the same rounds: {med(ratios.ratios('sqlite', over)):.3f}"
            else:
                share = pg / SQLITE_DOC_RATIOS[over]
                base = f"SQLite in docs/benchmarks.md: {SQLITE_DOC_RATIOS[over]:.3f}"
            checks.append(
                (
                    f"{over}/bare ratio on PostgreSQL within 20% of SQLite's",
                    f"{pg:.3f} against {base}, {share - 1:+.0%}",
                    share >= TARGET_RATIO_SHARE,
                )
            )
    if export:
        for fmt in ("jsonl", "csv"):
            rate = med(r.rows_per_s for r in export.runs if r.fmt == fmt)
            checks.append(
                (
                    f"{fmt.upper()} export >= {TARGET_EXPORT_ROWS_PER_S:,} rows/s "
                    f"({export.span.label} entries)",
                    f"{rate:,.0f} rows/s",
                    rate >= TARGET_EXPORT_ROWS_PER_S,
                )
            )
        ok = all(v.ok for v in export.verified)
        checks.append(("the export verifies offline", "OK" if ok else "FAILED", ok))
    return checks


def report(
    *,
    command: str,
    machine: Machine,
    manifest: Manifest,
    reused: bool,
    server: str,
    sizes: list[tuple[str, int, int, int]],
    findings: str,
    plans: list[Plan],
    api: ApiResults | None,
    ratios: RatioResults | None,
    export: ExportResults | None,
    webhooks: WebhookResults | None,
    recompute: RecomputeResults | None,
    args: argparse.Namespace,
    loadgen: str,
    load_before: str,
    wall: float,
) -> str:
    packages = ("litestar", "piccolo", "asyncpg", "uvicorn", "httpx")
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in packages)
    checks = verdicts(api, ratios, export)
    parts = [
        f"Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} with `{command}` "
        f"({git_state()}); "
        f"{wall / 60:.0f} minutes of wall time for this run.",
        "",
        f"- Machine: {machine.description}; a shared machine, so figures move between runs (load average "
        f"(1/5/15 min) {load_before} at the start of the run; each part gives its own).",
        f"- Python {sys.version.split()[0]}; {versions}.",
        *data_section(manifest, sizes, server, reused),
        "",
        findings,
        "",
    ]
    if api:
        parts += [*api_section(api, args, loadgen), ""]
    if ratios:
        parts += [*ratio_section(ratios, args), ""]
    if export:
        parts += [*export_section(export), ""]
    if webhooks:
        parts += [*webhook_section(webhooks, args), ""]
    if recompute:
        parts += [*recompute_section(recompute, manifest), ""]
    parts += plan_section(plans)
    parts += ["Targets (medians over the rounds):", ""]
    parts += [f"- {'met' if ok else 'NOT met'}: {what} (measured {value})" for what, value, ok in checks]
    parts += ["", f"All targets met: **{'yes' if checks and all(ok for _, _, ok in checks) else 'no'}**."]
    if not full_size(manifest):
        parts[-1] += " These figures are from a smaller data set than the stated one (see Data above)."
    return "\n".join(parts)


def write_docs(path: Path, block: str) -> None:
    write_block(
        "bench-postgres",
        "tests/bench/bench_postgres.py",
        "Production scale on PostgreSQL",
        'Requirement (issue "Production scale on PostgreSQL"): with 1,000,000 AI systems across 50,000 '
        "organizations and 10,000,000 access-log entries on PostgreSQL, with two API processes, the list "
        "endpoint (50 items, one filter, and with text search) has p99 <= 50 ms and the single-system GET "
        "p99 <= 20 ms; the access-log export streams >= 50,000 rows/s; the list and single GET keep their "
        "ratios to a bare route within 20% of SQLite's; webhook fan-out to 10 subscribers is reported in "
        "deliveries/s.",
        block,
        path,
    )


# --- main ------------------------------------------------------------------------------------------

PARTS = ("api", "ratio", "export", "webhooks", "findings")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the register at production scale on PostgreSQL.")
    parser.add_argument("--systems", type=int, default=1_000_000)
    parser.add_argument("--organizations", type=int, default=50_000)
    parser.add_argument("--log-entries", type=int, default=10_000_000)
    parser.add_argument("--log-days", type=int, default=30, help="days the seeded access log covers")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the PostgreSQL cluster, keys and manifest here; a rerun with the same sizes skips seeding",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the scratch dir (when no --data-dir)")
    parser.add_argument(
        "--reseed", action="store_true", help="seed again even when --data-dir holds the sizes"
    )
    parser.add_argument("--seed-only", action="store_true", help="seed (or check the seeded data) and stop")
    parser.add_argument(
        "--jobs", type=int, default=max(1, len(os.sched_getaffinity(0))), help="seeding workers"
    )
    parser.add_argument("--seed", type=int, default=20261129, help="random seed of the generated data")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load measurement")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unrecorded load per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--loadgen", choices=("auto", "wrk", "asyncio"), default="auto")
    parser.add_argument(
        "--no-sqlite-baseline",
        dest="sqlite_baseline",
        action="store_false",
        help="compare the ratios with docs/benchmarks.md's SQLite figures instead of measuring SQLite "
        "alongside",
    )
    parser.add_argument(
        "--export-entries", type=int, default=1_000_000, help="the newest N entries are exported"
    )
    parser.add_argument("--export-rounds", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds one export may take")
    parser.add_argument("--webhook-changes", type=int, default=500, help="changes per webhook round")
    parser.add_argument("--webhook-rounds", type=int, default=2)
    parser.add_argument("--subscribers", type=int, default=10)
    parser.add_argument("--docs", type=Path, default=DOCS, help="markdown file to update")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    args.part_list = [p.strip() for p in args.parts.split(",") if p.strip()]
    if unknown := [p for p in args.part_list if p not in PARTS]:
        parser.error(f"unknown parts {unknown}")
    if not LARGE_ORGANIZATIONS < args.organizations <= 1_000_000:
        parser.error(f"organizations {LARGE_ORGANIZATIONS + 1}..1,000,000")
    if (
        args.systems - LARGE_ORGANIZATIONS * large_size_of(args.systems)
        < args.organizations - LARGE_ORGANIZATIONS
    ):
        parser.error("too few systems for that many organizations (each needs one; the 10 largest need 100+)")
    if not 10_000 <= args.log_entries <= 100_000_000 or not 1 <= args.log_days <= 366:
        parser.error("log entries 10,000..100,000,000; log days 1..366")
    if not args.export_entries > 1_000:
        parser.error("export entries > 1,000")
    args.export_entries = min(args.export_entries, args.log_entries)
    if not 1 <= args.rounds <= 20 or not 1 <= args.duration <= 120 or not 0 <= args.warmup <= 60:
        parser.error("rounds 1..20, duration 1..120 s, warm-up 0..60 s")
    if not 2 <= args.connections <= 256 or not 1 <= args.jobs <= 64:
        parser.error("connections 2..256, jobs 1..64")
    return args


async def reset_database(pg: Any) -> None:
    import asyncpg

    connection = await asyncpg.connect(pg.url_for("postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{pg.database}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{pg.database}"')
    finally:
        await connection.close()


def run(args: argparse.Namespace, argv: list[str] | None) -> int:
    started = time.monotonic()
    load_before = load_average()
    machine = Machine.probe()
    kind, loadgen = pick_kind(args.loadgen)
    root = args.data_dir.resolve() if args.data_dir else Path(tempfile.mkdtemp(prefix="airegistry-bench-pg-"))
    keep = bool(args.data_dir) or args.keep_data
    layout = prepare_layout(root)
    given = sys.argv[1:] if argv is None else argv
    command = " ".join([SCRIPT, *given])
    try:
        with postgres(layout) as pg:
            url = pg.url
            # Before anything imports piccolo_conf: the engine is chosen from these at import time.
            os.environ["AIREG_DATA_DIR"] = str(layout.app)
            os.environ["AIREG_DATABASE_URL"] = url
            env = base_env(layout, url)
            manifest = read_manifest(layout)
            reused = manifest is not None and manifest.matches(args) and not args.reseed
            if not reused:
                # Another data set, or a seeding that did not finish: start from an empty database.
                asyncio.run(reset_database(pg))
                layout.manifest.unlink(missing_ok=True)
                log(
                    f"seeding {args.systems:,} systems in {args.organizations:,} organizations and "
                    f"{args.log_entries:,} access-log entries into {root} ({args.jobs} workers)"
                )
                manifest = asyncio.run(seed(url, layout, args, env))
                log(f"seeded in {manifest.seconds['total']:.0f} s")
            else:
                log(f"reusing the data seeded {manifest.seeded_at} in {root}")
                with contextlib.redirect_stdout(sys.stderr):  # migrations added since the seeding
                    # one that rewrites ai_system takes minutes at this size
                    print(cli(env, "migrate", timeout=3600), file=sys.stderr)
            assert manifest is not None
            probe = Probe(url)
            try:
                version = probe.value("SHOW server_version")
                database_bytes = int(probe.value("SELECT pg_database_size(current_database())"))
                server = (
                    f"PostgreSQL {version} (Debian's package), a cluster of this script's own on 127.0.0.1 "
                    "with "
                    + ", ".join(f"{k}={v}" for k, v in PG_SETTINGS.items())
                    + f", everything else at its default; database {database_bytes / 2**30:.1f} GiB."
                )
                sizes = table_sizes(probe)
                if args.seed_only:
                    log(server)
                    return 0
                first_ms = manifest.at_ms(max(1, manifest.log_entries - args.export_entries + 1))
                pin_postgres(layout, None)
                findings = hold_daily_recompute(probe)
                plans = explain(probe, manifest, first_ms)
                api = measure_api(layout, manifest, env, args, kind) if "api" in args.part_list else None
                ratios = (
                    measure_ratios(layout, manifest, env, machine, args)
                    if "ratio" in args.part_list
                    else None
                )
                export = None
                if "export" in args.part_list:
                    import bench_list

                    data = bench_list.Dataset(
                        data_dir=layout.app,
                        org_id=manifest.steward_org_id,
                        system_ids=[],
                        token="",
                        body=b"{}",
                        seconds=0.0,
                        organizations=0,
                        systems=0,
                        in_use=0,
                    )
                    export = measure_export(layout, manifest, env, probe, machine, args, data)
                webhooks = (
                    measure_webhooks(layout, env, probe, machine, args)
                    if "webhooks" in args.part_list
                    else None
                )
                recompute = (
                    measure_recompute(layout, manifest, env, args) if "findings" in args.part_list else None
                )
                block = report(
                    command=command,
                    machine=machine,
                    manifest=manifest,
                    reused=reused,
                    server=server,
                    sizes=sizes,
                    findings=findings,
                    plans=plans,
                    api=api,
                    ratios=ratios,
                    export=export,
                    webhooks=webhooks,
                    recompute=recompute,
                    args=args,
                    loadgen=loadgen,
                    load_before=load_before,
                    wall=time.monotonic() - started,
                )
            finally:
                probe.close()
            with contextlib.suppress(Exception):
                asyncio.run(_checkpoint(url))
        print(block)
        if not args.no_docs:
            write_docs(args.docs, block)
            log(f"wrote {args.docs}")
    finally:
        if keep:
            log(f"kept {root} (the PostgreSQL cluster, keys and manifest; pass it as --data-dir to reuse)")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


async def _checkpoint(url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "sqlite-seed":
        return sqlite_seed_main(argv[1:])
    if argv and argv[0] == "recompute-sample":
        return recompute_sample_main(argv[1:])
    args = parse_args(argv)
    exit_on_signals()
    try:
        return run(args, argv)
    except KeyboardInterrupt:
        log("interrupted; every process stopped")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
