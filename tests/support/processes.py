"""Real `airegistry` processes for tests: `serve` on free loopback ports, `worker`, and the CLI, all
sharing one data dir (so one set of keys) and one database, each logging to a file of its own.

    with ProcessGroup(work_dir, env) as group:
        api = group.serve("api-1")          # returns once GET /api/v1/health answers 200
        worker = group.worker("worker-1")
        group.cli("token", "issue", "--role", "platform_admin")
        ...
        print(group.report())               # the tail of every process's log

Every process started here is stopped when the group exits (SIGTERM, then SIGKILL), and dies with the
test process if that dies first (`setpriv --pdeathsig`), so no server outlives its test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

from api.auth import TokenIssuer
from api.settings import ApiSettings
from registry.accesslog.signing import CheckpointSigner
from webhooks.runtime import WebhookRuntime
from webhooks.settings import WebhookSettings

HOST = "127.0.0.1"
API = "/api/v1"
REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_SECONDS = 90.0  # two shared cores, several processes importing the app at once
CLI_TIMEOUT_SECONDS = 120.0


def airegistry() -> list[str]:
    """The console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "airegistry"
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def run_cli(cwd: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The console script, run as a user runs it: from `cwd`, with exactly `env`, output captured."""
    return subprocess.run(
        [*airegistry(), *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def scratch_env(data_dir: Path, settings: Mapping[str, object]) -> dict[str, str]:
    """This environment without any AIREG_ variable (the test session sets its own), plus the data
    dir and `settings` ({"WEBHOOKS_RELAY": False} becomes AIREG_WEBHOOKS_RELAY=false)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIREG_")}
    env["AIREG_DATA_DIR"] = str(data_dir)
    return env | settings_env(settings)


def prepare_data_dir(data_dir: Path) -> TokenIssuer:
    """Create the keys every process of a test shares before any of them starts (each would otherwise
    generate them on first use, several at the same moment), and return an issuer of tokens signed
    with the embedded key (what `airegistry token issue` does, without starting a process)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    CheckpointSigner.from_data_dir(data_dir)
    WebhookRuntime.from_settings(WebhookSettings(data_dir=data_dir))
    return TokenIssuer.from_settings(ApiSettings(data_dir=data_dir))


def settings_env(settings: Mapping[str, object]) -> dict[str, str]:
    return {
        f"AIREG_{name.upper()}": str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in settings.items()
    }


def _dying_with_parent(command: list[str]) -> list[str]:
    """The command, set to get SIGKILL when the test process dies (util-linux `setpriv`; exec only, so
    no Python code runs in the forked child while the receiver's threads hold locks)."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--", *command] if setpriv else command


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        assert self.port is not None, f"{self.name} listens on no port"
        return f"http://{HOST}:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no cleanup, no shutdown hooks, exactly like a crash."""
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


class ProcessGroup:
    def __init__(self, work_dir: Path, env: dict[str, str]) -> None:
        self.work_dir = work_dir
        self.env = env
        self.services: list[Service] = []

    def __enter__(self) -> ProcessGroup:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop_all()

    # -- starting -------------------------------------------------------------------------------------

    def spawn(
        self,
        name: str,
        args: list[str],
        *,
        port: int | None = None,
        settings: Mapping[str, object] | None = None,
    ) -> Service:
        """`airegistry ARGS` in the background, with extra `settings`, its output in work_dir/NAME.log."""
        env = self.env | settings_env(settings or {})
        log_path = self.work_dir / f"{name}.log"
        with log_path.open("ab") as out:
            process = subprocess.Popen(
                _dying_with_parent([*airegistry(), *args]),
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        service = Service(name, process, log_path, port)
        self.services.append(service)
        return service

    def start_serve(self, name: str, **settings: object) -> Service:
        """`airegistry serve` on a free port; does not wait (see wait_healthy)."""
        taken = {service.port for service in self.services}
        while (port := free_port()) in taken:  # two probes in a row may be handed the same port
            pass
        return self.spawn(name, ["serve", "--host", HOST, "--port", str(port)], port=port, settings=settings)

    def serve(self, name: str, **settings: object) -> Service:
        service = self.start_serve(name, **settings)
        self.wait_healthy(service)
        return service

    def worker(self, name: str, **settings: object) -> Service:
        return self.spawn(name, ["worker"], settings=settings)

    def wait_healthy(self, *services: Service, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Until GET /api/v1/health answers 200 on each; a service that exits or stays silent fails."""
        deadline = time.monotonic() + timeout
        waiting = list(services)
        while waiting:
            service = waiting[0]
            if not service.alive:
                raise AssertionError(
                    f"{service.name} exited with {service.process.returncode}:\n{service.tail()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{service.base_url}{API}/health", timeout=2).status_code == 200:
                    waiting.pop(0)
                    continue
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{service.name} did not answer within {timeout:.0f} s:\n{service.tail()}"
                )
            time.sleep(0.1)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """`airegistry ARGS` to completion in the group's environment."""
        done = subprocess.run(
            [*airegistry(), *args],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_SECONDS,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"airegistry {' '.join(args)} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
            )
        return done

    # -- stopping and reporting -----------------------------------------------------------------------

    def stop_all(self) -> None:
        for service in self.services:
            if service.alive:
                service.process.terminate()
        deadline = time.monotonic() + 15
        for service in self.services:
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                service.kill()

    def report(self, lines: int = 40) -> str:
        parts = []
        for service in self.services:
            state = "running" if service.alive else f"exited {service.process.returncode}"
            parts.append(f"--- {service.name} (pid {service.pid}, {state}) ---\n{service.tail(lines)}")
        return "\n".join(parts)

    @contextlib.contextmanager
    def logs_on_failure(self) -> Iterator[None]:
        """Print every process's log tail when the block fails (pytest shows it with the failure)."""
        try:
            yield
        except BaseException:
            print(self.report())
            raise
