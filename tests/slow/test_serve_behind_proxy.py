"""`airegistry serve` behind a TLS-terminating reverse proxy: the access log records the client's address
from X-Forwarded-For when, and only when, the peer is a proxy named in AIREG_FORWARDED_ALLOW_IPS.

Real server processes on free loopback ports over one scratch data dir (SQLite); the entries are read
back through the auditor's export. Here the test itself is the "proxy" (it connects from 127.0.0.1).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from api.auth import TokenIssuer
from api.settings import ApiSettings
from registry import Role
from registry.accesslog.signing import CheckpointSigner
from registry.db.engine import SQLITE_PREFIX
from registry.db.settings import DatabaseSettings

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
API = "/api/v1"
CLIENT = "203.0.113.7"  # TEST-NET-3: the client as the proxy saw it
TRUSTED = "trusted"
UNTRUSTED = "untrusted"
PROXY_SETTING = {TRUSTED: "127.0.0.1", UNTRUSTED: ""}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _airegistry() -> list[str]:
    script = Path(sys.executable).parent / "airegistry"
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _env(data_dir: Path, **settings: str) -> dict[str, str]:
    # Nothing from the test session's own settings (its data dir, a PostgreSQL URL) leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIREG_") and k != "FORWARDED_ALLOW_IPS"}
    return env | {
        "AIREG_DATA_DIR": str(data_dir),
        "AIREG_WEBHOOKS_RELAY": "false",
        "PYTHONUNBUFFERED": "1",
        **{f"AIREG_{name.upper()}": value for name, value in settings.items()},
    }


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, migrated_database: None) -> Path:
    """A scratch data dir with a migrated SQLite database of its own."""
    path = tmp_path_factory.mktemp("behind-proxy")
    session_database = DatabaseSettings().resolved_database_url()
    if session_database.startswith(SQLITE_PREFIX):
        # The session's database is migrated already: copying it saves an `airegistry migrate`, the
        # slowest step of this module on a busy machine.
        source = sqlite3.connect(session_database.removeprefix(SQLITE_PREFIX))
        copy = sqlite3.connect(path / "registry.db")
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return path
    done = subprocess.run(
        [*_airegistry(), "migrate"], cwd=ROOT, env=_env(path), capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return path


@pytest.fixture(scope="module")
def auditor(data_dir: Path) -> dict[str, str]:
    # Signed with the key the servers read from the same data dir (created here on first use). The
    # access log's key is created here too: two servers starting at once would both try to.
    CheckpointSigner.from_data_dir(data_dir)
    token = TokenIssuer.from_settings(ApiSettings(data_dir=data_dir)).issue(role=Role.auditor, sub="auditor")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def servers(data_dir: Path, auditor: dict[str, str]) -> Iterator[dict[str, str]]:
    """One `airegistry serve` trusting 127.0.0.1 as a proxy and one trusting none, started together."""
    urls: dict[str, str] = {}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs = {name: data_dir / f"serve-{name}.log" for name in PROXY_SETTING}
    try:
        for name, trusted in PROXY_SETTING.items():
            port = _free_port()
            urls[name] = f"http://{HOST}:{port}"
            with logs[name].open("wb") as log:
                processes[name] = subprocess.Popen(
                    [*_airegistry(), "serve", "--host", HOST, "--port", str(port)],
                    cwd=ROOT,
                    env=_env(data_dir, forwarded_allow_ips=trusted),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent,  # noqa: PLW1509 (prctl only)
                )
        deadline = time.monotonic() + 60
        waiting = set(PROXY_SETTING)
        while waiting:
            for name in sorted(waiting):
                if processes[name].poll() is not None:
                    pytest.fail(f"airegistry serve ({name}) exited:\n{logs[name].read_text()}", pytrace=False)
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{urls[name]}{API}/ready", timeout=2).status_code == 200:
                        waiting.discard(name)
            if waiting and time.monotonic() > deadline:
                pytest.fail(f"airegistry serve not ready: {sorted(waiting)}", pytrace=False)
            time.sleep(0.1)
        yield urls
    finally:
        for process in processes.values():
            _stop(process)


def _source_ip_of(base_url: str, auditor: dict[str, str], request_id: str) -> str | None:
    """The `source_ip` of the entry with this request id, from the auditor's export."""
    now = datetime.now(UTC)
    window = {
        "from": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "to": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    export = httpx.get(f"{base_url}{API}/access-log", params=window, headers=auditor, timeout=30)
    assert export.status_code == 200, export.text
    records = [json.loads(line) for line in export.text.splitlines() if line]
    found = [r for r in records if r["kind"] == "entry" and r["request_id"] == request_id]
    assert len(found) == 1, f"expected one entry for {request_id}, found {len(found)}"
    return found[0]["source_ip"]


def _request_through_proxy(base_url: str, auditor: dict[str, str], forwarded_for: str) -> str:
    """A recorded request as a proxy sends it; its request id."""
    request_id = f"proxy-{uuid.uuid4().hex}"
    response = httpx.get(
        f"{base_url}{API}/access-log/public-key",
        headers={
            **auditor,
            "X-Forwarded-For": forwarded_for,
            "X-Forwarded-Proto": "https",
            "X-Request-ID": request_id,
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == request_id
    return request_id


def test_the_client_address_from_a_trusted_proxy_is_recorded(
    servers: dict[str, str], auditor: dict[str, str]
) -> None:
    request_id = _request_through_proxy(servers[TRUSTED], auditor, CLIENT)
    assert _source_ip_of(servers[TRUSTED], auditor, request_id) == CLIENT


def test_an_address_the_client_put_in_front_is_not_believed(
    servers: dict[str, str], auditor: dict[str, str]
) -> None:
    # nginx's $proxy_add_x_forwarded_for appends the peer it saw to whatever the client sent: the
    # address nearest the trusted proxy counts, not the one the client made up.
    request_id = _request_through_proxy(servers[TRUSTED], auditor, f"198.51.100.9, {CLIENT}")
    assert _source_ip_of(servers[TRUSTED], auditor, request_id) == CLIENT


def test_without_trusted_proxies_the_direct_peer_is_recorded(
    servers: dict[str, str], auditor: dict[str, str]
) -> None:
    # uvicorn alone would believe X-Forwarded-For from 127.0.0.1; the empty setting must not.
    request_id = _request_through_proxy(servers[UNTRUSTED], auditor, CLIENT)
    assert _source_ip_of(servers[UNTRUSTED], auditor, request_id) == HOST


@pytest.mark.parametrize("value", ["nginx", "10.0.0.1/8", "127.0.0.1,*", "300.1.2.3"])
def test_a_proxy_list_uvicorn_would_silently_misread_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="forwarded_allow_ips"):
        ApiSettings(forwarded_allow_ips=value)


def test_proxy_lists_are_read_as_uvicorn_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIREG_FORWARDED_ALLOW_IPS", raising=False)
    assert ApiSettings().forwarded_allow_ips == ""
    assert ApiSettings(forwarded_allow_ips=" 10.0.0.0/8 , ::1 ,").forwarded_allow_ips == "10.0.0.0/8,::1"
    assert ApiSettings(forwarded_allow_ips="*").forwarded_allow_ips == "*"
