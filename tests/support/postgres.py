"""A throwaway PostgreSQL server for tests: its own cluster in a temp dir, on loopback, gone on exit.

Debian's `postgresql` package provides the binaries (scripts/ensure-postgres.sh installs it for
`make test`). PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import pytest

BIN_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_USER = "postgres"
START_ATTEMPTS = 3
READY_TIMEOUT_SECONDS = 30.0
# Tests need no durability: nothing survives the run.
TEST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_bin_dir() -> Path | None:
    """The newest installed major version's bin dir, or None."""
    candidates = [
        p for p in Path("/").glob(BIN_GLOB.lstrip("/")) if (p / "initdb").exists() and (p / "pg_ctl").exists()
    ]

    def major(path: Path) -> tuple[int, str]:
        name = path.parent.name
        return (int(name), name) if name.isdigit() else (-1, name)

    return max(candidates, key=major) if candidates else None


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayPostgres:
    """`with ThrowawayPostgres() as pg: pg.url` — a fresh server and database; stopped and deleted on exit.

    Skips the test when PostgreSQL is not installed, except in CI (env CI set), where it fails instead:
    there the binaries must be present, so a silent skip would hide the PostgreSQL tests.
    """

    def __init__(
        self,
        database: str = "airegistry",
        *,
        root: Path | None = None,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        """`root`: keep the cluster in this directory (created when missing, reused when it already holds
        one) and leave it there, stopped, on exit, instead of a temp dir that is deleted (benchmarks
        that keep their seeded data). `settings`: server settings (`-c name=value`) to use instead of
        TEST_SETTINGS."""
        self.database = database
        self.keep_root = root
        self.settings = dict(TEST_SETTINGS if settings is None else settings)
        self.port = 0
        self.bin_dir: Path | None = None
        self.root: Path | None = None
        self._started = False
        self._as_server_user = os.geteuid() == 0

    # -- public surface ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.url_for(self.database)

    def url_for(self, database: str) -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create another (empty) database on this server; return its URL."""
        self._run([self._bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SERVER_USER, name])
        return self.url_for(name)

    def __enter__(self) -> ThrowawayPostgres:
        self.bin_dir = find_bin_dir()
        if self.bin_dir is None:
            message = f"PostgreSQL is not installed (no {BIN_GLOB}/initdb); run scripts/ensure-postgres.sh"
            if _in_ci():
                pytest.fail(f"{message} (CI is set, so this is an error, not a skip)", pytrace=False)
            pytest.skip(message)
        try:
            self._start()
        except BaseException:
            self._cleanup()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._cleanup()

    def start(self) -> ThrowawayPostgres:
        """Start outside a test (a test process's own server); RuntimeError when PostgreSQL is missing.
        Pair with `stop()`."""
        self.bin_dir = find_bin_dir()
        if self.bin_dir is None:
            raise RuntimeError(f"PostgreSQL is not installed (no {BIN_GLOB}/initdb)")
        try:
            self._start()
        except BaseException:
            self._cleanup()
            raise
        return self

    def stop(self) -> None:
        self._cleanup()

    # -- internals --------------------------------------------------------------------------------------

    def _bin(self, name: str) -> str:
        assert self.bin_dir is not None
        return str(self.bin_dir / name)

    def _run(self, argv: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = list(argv)
        if self._as_server_user:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        # The server user may not be able to read the caller's working directory; the temp dir it owns.
        result = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, check=False, timeout=120
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}"
                f"{self._log_tail()}"
            )
        return result

    def _log_tail(self) -> str:
        log = self.root / "server.log" if self.root else None
        if log is None or not log.exists():
            return ""
        return "\nserver log (tail):\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:])

    def _start(self) -> None:
        if self.keep_root is not None:
            self.keep_root.mkdir(parents=True, exist_ok=True)
            self.root = self.keep_root
        else:
            self.root = Path(tempfile.mkdtemp(prefix="airegistry-pg-"))
        if self._as_server_user:
            try:
                account = pwd.getpwnam(SERVER_USER)
            except KeyError as exc:
                raise RuntimeError(
                    f"running as root but there is no {SERVER_USER!r} user to run PostgreSQL"
                ) from exc
            os.chown(self.root, account.pw_uid, account.pw_gid)
        data = self.root / "data"
        reused = (data / "PG_VERSION").exists()
        if not reused:
            self._run(
                [
                    self._bin("initdb"),
                    "-D",
                    str(data),
                    "-A",
                    "trust",
                    "-U",
                    SERVER_USER,
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--no-instructions",
                ]
            )
        last_error: Exception | None = None
        for _ in range(START_ATTEMPTS):  # another process may grab the port between probe and bind
            self.port = _free_loopback_port()
            options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1" + "".join(
                f" -c {name}={value}" for name, value in self.settings.items()
            )
            try:
                self._run(
                    [
                        self._bin("pg_ctl"),
                        "-D",
                        str(data),
                        "-l",
                        str(self.root / "server.log"),
                        "-o",
                        options,
                        "-w",
                        "-t",
                        str(int(READY_TIMEOUT_SECONDS)),
                        "start",
                    ]
                )
            except RuntimeError as exc:
                last_error = exc
                # A timed-out start may leave a server behind; never leak one.
                self._run([self._bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], check=False)
                continue
            self._started = True
            break
        if not self._started:
            raise RuntimeError(f"could not start PostgreSQL after {START_ATTEMPTS} attempts") from last_error
        self._wait_ready()
        if not reused:
            self.create_database(self.database)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            probe = self._run(
                [
                    self._bin("pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    SERVER_USER,
                    "-d",
                    "postgres",
                    "-q",
                ],
                check=False,
            )
            if probe.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"PostgreSQL on port {self.port} not ready after {READY_TIMEOUT_SECONDS}s"
                    f"{self._log_tail()}"
                )
            time.sleep(0.1)

    def _cleanup(self) -> None:
        try:
            if self._started and self.root is not None:
                self._started = False
                # A kept cluster shuts down cleanly (a checkpoint), so the next start replays no WAL.
                mode = "immediate" if self.keep_root is None else "fast"
                self._run(
                    [self._bin("pg_ctl"), "-D", str(self.root / "data"), "-m", mode, "-w", "stop"],
                    check=False,
                )
        finally:
            if self.root is not None:
                if self.keep_root is None:
                    shutil.rmtree(self.root, ignore_errors=True)
                self.root = None
