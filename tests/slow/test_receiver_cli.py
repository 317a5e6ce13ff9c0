"""The webhook test receiver as a separate process (the mode the benchmarks and the fault-injection
test use): signature checks with a reloaded secret file, records, refusals and kills, at random or by
construction."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.unit.test_receiver_support import SECRET_A, SECRET_B, signed_headers

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as c:
        yield c


def start_cli(*args: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.receiver", "--port", "0", *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 15)
    if not ready:
        proc.kill()
        pytest.fail("receiver process did not print its port")
    return proc, int(proc.stdout.readline())


def stop_cli(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    if proc.stdout is not None:
        proc.stdout.close()


def read_records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_cli_verifies_with_a_reloaded_secret_file_and_records(tmp_path: Path, client: httpx.Client) -> None:
    secrets = tmp_path / "secrets.txt"
    secrets.write_text(SECRET_A + "\n", encoding="utf-8")
    record = tmp_path / "record.jsonl"
    proc, port = start_cli("--secret-file", str(secrets), "--record", str(record))
    try:
        url = f"http://127.0.0.1:{port}/any/path"
        body = '{"event": "ændret"}'.encode()
        assert client.post(url, content=body, headers=signed_headers(SECRET_A, body, "m1")).status_code == 204
        assert client.post(url, content=body, headers=signed_headers(SECRET_B, body, "m2")).status_code == 204
        # A subscription added while the receiver runs: its secret is picked up on the next POST.
        secrets.write_text(f"{SECRET_A}\n{SECRET_B}\n", encoding="utf-8")
        assert client.post(url, content=body, headers=signed_headers(SECRET_B, body, "m3")).status_code == 204
    finally:
        stop_cli(proc)

    records = read_records(record)
    assert [(r["webhook_id"], r["verified"], r["status_replied"]) for r in records] == [
        ("m1", True, 204),
        ("m2", False, 204),
        ("m3", True, 204),
    ]
    assert records[0]["path"] == "/any/path"
    assert records[0]["body"] == '{"event": "ændret"}'
    assert isinstance(records[0]["received_at"], float)
    assert str(records[0]["webhook_timestamp"]).isdigit()


def test_cli_fail_rate_one_always_replies_500(tmp_path: Path, client: httpx.Client) -> None:
    record = tmp_path / "record.jsonl"
    proc, port = start_cli("--fail-rate", "1", "--record", str(record))
    try:
        replies = [client.post(f"http://127.0.0.1:{port}/hook", content=b"{}") for _ in range(3)]
    finally:
        stop_cli(proc)
    assert [r.status_code for r in replies] == [500, 500, 500]
    assert [(r["status_replied"], r["verified"]) for r in read_records(record)] == [(500, None)] * 3


def test_cli_kill_option_kills_the_process_named_in_the_pid_file(
    tmp_path: Path, client: httpx.Client
) -> None:
    victim = subprocess.Popen(["sleep", "30"])
    pid_file = tmp_path / "relay.pid"
    pid_file.write_text(f"{victim.pid}\n", encoding="utf-8")
    proc, port = start_cli("--kill-pid-file", str(pid_file), "--kill-rate", "1")
    try:
        assert client.post(f"http://127.0.0.1:{port}/hook", content=b"{}").status_code == 204
        assert victim.wait(timeout=5) == -signal.SIGKILL
        # The victim is gone now (and its PID file may be too): further replies go on untroubled.
        assert client.post(f"http://127.0.0.1:{port}/hook", content=b"{}").status_code == 204
        pid_file.unlink()
        assert client.post(f"http://127.0.0.1:{port}/hook", content=b"{}").status_code == 204
    finally:
        if victim.poll() is None:
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
        stop_cli(proc)


def test_cli_fail_every_refuses_exactly_every_nth_post(tmp_path: Path, client: httpx.Client) -> None:
    proc, port = start_cli("--fail-every", "3")
    try:
        replies = [client.post(f"http://127.0.0.1:{port}/hook", content=b"{}").status_code for _ in range(7)]
    finally:
        stop_cli(proc)
    assert replies == [204, 204, 500, 204, 204, 500, 204]


def test_cli_kills_after_the_numbered_2xx_replies_and_waits_when_no_relay_runs(
    tmp_path: Path, client: httpx.Client
) -> None:
    pid_file, kills = tmp_path / "relay.pid", tmp_path / "receiver.kills"
    victims = [subprocess.Popen(["sleep", "30"]) for _ in range(2)]
    proc, port = start_cli(
        "--kill-pid-file", str(pid_file), "--kill-after-2xx", "2,3", "--kills-file", str(kills)
    )
    url = f"http://127.0.0.1:{port}/hook"
    try:
        pid_file.write_text(f"{victims[0].pid}\n", encoding="utf-8")
        assert client.post(url, content=b"{}").status_code == 204
        assert victims[0].poll() is None  # the first 2xx kills nothing
        assert client.post(url, content=b"{}").status_code == 204
        assert victims[0].wait(timeout=5) == -signal.SIGKILL  # the second does
        pid_file.unlink()
        assert client.post(url, content=b"{}").status_code == 204  # the third is due, but none runs
        pid_file.write_text(f"{victims[1].pid}\n", encoding="utf-8")
        assert client.post(url, content=b"{}").status_code == 204  # so the fourth kills
        assert victims[1].wait(timeout=5) == -signal.SIGKILL
        assert client.post(url, content=b"{}").status_code == 204  # and nothing more is due
    finally:
        for victim in victims:
            if victim.poll() is None:
                os.kill(victim.pid, signal.SIGKILL)
                victim.wait()
        stop_cli(proc)
    assert kills.read_text().split() == [str(victims[0].pid), str(victims[1].pid)]
