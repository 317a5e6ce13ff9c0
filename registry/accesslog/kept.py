"""The last checkpoint the server signed, kept beside the signing key, outside the database.

Whoever can write the database cannot change this file (it lives in the data dir with the key). Before
the server signs again it checks that the database still holds this checkpoint and that the entries
since extend its head; `verify --database` checks the same. So a log cut back, or restored from an
older backup, is found without any witness.

The file is replaced whole (a temporary file, fsync, rename) and only ever moves forward: a process
that signed an older checkpoint never writes over a newer one. Signers on one host take turns through
a lock file beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from secrets import token_hex
from typing import Any

KEPT_FILE = "access-log-checkpoint.json"
LOCK_FILE = ".access-log-checkpoint.lock"


_SHAPE = {
    "kind": str,
    "number": int,
    "last_seq": int,
    "last_hash": str,
    "entries": int,
    "at": str,
    "key_id": str,
    "prev": str,
    "signature": str,
}
# One lock per kept file and event loop: a process's signers queue here, not on threads waiting for
# the file lock.
_process_locks: dict[tuple[Path, int], asyncio.Lock] = {}


class KeptCheckpointUnreadable(Exception):
    """The kept checkpoint exists but is not one: refuse to sign rather than start a new chain."""


@dataclass(frozen=True)
class KeptCheckpoint:
    path: Path

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> KeptCheckpoint:
        return cls(data_dir / KEPT_FILE)

    def read(self) -> dict[str, Any] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise KeptCheckpointUnreadable(f"{self.path} cannot be read: {exc.strerror or exc}") from exc
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise KeptCheckpointUnreadable(f"{self.path} is not JSON") from exc
        if not isinstance(record, dict) or not all(
            isinstance(record.get(name), kind) and not isinstance(record.get(name), bool)
            for name, kind in _SHAPE.items()
        ):
            raise KeptCheckpointUnreadable(f"{self.path} does not hold a numbered checkpoint")
        return record

    def write(self, record: dict[str, Any]) -> None:
        """Keep `record` unless a checkpoint with a higher number is kept already."""
        current = self._readable()
        if current is not None and int(current["number"]) >= int(record["number"]):
            return
        self._replace(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")

    def forget(self) -> None:
        """Only for an operator who accepts the database as it is (`access-log accept-database`)."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def replace_with(self, record: dict[str, Any]) -> None:
        """Only for `access-log accept-database`: keep this checkpoint, even an older one."""
        self._replace(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")

    @contextlib.asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        """Signers on this host (the server, the CLI) take turns. Waited for in a thread, so the
        server's other requests go on meanwhile."""
        key = (self.path, id(asyncio.get_running_loop()))
        in_process = _process_locks.setdefault(key, asyncio.Lock())
        async with in_process:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path.with_name(LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the lock

    def _readable(self) -> dict[str, Any] | None:
        try:
            return self.read()
        except KeptCheckpointUnreadable:
            return None

    def _replace(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_name(f".{self.path.name}.{token_hex(8)}.tmp")
        try:
            with scratch.open("w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(scratch, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                scratch.unlink()
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)


__all__ = ["KEPT_FILE", "KeptCheckpoint", "KeptCheckpointUnreadable"]
