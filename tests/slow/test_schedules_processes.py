"""The daily recompute runs once per interval for the whole deployment, whichever `airegistry serve`
process gets to it first: real processes on each engine, restarted within the interval."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.processes import ProcessGroup, prepare_data_dir, scratch_env

STARTED = "findings-recompute started"
FINISHED = "findings-recompute done:"
DIGESTS_STARTED = "digests started"
DIGESTS_FINISHED = "digests done:"


def test_serve_processes_recompute_once_and_not_again_after_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir)
    env = scratch_env(data_dir, {"DATABASE_URL": database_url, "WEBHOOKS_RELAY": False})
    with ProcessGroup(tmp_path, env) as group, group.logs_on_failure():
        group.cli("migrate")
        first = [group.start_serve(f"api-{n}") for n in range(2)]
        group.wait_healthy(*first)
        deadline = time.monotonic() + 60
        while not any(FINISHED in s.log_path.read_text() for s in first):
            assert time.monotonic() < deadline, "no serve process recomputed the findings"
            time.sleep(0.1)
        while not any(DIGESTS_FINISHED in s.log_path.read_text() for s in first):
            assert time.monotonic() < deadline, "no serve process ran the digest round"
            time.sleep(0.1)
        time.sleep(1)  # both timers have looked by now
        assert sum(s.log_path.read_text().count(STARTED) for s in first) == 1
        # The hourly digest round too: one process of the two.
        assert sum(s.log_path.read_text().count(DIGESTS_STARTED) for s in first) == 1
        for service in first:
            service.kill()

        # A restart within the interval does not repeat the run; the operator's command does run it,
        # and the timers count from it.
        again = group.serve("api-again")
        done = group.cli("findings", "recompute")
        assert "findings recomputed: 0 opened, 0 resolved" in done.stdout
        time.sleep(1)
        assert STARTED not in again.log_path.read_text()
