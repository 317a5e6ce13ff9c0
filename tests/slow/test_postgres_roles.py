"""docs/deployment.md's PostgreSQL setup, run as written: the serving role does the register's work,
the retention prune included, but cannot change, delete, truncate or unprotect the access log."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from registry.accesslog.signing import CheckpointSigner
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


async def _rows_async(url: str, query: str) -> list[tuple[object, ...]]:
    connection = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()


def _rows(url: str, query: str) -> Any:
    return _rows_async(url, query)


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
        # A checkpoint of entry 1 signed ten years ago (as an earlier release signed them, unnumbered):
        # the prune cuts there.
        signer = CheckpointSigner.from_data_dir(tmp_path / "data")
        [(at, hash_)] = asyncio.run(_rows(server.url, "SELECT at, hash FROM access_log WHERE seq = 1"))
        old = {"kind": "checkpoint", "last_seq": 1, "last_hash": hash_, "at": "2016-01-04T10:00:00.000Z"}
        old["key_id"] = signer.key_id
        inserted = asyncio.run(
            _as(
                server.url,
                "INSERT INTO access_log_checkpoint (kind, last_seq, last_hash, at, at_ms, key_id, signature) "  # noqa: S608
                f"VALUES ('checkpoint', 1, '{hash_}', '{old['at']}', 1451901600000, '{signer.key_id}', "
                f"'{signer.sign(old)}')",
            )
        )
        assert inserted == [""], (inserted, at)
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
