"""End-to-end session: the real `airegistry serve` on a free loopback port, over a scratch data dir with
the demo data set, driven by Debian's Chromium through Playwright's Python package.

    make test                      # installs everything, runs these in their own pytest invocation
    .venv/bin/python -m pytest tests/e2e

Requirements (installed by scripts/ensure-browser.sh; `make test` calls it): Debian's `chromium` at
/usr/bin/chromium (or AIREG_E2E_CHROMIUM), axe-core in tests/e2e/node_modules, the `playwright` Python
package (test extra). Nothing is skipped: a missing piece fails the tests with what to run.
Playwright's own browser download (`playwright install`) is never used.

The browser runs in a module-scoped fixture: while Playwright's sync API is alive it holds an asyncio
loop of its own on this thread, so it must be gone before any pytest-asyncio test of the rest of the
suite runs in the same process. The root conftest's autouse async fixtures (which reset the in-process
test database) are replaced here by no-ops: these tests talk to their own server and database only.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HOST = "127.0.0.1"
CHROMIUM = Path(os.environ.get("AIREG_E2E_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
INSTALL_HINT = "run `bash scripts/ensure-browser.sh` (`make test` does)"
# Debian's Chromium on these machines: no sandbox as root, no GPU, and no background connections to
# Google's hosts (the closed network refuses them). Playwright adds a fresh --user-data-dir per launch.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SESSION_COOKIE = "airegistry_session"
LANG_COOKIE = "airegistry_lang"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


# --- the root conftest's in-process database is not used here --------------------------------------


@pytest.fixture(scope="session")
def migrated_database() -> None:
    """No-op: overrides the root conftest's async autouse fixture (see the module docstring)."""


@pytest.fixture
def empty_database() -> None:
    """No-op: overrides the root conftest's async autouse fixture (see the module docstring)."""


# --- requirements -----------------------------------------------------------------------------------


