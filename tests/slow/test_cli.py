"""The installed console script, run as a user runs it: from a directory outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

BIN = Path(sys.executable).parent


def airegistry(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script from `home` (not the checkout), with its data dir there."""
    env = {**os.environ, "AIREG_DATA_DIR": str(home / "data")}
    env.pop("AIREG_DATABASE_URL", None)
    return subprocess.run(
        [BIN / "airegistry", *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_console_script_works_outside_the_checkout(tmp_path: Path) -> None:
    run = airegistry(tmp_path, "migrate")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "data" / "registry.db").exists()
    assert "0 migration(s) applied now" in airegistry(tmp_path, "migrate").stdout
    token = airegistry(tmp_path, "token", "issue", "--role", "auditor", "--ttl", "1h")
    assert token.returncode == 0
    assert token.stdout.count(".") == 2
    key = tmp_path / "data" / "jwt-hs256.key"
    assert key.stat().st_mode & 0o777 == 0o600
    refused = airegistry(tmp_path, "token", "issue", "--role", "steward")
    assert refused.returncode == 2
    assert "org" in refused.stderr


def test_demo_seeds_an_empty_database_once_and_prints_a_token_per_role(tmp_path: Path) -> None:
    assert airegistry(tmp_path, "migrate").returncode == 0
    first = airegistry(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "seeded the demo data set" in first.stdout
    for role in ("platform_admin", "employer_admin", "steward (units)", "steward", "auditor"):
        assert f"  {role} " in first.stdout, role
    assert "Fjordby Kommune" in first.stdout
    second = airegistry(tmp_path, "demo").stdout
    assert "demo data not added" in second
    assert "employer_admin" in second


def test_access_log_export_and_offline_verification_from_the_command_line(tmp_path: Path) -> None:
    assert airegistry(tmp_path, "migrate").returncode == 0
    assert airegistry(tmp_path, "demo").returncode == 0  # writes nothing to the log; the export does
    export = tmp_path / "log.jsonl"
    run = airegistry(
        tmp_path,
        "access-log",
        "export",
        "--from",
        "2020-01-01",
        "--to",
        "2020-12-31",
        "--output",
        str(export),
    )
    assert run.returncode == 0, run.stderr
    key = tmp_path / "key.pem"
    assert airegistry(tmp_path, "access-log", "public-key", "--output", str(key)).returncode == 0
    # An empty range: a header and a trailer, which verify.
    assert airegistry(tmp_path, "access-log", "verify", str(export), "--public-key", str(key)).returncode == 0
    # The range that holds the entry the first export left.
    wide = tmp_path / "wide.csv"
    now = datetime.now(UTC)
    run = airegistry(
        tmp_path,
        "access-log",
        "export",
        "--from",
        (now - timedelta(days=1)).isoformat(),
        "--to",
        (now + timedelta(days=1)).isoformat(),
        "--format",
        "csv",
        "--output",
        str(wide),
    )
    assert run.returncode == 0, run.stderr
    ok = airegistry(tmp_path, "access-log", "verify", str(wide), "--public-key", str(key))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("OK: ")
    lines = wide.read_text().splitlines()
    entry = next(i for i, line in enumerate(lines) if line.startswith('"entry",'))
    lines[entry] = lines[entry].replace("cli:", "cli-forged:", 1)
    wide.write_text("\n".join(lines) + "\n")
    bad = airegistry(tmp_path, "access-log", "verify", str(wide), "--public-key", str(key))
    assert bad.returncode == 1
    assert bad.stdout.startswith("FAILED at seq ")
    stored = airegistry(tmp_path, "access-log", "verify", "--database")
    assert stored.returncode == 0, stored.stdout
