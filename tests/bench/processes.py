"""The processes a benchmark starts (servers, workers, receivers, load generators): free ports on
127.0.0.1, `airegistry` commands, output into log files, CPU time from /proc, readiness, and stopping
with SIGTERM, then SIGKILL. Every child gets SIGTERM when the thread that started it dies."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench.machine import pinned

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def die_with_parent() -> None:
    """In the child before exec: SIGTERM when the thread that started it dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def exit_on_signals() -> None:
    """SIGTERM and SIGHUP raise SystemExit(128 + signal) in the main thread, which unwinds through the
    `finally` blocks that stop the processes (as Ctrl-C does with KeyboardInterrupt)."""

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


def airegistry() -> list[str]:
    """The `airegistry` console script of this interpreter's environment (or `python -m api.cli`)."""
    script = Path(sys.executable).parent / "airegistry"
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def cli(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """`airegistry ARGS` in the environment `env`; its stdout (raises with its output on failure)."""
    command = [*airegistry(), *args]
    done = subprocess.run(
        command, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"airegistry {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def start(
    command: list[str],
    env: dict[str, str],
    log_path: Path,
    *,
    append: bool = False,
    stdout_pipe: bool = False,
) -> subprocess.Popen[bytes]:
    """`command` in the repository root, stdin closed, stderr (and stdout, unless `stdout_pipe`) into
    `log_path` (truncated first, or appended to)."""
    with log_path.open("ab" if append else "wb") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE if stdout_pipe else out,
            stderr=out,
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - set before any thread exists in the child
        )


def stop_process(process: subprocess.Popen[bytes], timeout: float, kill_timeout: float | None = 5.0) -> None:
    """SIGTERM; SIGKILL when it has not exited within `timeout` s, then wait up to `kill_timeout` s
    (None: as long as it takes)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=kill_timeout)


def log_tail(log_path: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    return ""


@dataclass
class Proc:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    port: int = 0  # where it listens on HOST, for servers and receivers

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def tail(self, lines: int = 30) -> str:
        return log_tail(self.log_path, lines)

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_ready(
        self, path: str, *, what: str | None = None, timeout: float = 60.0, interval: float = 0.1
    ) -> None:
        """Poll GET base_url + `path` until it answers 200; raises (naming it `what`, by default its
        name, with its log's tail) when the process exits or `timeout` s pass."""
        import httpx

        what = what or self.name
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{what} exited with {self.process.returncode}:\n{self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base_url + path, timeout=2).status_code == 200:
                    return
            time.sleep(interval)
        raise RuntimeError(f"{what} did not answer within {timeout:.0f} s:\n{self.tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        stop_process(self.process, timeout)
        if self.process.stdout is not None:
            self.process.stdout.close()


def spawn(
    name: str,
    command: list[str],
    env: dict[str, str],
    log_path: Path,
    *,
    cpus: str | None = None,
    stdout_pipe: bool = False,
) -> Proc:
    """`command` (pinned to `cpus`) with its output appended to `log_path`."""
    process = start(pinned(cpus, command), env, log_path, append=True, stdout_pipe=stdout_pipe)
    return Proc(name, process, log_path)
