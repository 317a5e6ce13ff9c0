"""docs/deployment.md's PostgreSQL setup, run as written: the serving role does the register's work,
the retention prune included, but cannot change, delete, truncate or unprotect the access log."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import asyncpg
import pytest

from tests.support.postgres import ThrowawayPostgres
from tests.support.processes import run_cli

pytestmark = pytest.mark.postgres
DEPLOYMENT = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def documented_grants() -> str:
    """The SQL block of the serving role's grants, exactly as the guide shows it."""
    text = DEPLOYMENT.read_text()
    match = re.search(r"psql airegistry <<'SQL'\n(.*?)\nSQL\n", text, re.DOTALL)
    assert match, "docs/deployment.md no longer shows the serving role's grants"
    return match.group(1)


async def _as(url: str, *statements: str) -> list[str]:
    """Run each statement as the role of `url`; the error of each that fails (empty when it worked)."""
    connection = await asyncpg.connect(url)
    errors = []
    try:
        for statement in statements:
            try:
                await connection.execute(statement)
                errors.append("")
            except asyncpg.PostgresError as exc:
                errors.append(str(exc))
    finally:
        await connection.close()
    return errors


def test_the_serving_role_works_but_cannot_alter_the_log(tmp_path: Path) -> None:
    with ThrowawayPostgres() as server:
        owner_env = {**os.environ, "AIREG_DATA_DIR": str(tmp_path / "data"), "AIREG_DATABASE_URL": server.url}
        assert run_cli(tmp_path, owner_env, "migrate").returncode == 0
        assert asyncio.run(_as(server.url, "CREATE ROLE airegistry_serve LOGIN", documented_grants())) == [
            "",
            "",
        ]
        serve_url = server.url.replace("postgres@", "airegistry_serve@", 1)
        serve_env = {**owner_env, "AIREG_DATABASE_URL": serve_url}
        # The register's work, as the serving role: seed, export (signs a checkpoint), verify, prune.
        for args in (
            ("demo",),
            ("access-log", "export", "--from", "2020-01-01", "--to", "2020-01-02", "--output", "x.jsonl"),
            ("access-log", "checkpoint"),
            ("access-log", "verify", "--database"),
        ):
            run = run_cli(tmp_path, serve_env, *args)
            assert run.returncode == 0, (args, run.stdout, run.stderr)
        # Entry 1 made old (its time as a number is not hashed; the owner can, the serving role cannot).
        aged = asyncio.run(
            _as(
                server.url,
                "ALTER TABLE access_log DISABLE TRIGGER access_log_guard; "
                "UPDATE access_log SET at_ms = 0 WHERE seq = 1; "
                "ALTER TABLE access_log ENABLE TRIGGER access_log_guard",
            )
        )
        assert aged == [""]
        pruned = run_cli(tmp_path, serve_env, "access-log", "prune")
        assert pruned.stdout.startswith("pruned 1 entries"), pruned.stdout + pruned.stderr
        assert run_cli(tmp_path, serve_env, "access-log", "checkpoint").returncode == 0  # after the prune too
        again = ("access-log", "export", "--from", "2020-01-01", "--to", "2020-01-02", "--output", "y.jsonl")
        assert run_cli(tmp_path, serve_env, *again).returncode == 0  # entry 2, for the attempts below
        assert asyncio.run(_as(serve_url, "SELECT 1")) == [""]
        refused = asyncio.run(
            _as(
                serve_url,
                "UPDATE access_log SET actor_sub = 'x'",
                "DELETE FROM access_log",
                "DELETE FROM access_log_checkpoint",
                "UPDATE access_log_checkpoint SET last_hash = 'x'",
                "TRUNCATE access_log",
                "ALTER TABLE access_log DISABLE TRIGGER access_log_guard",
                "DROP TRIGGER access_log_checkpoint_guard ON access_log_checkpoint",
                "DROP TABLE access_log",
            )
        )
        assert all(refused), refused
        assert "permission denied" in refused[0]
        assert "append-only" in refused[1]
        assert "must be owner" in refused[5]
        verified = run_cli(tmp_path, serve_env, "access-log", "verify", "--database", "--allow-unsigned-tail")
        assert verified.returncode == 0, verified.stdout