def require_browser_tools() -> None:
    problems = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        problems.append(f"Chromium is missing at {CHROMIUM} (Debian package `chromium`)")
    if not AXE_JS.is_file():
        problems.append(f"axe-core is missing at {AXE_JS.relative_to(ROOT)} (npm package `axe-core`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append('the Python package `playwright` is missing (pip install -e ".[test]")')
    if problems:
        pytest.fail("; ".join(problems) + f": {INSTALL_HINT}", pytrace=False)


# --- the server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def airegistry_command() -> list[str]:
    script = Path(sys.executable).parent / "airegistry"
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Organization:
    id: str
    name: str
    systems: list[dict[str, Any]]
    units: list[dict[str, Any]]

    def system(self, name_part: str) -> dict[str, Any]:
        for system in self.systems:
            if name_part.lower() in system["name"].lower():
                return system
        raise LookupError(f"no system named like {name_part!r} in {self.name}")


@dataclass
class Server:
    base_url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path
    demo_output: str
    organizations: dict[str, Organization] = field(default_factory=dict)

    def cli(self, *args: str) -> str:
        """`airegistry ARGS` against this server's data dir; its stdout (fails the test on errors)."""
        done = subprocess.run(
            [*airegistry_command(), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(
                f"airegistry {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )
        return done.stdout

    def bearer(self, role: str, org: str | None = None, units: list[str] | None = None) -> str:
        args = ["token", "issue", "--role", role, "--sub", f"e2e-api-{role}"]
        if org:
            args += ["--org", org]
        for unit in units or []:
            args += ["--units", unit]
        return self.cli(*args).strip().splitlines()[-1]

    def api(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return httpx.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def org(self, name_part: str) -> Organization:
        for org in self.organizations.values():
            if name_part.lower() in org.name.lower():
                return org
        raise LookupError(f"no demo organization named like {name_part!r}")


def scratch_env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIREG_")}
    env |= {
        "AIREG_DATA_DIR": str(data_dir),
        "AIREG_PUBLIC_URL": f"http://{HOST}:{port}",
        "AIREG_HOST": HOST,
        "AIREG_PORT": str(port),
        "AIREG_WEBHOOKS_RELAY": "false",
        "PYTHONUNBUFFERED": "1",
    }
    return env


def wait_ready(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"airegistry serve exited with {server.process.returncode}:\n{server.log_tail()}",
                pytrace=False,
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.base_url}/api/v1/ready", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    pytest.fail(f"airegistry serve was not ready within {timeout:.0f} s:\n{server.log_tail()}", pytrace=False)


def load_demo(server: Server) -> None:
    """The demo organizations with their systems and units, read through the JSON API."""
    platform = server.bearer("platform_admin")
    response = server.api("GET", "/api/v1/organizations", platform)
    response.raise_for_status()
    for org in response.json():
        admin = server.bearer("employer_admin", org["id"])
        systems = server.api("GET", f"/api/v1/organizations/{org['id']}/systems?limit=100", admin)
        units = server.api("GET", f"/api/v1/organizations/{org['id']}/units", admin)
        systems.raise_for_status()
        units.raise_for_status()
        server.organizations[org["id"]] = Organization(
            id=org["id"], name=org["name"], systems=systems.json()["items"], units=units.json()
        )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`airegistry migrate`, `airegistry demo`, then `airegistry serve` on a free port until the end."""
    data_dir = Path(tempfile.mkdtemp(prefix="airegistry-e2e-"))
    port = free_port()
    env = scratch_env(data_dir, port)
    log_path = tmp_path_factory.mktemp("e2e-server") / "serve.log"
    runner = Server(f"http://{HOST}:{port}", data_dir, env, None, log_path, "")  # type: ignore[arg-type]
    runner.cli("migrate")
    runner.demo_output = runner.cli("demo")
    with log_path.open("wb") as log:
        runner.process = subprocess.Popen(
            [*airegistry_command(), "serve", "--host", HOST, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 (prctl only)
        )
    try:
        wait_ready(runner)
        load_demo(runner)
        yield runner
    finally:
        runner.process.terminate()
        try:
            runner.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            runner.process.kill()
            runner.process.wait(timeout=5)
        shutil.rmtree(data_dir, ignore_errors=True)


LoginLink = Callable[..., str]


@pytest.fixture(scope="session")
def login_link(server: Server) -> LoginLink:
    """A fresh one-time login link from `airegistry token issue --link`."""
    counter = iter(range(1, 1_000_000))

    def make(
        role: str, org: str | None = None, *, units: list[str] | None = None, sub: str = "", name: str = ""
    ) -> str:
        args = ["token", "issue", "--role", role, "--link", "--sub", sub or f"e2e-{role}-{next(counter)}"]
        if name:
            args += ["--name", name]
        if org:
            args += ["--org", org]
        for unit in units or []:
            args += ["--units", unit]
        output = server.cli(*args)
        links = re.findall(rf"{re.escape(server.base_url)}/login/\S+", output)
        assert links, (
            f"`airegistry {' '.join(args)}` printed no {server.base_url}/login/<token> link:\n{output}"
        )
        return links[-1]

    return make


# --- the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser_tools()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Callable[..., Any]]:
    """Isolated browser contexts (own cookies), as a Danish user's browser; closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        settings = {
            "locale": "da-DK",
            "timezone_id": "Europe/Copenhagen",
            "viewport": {"width": 1280, "height": 900},
            "accept_downloads": True,
        } | options
        context = browser.new_context(**settings)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()


@pytest.fixture
def log_in(new_context: Callable[..., Any], login_link: LoginLink) -> Callable[..., Any]:
    """A page logged in through a one-time link (form#login, button "Log ind"), now on /register."""

    def make(
        role: str, org: str | None = None, *, units: list[str] | None = None, sub: str = "", name: str = ""
    ) -> Any:
        page = new_context().new_page()
        submit_login(page, login_link(role, org, units=units, sub=sub, name=name))
        return page

    return make


def submit_login(page: Any, link: str) -> None:
    response = page.goto(link)
    assert response is not None
    assert response.status == 200, f"GET {link} answered {response.status}"
    form = page.locator("form#login")
    assert form.count() == 1, "the login page has no form#login"
    danish = page.evaluate("() => document.documentElement.lang") == "da"
    button = form.get_by_role("button", name="Log ind") if danish else form.locator("button[type=submit]")
    assert button.count() == 1, "form#login has no submit button" + (' named "Log ind"' if danish else "")
    with page.expect_navigation():
        button.click()
    assert re.search(r"/register(\?|$)", page.url), f"after logging in the browser is on {page.url}"


# --- the report -------------------------------------------------------------------------------------


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.e2e.axe_check import RESULTS

    if not RESULTS:
        return
    terminalreporter.section("axe-core accessibility check (serious+critical / moderate+minor)")
    for label, violations in RESULTS:
        severe = [v for v in violations if v["impact"] in ("serious", "critical")]
        other = [v for v in violations if v not in severe]
        detail = ", ".join(f"{v['id']} ({v['impact']}, {v['nodes']})" for v in violations) or "none"
        terminalreporter.write_line(f"{label}: {len(severe)} / {len(other)}: {detail}")
    report = os.environ.get("AIREG_E2E_AXE_REPORT")
    if report:
        Path(report).write_text(json.dumps(RESULTS, indent=2, ensure_ascii=False))
