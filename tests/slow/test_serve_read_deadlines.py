"""`airegistry serve` closes connections whose request headers or body do not arrive in time (issue 19:
1,500 such connections were held open for good), and keeps serving everyone else."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from registry import Role
from tests.support.processes import API, HOST, ProcessGroup, prepare_data_dir, scratch_env

WAIT_FOR_CLOSE = 30.0  # far above the 1 s deadlines below: the test waits for a close, it times nothing


def _closed_by_server(sock: socket.socket) -> bytes:
    """What the server sends before it closes the connection (b'' for nothing); fails if it never does."""
    sock.settimeout(WAIT_FOR_CLOSE)
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


def _one_response(sock: socket.socket) -> bytes:
    """One whole response (headers and the Content-Length body), however the server's writes split."""
    sock.settimeout(WAIT_FOR_CLOSE)
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(4096)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        )
    )
    while len(body) < length:
        body += sock.recv(4096)
    return head + b"\r\n\r\n" + body


def test_slow_headers_and_bodies_are_cut_off_and_others_are_served(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    admin = prepare_data_dir(data_dir).issue(role=Role.platform_admin, sub="admin")
    env = scratch_env(
        data_dir,
        {"WEBHOOKS_RELAY": False, "REQUEST_HEADER_TIMEOUT_SECONDS": 1, "REQUEST_BODY_TIMEOUT_SECONDS": 1},
    )
    with ProcessGroup(tmp_path, env) as group, group.logs_on_failure():
        group.cli("migrate")
        api = group.serve("api")
        assert api.port is not None
        silent = socket.create_connection((HOST, api.port))
        partial_headers = socket.create_connection((HOST, api.port))
        partial_headers.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        partial_body = socket.create_connection((HOST, api.port))
        partial_body.sendall(
            b"POST /api/v1/organizations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {admin}\r\n".encode()
            + b'Content-Length: 1000\r\n\r\n{"name": '
        )
        # After a whole request and its answer, a bare line break begins no request; it does not hold
        # the connection open either.
        blank = socket.create_connection((HOST, api.port))
        blank.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _one_response(blank).startswith(b"HTTP/1.1 200")
        blank.sendall(b"\r\n")
        # Meanwhile, and after, everyone else is answered.
        assert httpx.get(f"{api.base_url}{API}/health", timeout=10).status_code == 200
        for sock in (silent, partial_headers, partial_body, blank):
            with sock:
                assert _closed_by_server(sock) == b""
        assert httpx.get(f"{api.base_url}{API}/health", timeout=10).status_code == 200
        # A keep-alive client that sends its requests whole is not affected by the deadlines.
        with httpx.Client(base_url=api.base_url, timeout=10) as client:
            for _ in range(3):
                assert client.get(f"{API}/health").status_code == 200
                time.sleep(0.5)
        log = api.log_path.read_text()
        assert "its request headers did not arrive in time" in log
        assert "its request body did not arrive in time" in log
