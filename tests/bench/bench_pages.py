"""Benchmark: the stewards' register page (GET /register) of an organization with 500 AI systems, and
the employer's form pages (issue 20: the guided questions, the full form of a new system, a group of a
system's fields, the import page). Targets: server time p95 <= 100 ms; first contentful paint in
headless Chromium <= 1 s (the register, and the new-system form, the longest page there is).

    .venv/bin/python tests/bench/bench_pages.py        # about 2 minutes
    .venv/bin/python tests/bench/bench_pages.py --systems 500 --requests 200 --rounds 3 --loads 15

1. A scratch data dir (AIREG_DATA_DIR, SQLite) is migrated and seeded through the registry services,
   as bench_findings.py does: one organization with 8 units and --systems varied systems (each
   registered with its findings in its own transaction).
2. `airegistry serve` (AIREG_WEBHOOKS_RELAY=false) runs as a separate process on 127.0.0.1, pinned to
   one core with taskset; this script (the client and Chromium) is pinned to the other core.
3. A steward logs in in headless Chromium (Debian's package via Playwright, as tests/e2e do) through a
   one-time link from `airegistry token issue --link`; the session cookie is handed to an httpx client.
4. Server time: --rounds rounds; in each, after --warmup requests, --requests sequential GETs of each
   measured page over one keep-alive loopback connection, timed from sending the request to the last
   byte of the body (so the figure includes the loopback client, an upper bound on the server's own
   time). p50/p95/p99 per round; the table gives the median over the rounds.
5. First contentful paint: --loads loads of /register in headless Chromium, each in a fresh browser
   context (no cache: the page and its style sheet come from the server each time), read from
   performance.getEntriesByName('first-contentful-paint'); then the same number in one warm context.
6. The figures go to stdout and into docs/benchmarks.md (the bench-pages block).
The server is stopped at the end, on errors and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.machine import Machine  # noqa: E402 - after the sys.path insert above
from tests.bench.percentiles import percentile  # noqa: E402
from tests.bench.processes import HOST, Proc, airegistry, cli, free_port, start  # noqa: E402

# Chromium as the browser tests launch it (Debian's package, headless, no sandbox, offline).
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SCRIPT = "tests/bench/bench_pages.py"
TARGET_P95_MS = 100.0
TARGET_FCP_MS = 1000.0
FCP_JS = """() => new Promise(resolve => {
  const done = () => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    return {fcp: paint ? paint.startTime : null, ttfb: nav ? nav.responseStart : null,
            dcl: nav ? nav.domContentLoadedEventEnd : null};
  };
  if (performance.getEntriesByName('first-contentful-paint').length) return resolve(done());
  new PerformanceObserver(() => resolve(done())).observe({type: 'paint', buffered: true});
  setTimeout(() => resolve(done()), 10000);
})"""


def log(message: str) -> None:
    print(f"[bench-pages {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the server ------------------------------------------------------------------------------------


@contextlib.contextmanager
def serve(env: dict[str, str], port: int, machine: Machine, log_path: Path) -> Iterator[str]:
    command = machine.pin(machine.server_cpus, [*airegistry(), "serve", "--host", HOST, "--port", str(port)])
    server = Proc("airegistry serve", start(command, env, log_path), log_path, port=port)
    try:
        server.wait_ready("/api/v1/ready")
        log(f"server on {server.base_url} (pid {server.process.pid}, cpu {machine.server_cpus or 'any'})")
        yield server.base_url
    finally:
        server.stop(timeout=15)
        log(f"server stopped (exit code {server.process.returncode})")


# --- seeding ---------------------------------------------------------------------------------------


async def seed(systems: int) -> dict[str, Any]:
    from registry.composition import compose
    from registry.db.migrate import migrate
    from registry.obligations.tables import SystemFinding
    from tests.bench.bench_seed import seed_varied_organization
    from webhooks.outbox import OutboxSink

    with contextlib.redirect_stdout(sys.stderr):
        await migrate()
    compose(OutboxSink())
    seeded = await seed_varied_organization(systems, random.Random(6))
    return {
        "org_id": seeded.org_id,
        "system_ids": seeded.system_ids,
        "seconds": seeded.seconds,
        "open_findings": await SystemFinding.count().where(SystemFinding.status == "open"),
    }


# --- measuring -------------------------------------------------------------------------------------


def log_in(browser: Any, link: str) -> Any:
    """A browser context logged in through the one-time link (form#login on GET /login/{token})."""
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    page.goto(link)
    with page.expect_navigation():
        page.locator("form#login").get_by_role("button", name=re.compile("Log ind|Log in")).click()
    if "/register" not in page.url:
        raise RuntimeError(f"logging in landed on {page.url}, not /register")
    page.close()
    return context


def timed_gets(client: Any, path: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path)
        _ = response.content
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        times.append(elapsed * 1000)
    return times


def first_paints(
    browser: Any, cookies: list[dict[str, Any]], url: str, loads: int, *, cold: bool
) -> list[Any]:
    results = []
    context = None
    for _ in range(loads):
        if context is None or cold:
            if context is not None:
                context.close()
            context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
            context.add_cookies(cookies)
        page = context.new_page()
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            raise RuntimeError(f"Chromium got {response.status if response else 'nothing'} for {url}")
        results.append(page.evaluate(FCP_JS))
        page.close()
    if context is not None:
        context.close()
    if any(r["fcp"] is None for r in results):
        raise RuntimeError("Chromium reported no first-contentful-paint entry")
    return results


def run(args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    import httpx
    from playwright.sync_api import sync_playwright

    machine = Machine.probe()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIREG_")}
    env |= {
        "AIREG_DATA_DIR": str(scratch),
        "AIREG_PUBLIC_URL": f"http://{HOST}:{port}",
        "AIREG_WEBHOOKS_RELAY": "false",
    }
    os.environ["AIREG_DATA_DIR"] = str(scratch)
    os.environ.pop("AIREG_DATABASE_URL", None)
    log(f"seeding {args.systems} systems through the services")
    seeded = asyncio.run(seed(args.systems))
    log(f"seeded in {seeded['seconds']:.1f} s ({seeded['open_findings']} open findings)")
    machine.pin_self()  # Chromium, started below, inherits it

    output = cli(
        env, "token", "issue", "--role", "steward", "--org", seeded["org_id"], "--link", "--ttl", "4h"
    )
    link = re.findall(r"http://\S+/login/\S+", output)[-1]
    output = cli(
        env, "token", "issue", "--role", "employer_admin", "--org", seeded["org_id"], "--link", "--ttl", "4h"
    )
    employer_link = re.findall(r"http://\S+/login/\S+", output)[-1]
    figures: dict[str, Any] = {"machine": machine, "seeded": seeded, "args": args}
    with serve(env, port, machine, scratch / "serve.log") as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = log_in(browser, link)
            cookies = context.cookies()
            page = context.new_page()
            page.goto(base + "/register")
            rows = page.locator("table#register tbody tr").count()
            next_href = (
                page.locator("a#next-page").get_attribute("href")
                if page.locator("a#next-page").count()
                else None
            )
            context.close()
            jar = httpx.Cookies()
            for cookie in cookies:
                jar.set(cookie["name"], cookie["value"], domain=cookie["domain"], path=cookie["path"])
            paths = {"register": "/register"}
            paths["filtered"] = "/register?category=monitoring&status=in_use"
            if next_href:
                paths["page2"] = next_href if next_href.startswith("/") else "/" + next_href.split("/", 3)[-1]
            paths["system"] = f"/systems/{seeded['system_ids'][0]}"
            per_path: dict[str, list[dict[str, float]]] = {name: [] for name in paths}
            with httpx.Client(base_url=base, cookies=jar, timeout=30) as client:
                first = client.get("/register")
                links = len(set(re.findall(r'href="/systems/([0-9a-f-]{36})"', first.text)))
                if first.status_code != 200 or 'id="register"' not in first.text or links != rows:
                    raise RuntimeError(
                        f"GET /register over httpx answered {first.status_code} with {links} system links "
                        f"(the browser saw {rows} rows): {first.text[:300]}"
                    )
                figures["register_bytes"] = len(first.content)
                for round_ in range(args.rounds):
                    for name, path in paths.items():
                        timed_gets(client, path, args.warmup)
                        times = timed_gets(client, path, args.requests)
                        per_path[name].append(
                            {
                                "p50": percentile(times, 0.50),
                                "p95": percentile(times, 0.95),
                                "p99": percentile(times, 0.99),
                                "max": max(times),
                            }
                        )
                        log(
                            f"round {round_ + 1} {name}: p50 {per_path[name][-1]['p50']:.1f} ms, "
                            f"p95 {per_path[name][-1]['p95']:.1f} ms"
                        )
            system = seeded["system_ids"][0]
            forms = {
                "guide": "/register/new",
                "form": "/register/new?skip=1",
                "edit_about": f"/systems/{system}/edit/about",
                "edit_data": f"/systems/{system}/edit/data",
                "import": "/register/import",
            }
            employer = log_in(browser, employer_link)
            employer_cookies = employer.cookies()
            employer.close()
            employer_jar = httpx.Cookies()
            for cookie in employer_cookies:
                employer_jar.set(
                    cookie["name"], cookie["value"], domain=cookie["domain"], path=cookie["path"]
                )
            with httpx.Client(base_url=base, cookies=employer_jar, timeout=30) as client:
                for name, path in forms.items():
                    check = client.get(path)
                    if check.status_code != 200 or "<form" not in check.text:
                        raise RuntimeError(f"GET {path} as an employer admin answered {check.status_code}")
                    per_path[name] = []
                figures["form_bytes"] = len(client.get(forms["form"]).content)
                for round_ in range(args.rounds):
                    for name, path in forms.items():
                        timed_gets(client, path, args.warmup)
                        times = timed_gets(client, path, args.requests)
                        per_path[name].append(
                            {
                                "p50": percentile(times, 0.50),
                                "p95": percentile(times, 0.95),
                                "p99": percentile(times, 0.99),
                                "max": max(times),
                            }
                        )
                        log(f"round {round_ + 1} {name}: p95 {per_path[name][-1]['p95']:.1f} ms")
            paths |= forms
            figures["paths"] = paths
            figures["server"] = {
                name: {
                    key: statistics.median(r[key] for r in results) for key in ("p50", "p95", "p99", "max")
                }
                | {"rounds_p95": [r["p95"] for r in results]}
                for name, results in per_path.items()
            }
            figures["rows"] = rows
            figures["paged"] = next_href is not None
            log(f"first contentful paint: {args.loads} cold and {args.loads} warm loads")
            figures["fcp_cold"] = first_paints(browser, cookies, base + "/register", args.loads, cold=True)
            figures["fcp_warm"] = first_paints(browser, cookies, base + "/register", args.loads, cold=False)
            figures["fcp_form"] = first_paints(
                browser, employer_cookies, base + forms["form"], args.loads, cold=True
            )
            figures["chromium"] = browser.version
        finally:
            browser.close()
    return figures


# --- the report ------------------------------------------------------------------------------------


def _yes(met: bool) -> str:
    return "yes" if met else "**no**"


def report(f: dict[str, Any], command: str) -> str:
    args, machine, server = f["args"], f["machine"], f["server"]
    labels = {
        "register": "`GET /register` (first page, no filter)",
        "filtered": "`GET /register?category=monitoring&status=in_use`",
        "page2": "`GET /register`, second page (`a#next-page`)",
        "system": "`GET /systems/{id}` (a system page, for comparison)",
        "guide": "employer: `GET /register/new` (the guided questions)",
        "form": "employer: `GET /register/new?skip=1` (the form of every field)",
        "edit_about": "employer: `GET /systems/{id}/edit/about`",
        "edit_data": "employer: `GET /systems/{id}/edit/data`",
        "import": "employer: `GET /register/import`",
    }
    targeted = {"register", "guide", "form", "edit_about", "edit_data", "import"}
    rows = []
    for name, s in server.items():
        target = f"p95 <= {TARGET_P95_MS:.0f} ms" if name in targeted else ""
        met = _yes(s["p95"] <= TARGET_P95_MS) if name in targeted else ""
        rounds = ", ".join(f"{v:.1f}" for v in s["rounds_p95"])
        rows.append(
            f"| {labels[name]} | {s['p50']:.1f} | {s['p95']:.1f} (rounds: {rounds}) | {s['p99']:.1f} | "
            f"{s['max']:.1f} | {target} | {met} |"
        )
    cold = [r["fcp"] for r in f["fcp_cold"]]
    warm = [r["fcp"] for r in f["fcp_warm"]]
    ttfb = [r["ttfb"] for r in f["fcp_cold"] if r["ttfb"] is not None]
    form = [r["fcp"] for r in f["fcp_form"]]
    fcp_met = statistics.median(cold) <= TARGET_FCP_MS and statistics.median(form) <= TARGET_FCP_MS
    p95_met = all(server[name]["p95"] <= TARGET_P95_MS for name in targeted if name in server)
    moment = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    pinning = (
        f"server pinned to CPU {machine.server_cpus}, client and Chromium to CPU {machine.load_cpus}"
        if machine.server_cpus is not None
        else "not pinned (taskset or a second core missing)"
    )
    return (
        f"Measured {moment} on {platform.machine()} ({machine.cpu_model}), Python "
        f"{platform.python_version()}, SQLite, `airegistry serve` (one uvicorn process), {pinning}; "
        f"Chromium {f['chromium']} headless. Command: `{command}`\n\n"
        f"One organization with {len(f['seeded']['system_ids'])} systems ({f['seeded']['open_findings']} "
        f"open findings), logged in as a steward (session cookie). The register's first page has "
        f"{f['rows']} rows, {f['register_bytes'] / 1024:.0f} KiB of HTML"
        f"{', and a next page' if f['paged'] else ''}.\n\n"
        f"Server time: {args.requests} sequential requests per page and round after {args.warmup} warm-up "
        f"requests, one keep-alive loopback connection, timed by the client to the body's last byte; "
        f"medians over {args.rounds} rounds (ms):\n\n"
        "| page | p50 | p95 | p99 | max | target | met |\n|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nFirst contentful paint of `/register` in headless Chromium "
        f"(`performance.getEntriesByName('first-contentful-paint')`), {args.loads} loads each:\n\n"
        "| loads | median | max | target | met |\n|---|---|---|---|---|\n"
        f"| cold (fresh browser context each load) | {statistics.median(cold):.0f} ms | {max(cold):.0f} ms | "
        f"<= {TARGET_FCP_MS:.0f} ms | {_yes(fcp_met)} |\n"
        f"| warm (one context, cached style sheet) | {statistics.median(warm):.0f} ms | {max(warm):.0f} ms "
        "| | |\n"
        f"| the new-system form (`/register/new?skip=1`, {f['form_bytes'] / 1024:.0f} KiB), cold | "
        f"{statistics.median(form):.0f} ms | {max(form):.0f} ms | <= {TARGET_FCP_MS:.0f} ms | "
        f"{_yes(statistics.median(form) <= TARGET_FCP_MS)} |\n\n"
        f"Time to first byte in those cold loads: median {statistics.median(ttfb):.0f} ms. "
        f"Overall: {'all targets met' if p95_met and fcp_met else '**a target is not met**'}."
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--systems", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page and round")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loads", type=int, default=15, help="Chromium page loads, cold and warm each")
    parser.add_argument("--no-docs", action="store_true", help="print the figures only")
    parser.add_argument("--keep-data", action="store_true", help="keep the scratch data dir")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"Chromium is missing at {CHROMIUM}: run `bash scripts/ensure-browser.sh`", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="airegistry-bench-pages-"))
    try:
        figures = run(args, scratch)
    finally:
        if args.keep_data:
            log(f"data kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    command = "python " + " ".join([SCRIPT, *sys.argv[1:]])
    block = report(figures, command)
    print(block)
    if not args.no_docs:
        from tests.bench.docs_block import write_block

        write_block(
            "bench-pages",
            SCRIPT,
            "Web pages: the register of an organization with 500 systems",
            "Requirement (issue 6): the stewards' register page (`GET /register`) of an organization with "
            "500 AI systems answers with a server time p95 <= 100 ms, and its first contentful paint in "
            "headless Chromium on this machine is <= 1 s.",
            block,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
