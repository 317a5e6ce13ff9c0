"""Login links from the command line: `airegistry token issue --link` and `airegistry demo`."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
from pathlib import Path

from tests.support.processes import run_cli

LINK = re.compile(r"(https?://[^\s/]+)/login/([A-Za-z0-9_-]{43})\b")


def airegistry(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, run from `home` with its data dir there (as tests/test_project.py)."""
    environment = {**os.environ, "AIREG_DATA_DIR": str(home / "data"), **env}
    environment.pop("AIREG_DATABASE_URL", None)
    if "AIREG_PUBLIC_URL" not in env:
        environment.pop("AIREG_PUBLIC_URL", None)
    return run_cli(home, environment, *args)


def stored_link_hashes(home: Path) -> set[str]:
    with sqlite3.connect(home / "data" / "registry.db") as db:
        return {row[0] for row in db.execute("SELECT token_hash FROM login_link")}


ORG = "6b1f1f9e-2b7e-4f5d-9a0e-1c2d3e4f5a6b"


def an_organization(home: Path) -> str:
    with sqlite3.connect(home / "data" / "registry.db") as db:
        return str(db.execute("SELECT id FROM organization ORDER BY name LIMIT 1").fetchone()[0])


def test_token_issue_link_prints_a_one_time_login_address(tmp_path: Path) -> None:
    not_ready = airegistry(tmp_path, "token", "issue", "--role", "steward", "--org", ORG, "--link")
    assert not_ready.returncode == 2
    assert "airegistry migrate" in not_ready.stderr

    assert airegistry(tmp_path, "migrate").returncode == 0
    unknown = airegistry(tmp_path, "token", "issue", "--role", "steward", "--org", ORG, "--link")
    assert unknown.returncode == 2
    assert f"no organization {ORG}" in unknown.stderr
    assert airegistry(tmp_path, "demo").returncode == 0  # an organization to link to (and links of its own)
    org = an_organization(tmp_path)
    before = stored_link_hashes(tmp_path)
    run = airegistry(
        tmp_path,
        "token",
        "issue",
        "--role",
        "steward",
        "--org",
        org,
        "--sub",
        "tr@kommune.dk",
        "--name",
        "Tina Tillidsrepræsentant",
        "--ttl",
        "2h",
        "--link",
        AIREG_PUBLIC_URL="https://register.example.dk/",
    )
    assert run.returncode == 0, run.stderr
    match = LINK.fullmatch(run.stdout.strip())
    assert match, run.stdout
    assert match.group(1) == "https://register.example.dk"
    token = match.group(2)
    # Only its hash is stored: the printed address is the one copy of the secret.
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert stored_link_hashes(tmp_path) - before == {digest}
    with sqlite3.connect(tmp_path / "data" / "registry.db") as db:
        stored = db.execute(
            "SELECT sub, role, organization_id, name FROM login_link WHERE token_hash = ?", (digest,)
        ).fetchone()
    assert stored == ("tr@kommune.dk", "steward", org, "Tina Tillidsrepræsentant")

    default = airegistry(tmp_path, "token", "issue", "--role", "auditor", "--link")
    assert default.returncode == 0
    assert default.stdout.startswith("http://127.0.0.1:8000/login/")


def test_a_link_is_refused_where_a_token_would_be(tmp_path: Path) -> None:
    assert airegistry(tmp_path, "migrate").returncode == 0
    refused = airegistry(tmp_path, "token", "issue", "--role", "steward", "--link")
    assert refused.returncode == 2
    assert "org" in refused.stderr
    units = airegistry(tmp_path, "token", "issue", "--role", "auditor", "--units", ORG, "--link")
    assert units.returncode == 2
    assert stored_link_hashes(tmp_path) == set()


def test_demo_prints_a_login_link_next_to_each_token(tmp_path: Path) -> None:
    assert airegistry(tmp_path, "migrate").returncode == 0
    run = airegistry(tmp_path, "demo")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    tokens = [i for i, line in enumerate(lines) if re.match(r"^  \S.*\s(eyJ\S+)$", line)]
    assert len(tokens) >= 10
    links = 0
    for i in tokens:
        role = lines[i].split()[0]
        follows = lines[i + 1] if i + 1 < len(lines) else ""
        if role == "platform_admin":
            assert "/login/" not in follows  # platform admins manage organizations through the API
            continue
        assert "log ind / log in: http://127.0.0.1:8000/login/" in follows, lines[i]
        links += 1
    assert len(stored_link_hashes(tmp_path)) == links
    for role in ("employer_admin", "steward (TR)", "steward (TR, units)", "steward (AMR)", "auditor"):
        assert f"  {role} " in run.stdout
