"""Key files are created whole or not at all, by exactly one of several racing processes."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

from registry.keyfiles import create_key_file


def test_of_racing_creators_exactly_one_wins_and_its_key_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "signing.key"
    candidates = [f"key-{n:02d}-".encode() * 4096 for n in range(16)]
    won: list[bytes] = []
    start = threading.Barrier(len(candidates))

    def create(content: bytes) -> None:
        start.wait()
        if create_key_file(path, content):
            won.append(content)

    threads = [threading.Thread(target=create, args=(c,)) for c in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(won) == 1
    assert path.read_bytes() == won[0]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["signing.key"]  # no temporary files left


def test_an_existing_key_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "secrets.key"
    path.write_bytes(b"theirs")
    assert create_key_file(path, b"mine") is False
    assert path.read_bytes() == b"theirs"
