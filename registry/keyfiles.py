"""Key files in the data dir: created whole or not at all, readable by their owner only.

Several processes (API replicas, relays, the CLI) may start at the same moment on a fresh data dir.
Each writes its candidate key in full to a private temporary file and hard-links it into place; of
racing processes exactly one wins, and no reader ever sees a half-written key."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from secrets import token_hex


def create_key_file(path: Path, content: bytes) -> bool:
    """Create `path` holding `content` (mode 0600). False when the file exists already: another
    process created it first, and its key is the one to use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{token_hex(8)}.tmp")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(scratch, path)
        except FileExistsError:
            return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            scratch.unlink()
    return True


__all__ = ["create_key_file"]
