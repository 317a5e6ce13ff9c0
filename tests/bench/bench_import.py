"""Benchmark: importing 10,000 rows of a filled template (xlsx) into an empty organization on SQLite, as a
dry run and as a real run (target: each <= 60 s), with the peak memory growth; and the same systems
registered through the API one by one (POST /organizations/{id}/systems, in-process), for the ratio.

Run: .venv/bin/python tests/bench/bench_import.py [--rows 10000] [--api-rows 1000] [--no-docs]"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "tests/bench/bench_import.py"
TARGET_S = 60.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(rows: int, api_rows: int) -> dict[str, Any]:
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise

    from api.app import create_app
    from api.auth import TokenIssuer
    from api.settings import ApiSettings
    from api.spreadsheets import read_upload, register_file, vocabulary
    from registry import Actor, Role
    from registry.composition import compose
    from registry.db.migrate import migrate
    from registry.systems.imports import import_rows
    from registry.systems.models import SystemFields
    from registry.systems.sheet import row_of
    from tests.bench.bench_seed import seed_varied_organization, varied_system
    from webhooks.outbox import OutboxSink

    await migrate()
    compose(OutboxSink())
    rng = random.Random(20)
    organizations = []
    for cvr in ("29189919", "10000009", "10000017"):
        organizations.append(await seed_varied_organization(0, rng, cvr=cvr))
    dry_org, real_org, api_org = (o.org_id for o in organizations)
    from registry.organizations.units import list_units

    admin = {
        o: Actor(sub="bench-admin", role=Role.employer_admin, org=o) for o in (dry_org, real_org, api_org)
    }
    units = await list_units(admin[dry_org], dry_org)
    names = {str(u["id"]): str(u["name"]) for u in units}
    fields = [
        SystemFields.model_validate(varied_system(rng, n, list(names))).model_dump(mode="json")
        for n in range(rows)
    ]
    table = [row_of({**f, "id": None, "version": None}, names) for f in fields]
    started = time.perf_counter()
    body = register_file(table, "xlsx", "da")
    writing = time.perf_counter() - started

    before = _peak_mb()
    started = time.perf_counter()
    parsed = read_upload(body)
    reading = time.perf_counter() - started
    started = time.perf_counter()
    dry = await import_rows(admin[dry_org], dry_org, parsed, vocabulary(), dry_run=True, change_note="bench")
    dry_s = time.perf_counter() - started + reading
    dry_peak = _peak_mb() - before

    # The real run reads the same file again, into an organization of its own (same unit names).
    real_units = {str(u["name"]): str(u["id"]) for u in await list_units(admin[real_org], real_org)}
    assert set(real_units) == set(names.values())
    before = _peak_mb()
    started = time.perf_counter()
    again = read_upload(body)
    real = await import_rows(
        admin[real_org], real_org, again, vocabulary(), dry_run=False, change_note="bench"
    )
    real_s = time.perf_counter() - started
    real_peak = _peak_mb() - before
    refused = [r for r in (*dry, *real) if r.outcome == "refused"]
    if refused:
        raise RuntimeError(f"{len(refused)} rows refused: {refused[0].problems}")

    settings = ApiSettings()
    app = create_app(settings)
    token = TokenIssuer.from_settings(settings).issue(
        role=Role.employer_admin, org=api_org, sub="bench-admin"
    )
    api_units = {str(u["name"]): str(u["id"]) for u in await list_units(admin[api_org], api_org)}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        started = time.perf_counter()
        for document in fields[:api_rows]:
            body_json = {**document, "unit_ids": [api_units[names[u]] for u in document["unit_ids"]]}
            body_json = {k: v for k, v in body_json.items() if v not in (None, [], {})}
            r = await client.post(f"/api/v1/organizations/{api_org}/systems", json=body_json, headers=headers)
            if r.status_code != 201:
                raise RuntimeError(r.text)
        api_s = time.perf_counter() - started
    return {
        "rows": rows,
        "file_mb": len(body) / 1e6,
        "writing_s": writing,
        "reading_s": reading,
        "dry_s": dry_s,
        "dry_peak_mb": dry_peak,
        "real_s": real_s,
        "real_peak_mb": real_peak,
        "created": sum(1 for r in real if r.outcome == "created"),
        "api_rows": api_rows,
        "api_s": api_s,
    }


def report(f: dict[str, Any], command: str) -> str:
    import_rate = f["rows"] / f["real_s"]
    api_rate = f["api_rows"] / f["api_s"]
    rows = [
        (
            f"Dry run of {f['rows']:,} rows (xlsx, {f['file_mb']:.1f} MB): read the file, check every row",
            f"{f['dry_s']:.1f} s (reading {f['reading_s']:.1f} s); peak RSS +{f['dry_peak_mb']:.0f} MB",
            f"<= {TARGET_S:.0f} s",
            "yes" if f["dry_s"] <= TARGET_S else "**no**",
        ),
        (
            f"Real run of the same rows into an empty organization, one transaction "
            f"({f['created']:,} created)",
            f"{f['real_s']:.1f} s ({import_rate:,.0f} rows/s); peak RSS +{f['real_peak_mb']:.0f} MB",
            f"<= {TARGET_S:.0f} s",
            "yes" if f["real_s"] <= TARGET_S else "**no**",
        ),
        (
            f"The first {f['api_rows']:,} of the same systems through the API one by one (in-process)",
            f"{f['api_s']:.1f} s ({api_rate:,.0f} systems/s); import / API = {import_rate / api_rate:.1f}x",
            "",
            "",
        ),
    ]
    table = "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    moment = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return (
        f"Measured {moment} on {platform.machine()}, Python {platform.python_version()}, SQLite, one "
        f"process. Command: `{command}`\n\n"
        "| figure | measured | target | met |\n|---|---|---|---|\n"
        f"{table}\n\n"
        f"Writing the workbook of {f['rows']:,} rows (the export's writer) took {f['writing_s']:.1f} s. "
        "Peak RSS growth is the process's high-water mark before and after each run (the dry run first)."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--api-rows", type=int, default=1_000)
    parser.add_argument("--no-docs", action="store_true", help="print the figures only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="airegistry-bench-import-") as scratch:
        os.environ["AIREG_DATA_DIR"] = scratch
        os.environ.pop("AIREG_DATABASE_URL", None)
        sys.path.insert(0, str(ROOT))
        figures = asyncio.run(run(args.rows, args.api_rows))
    command = "python " + " ".join([SCRIPT, *sys.argv[1:]])
    block = report(figures, command)
    print(block)
    if not args.no_docs:
        from tests.bench.docs_block import write_block

        write_block(
            "bench-import",
            SCRIPT,
            "Spreadsheet import: 10,000 rows",
            "Requirement: importing 10,000 rows (xlsx) into an empty organization, as a dry run and as a "
            "real run, each at most 60 s on SQLite, peak memory growth reported; the same rows through the "
            "API one by one, for the ratio.",
            block,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
