"""The installed console script, run as a user runs it: from a directory outside the checkout."""

from __future__ import annotations

import base64
import email
import json
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from email.policy import default as default_policy
from pathlib import Path

from api.auth import TokenVerifier
from api.settings import ApiSettings
from tests.support.processes import free_port, run_cli

BIN = Path(sys.executable).parent
UNKNOWN = "6b1f1f9e-2b7e-4f5d-9a0e-1c2d3e4f5a6b"


def airegistry(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script from `home` (not the checkout), with its data dir there."""
    env = {**os.environ, "AIREG_DATA_DIR": str(home / "data")}
    env.pop("AIREG_DATABASE_URL", None)
    return run_cli(home, env, *args)


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
    for role in (
        "platform_admin",
        "employer_admin",
        "steward (TR)",
        "steward (TR, units)",
        "steward (AMR)",
        "auditor",
    ):
        assert f"  {role} " in first.stdout, role
    assert "Fjordby Kommune" in first.stdout
    second = airegistry(tmp_path, "demo").stdout
    assert "demo data not added" in second
    assert "employer_admin" in second


def test_digest_send_sends_what_is_due_and_nothing_else(tmp_path: Path) -> None:
    assert airegistry(tmp_path, "migrate").returncode == 0
    demo = airegistry(tmp_path, "demo")
    database = tmp_path / "data" / "registry.db"
    with sqlite3.connect(database) as db:
        # The demo's stewards get a weekly digest unless they chose otherwise; no one else gets one.
        [(stewards,)] = db.execute("SELECT count(*) FROM member WHERE role = 'steward'").fetchall()
        [(queued,)] = db.execute("SELECT count(*) FROM mail_message WHERE kind = 'digest'").fetchall()
    assert stewards >= 10
    # The demo queued their first digests, of the story it just seeded.
    assert queued == stewards
    assert f"the stewards' first digests: {stewards} in the outbox" in demo.stdout
    # So none is due: nothing is sent.
    again = airegistry(tmp_path, "digest", "send")
    assert again.returncode == 0, again.stderr
    assert "digests: 0 sent, 0 quiet, 0 organization(s)" in again.stdout
    # Never sent: due. The story was saved moments ago, within the margin a digest leaves for changes
    # still being saved, so each is due and quiet, and no mail is sent.
    with sqlite3.connect(database) as db:
        db.execute("UPDATE member SET digest_until = NULL")
    fresh = airegistry(tmp_path, "digest", "send")
    assert f"digests: 0 sent, {stewards} quiet" in fresh.stdout
    with sqlite3.connect(database) as db:
        [(digests,)] = db.execute("SELECT count(*) FROM mail_message WHERE kind = 'digest'").fetchall()
        [(result,)] = db.execute("SELECT result FROM scheduled_run WHERE name = 'digests'").fetchall()
        [(left,)] = db.execute(
            "SELECT count(*) FROM member WHERE role = 'steward' AND digest_until IS NULL"
        ).fetchall()
    assert digests == stewards
    assert result.startswith(f"0 sent, {stewards} quiet")  # the served rounds count from the last one
    assert left == 0


def test_serve_with_a_mail_sink_prints_the_mail_and_keeps_it(tmp_path: Path) -> None:
    """What `make run` does: the demo's stewards' first digests arrive in the sink at once."""
    assert airegistry(tmp_path, "migrate").returncode == 0
    assert airegistry(tmp_path, "demo").returncode == 0
    port = free_port()
    env = {
        **os.environ,
        "AIREG_DATA_DIR": str(tmp_path / "data"),
        "AIREG_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    env.pop("AIREG_DATABASE_URL", None)
    env.pop("AIREG_SMTP_HOST", None)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [str(BIN / "airegistry"), "serve", "--port", str(port), "--mail-sink"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        kept = tmp_path / "data" / "mail"
        while "mail to tr@fjordby-kommune.dk" not in log.read_text():
            assert serve.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    printed = log.read_text()
    assert "mail: kept on this machine and printed here" in printed
    assert "mail to tr@fjordby-kommune.dk: Ugens nyt fra AI-registret hos Fjordby Kommune" in printed
    # The demo queued them (`make run` gives demo and serve the same AIREG_PUBLIC_URL; here the default).
    assert "    http://127.0.0.1:8000/systems/" in printed
    message = email.message_from_bytes(sorted(kept.glob("*.eml"))[0].read_bytes(), policy=default_policy)
    assert message["Subject"].startswith("Ugens nyt fra AI-registret hos ")
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/unsubscribe/")


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


def test_a_cut_log_is_refused_and_found_and_a_witness_still_shows_it_after_acceptance(tmp_path: Path) -> None:
    """The operator's and the auditor's view of issue 19's attacks, through the installed command."""
    assert airegistry(tmp_path, "migrate").returncode == 0
    now = datetime.now(UTC)
    wide = ("--from", (now - timedelta(days=1)).isoformat(), "--to", (now + timedelta(days=1)).isoformat())
    out = tmp_path / "out.jsonl"
    assert airegistry(tmp_path, "access-log", "export", *wide, "--output", str(out)).returncode == 0
    # An export of an empty range signs nothing: its own entry is left unsigned.
    empty = ("--from", "2020-01-01", "--to", "2020-01-02", "--output", str(out))
    assert airegistry(tmp_path, "access-log", "export", *empty).returncode == 0
    tail = airegistry(tmp_path, "access-log", "verify", "--database")
    assert tail.returncode == 3, tail.stdout + tail.stderr
    assert "UNSIGNED: the last 1 entries (after seq 1)" in tail.stdout
    assert airegistry(tmp_path, "access-log", "verify", "--database", "--allow-unsigned-tail").returncode == 0
    signed = airegistry(tmp_path, "access-log", "checkpoint")
    assert signed.stdout.strip().startswith("signed checkpoint 2 at seq 2"), signed.stdout
    witness = tmp_path / "union-archive.json"
    witness.write_text((tmp_path / "data" / "access-log-checkpoint.json").read_text())
    assert (
        airegistry(tmp_path, "access-log", "verify", "--database", "--witness", str(witness)).returncode == 0
    )
    # Someone with the database file cuts the last entry and its checkpoint.
    with sqlite3.connect(tmp_path / "data" / "registry.db") as db:
        for name in ("access_log_no_delete", "access_log_checkpoint_no_delete"):
            db.execute(f"DROP TRIGGER {name}")
        db.execute("DELETE FROM access_log_checkpoint WHERE number = 2")
        db.execute("DELETE FROM access_log WHERE seq = 2")
    found = airegistry(tmp_path, "access-log", "verify", "--database")
    assert found.returncode == 1
    assert found.stdout.strip() == (
        "FAILED at seq 2: entries 2..2 are missing: checkpoint 2 signed the log through seq 2"
    )
    refused = airegistry(tmp_path, "access-log", "checkpoint")
    assert refused.returncode == 1
    assert refused.stdout.startswith("REFUSED: nothing signed.")
    # After a deliberate restore, the operator accepts the database; a witness still shows the loss.
    assert airegistry(tmp_path, "access-log", "accept-database").returncode == 2  # without --yes
    accepted = airegistry(tmp_path, "access-log", "accept-database", "--yes")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert airegistry(tmp_path, "access-log", "checkpoint").returncode == 0
    assert airegistry(tmp_path, "access-log", "verify", "--database").returncode == 0
    witnessed = airegistry(tmp_path, "access-log", "verify", "--database", "--witness", str(witness))
    assert witnessed.returncode == 1
    assert witnessed.stdout.startswith(
        "FAILED at seq 2: entries 1..2 differ from what witness checkpoint 2 saw"
    )
    garbage = tmp_path / "not-a-witness.json"
    garbage.write_text('{"kind": "checkpoint"}')
    unreadable = airegistry(tmp_path, "access-log", "verify", "--database", "--witness", str(garbage))
    assert unreadable.returncode == 2
    assert "numbered checkpoint" in unreadable.stderr


def airegistry_default(home: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The console script run from `cwd` with the default data dir: no AIREG_ setting but `env`, and
    `home` as the user's home (platformdirs: `<home>/.local/share/airegistry`)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AIREG_")}
    environment |= {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share"), **env}
    return run_cli(cwd, environment, *args)


def default_data_dir(home: Path) -> Path:
    return home / ".local" / "share" / "airegistry"


def places(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A home and two working directories, none of them the checkout."""
    home, first, second = tmp_path / "home", tmp_path / "a", tmp_path / "b"
    for folder in (home, first, second):
        folder.mkdir()
    return home, first, second


HELP_IMPORTS = textwrap.dedent(
    """
    import argparse, contextlib, io, json, sys
    from api.cli import build_parser, main

    def commands(parser, path=()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                summaries = {choice.dest: choice.help for choice in action._choices_actions}
                for name, subparser in action.choices.items():
                    yield (*path, name), summaries.get(name)
                    yield from commands(subparser, (*path, name))

    found = {}
    for path, summary in [((), "top")] + list(commands(build_parser())):
        with contextlib.redirect_stdout(io.StringIO()) as shown:
            try:
                main([*path, "--help"])
            except SystemExit as exit:
                assert exit.code == 0, path
        found[" ".join(path)] = {"summary": summary, "help": shown.getvalue()}
    heavy = {"litestar", "pydantic", "piccolo", "registry", "uvicorn", "jinja2"}
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy or m.startswith("api.app"))
    print(json.dumps({"commands": found, "loaded": loaded}))
    """
)
EVERY_COMMAND = {
    "serve",
    "migrate",
    "worker",
    "findings",
    "findings recompute",
    "digest",
    "digest send",
    "demo",
    "token",
    "token issue",
    "access-log",
    "access-log export",
    "access-log verify",
    "access-log checkpoint",
    "access-log accept-database",
    "access-log public-key",
    "access-log prune",
    "openapi",
}


def test_help_of_every_command_imports_only_the_standard_library(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", HELP_IMPORTS], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    result = json.loads(run.stdout)
    assert result["loaded"] == []
    commands = result["commands"]
    assert set(commands) - {""} == EVERY_COMMAND
    for name, command in commands.items():
        if name:
            summary = command["summary"]
            assert summary, f"{name} has no help line"
            assert "\n" not in summary
            assert summary in " ".join(command["help"].split()), name


def test_help_works_from_anywhere_and_lists_every_command(tmp_path: Path) -> None:
    home, elsewhere, _ = places(tmp_path)
    run = airegistry_default(home, elsewhere, "--help")
    assert run.returncode == 0, run.stderr
    for command in (
        "serve",
        "migrate",
        "worker",
        "findings",
        "digest",
        "demo",
        "token",
        "access-log",
        "openapi",
    ):
        assert f"\n    {command}" in run.stdout, command
    issue = airegistry_default(home, elsewhere, "token", "issue", "--help")
    assert issue.returncode == 0
    assert "--link" in issue.stdout
    assert list(home.iterdir()) == []
    assert list(elsewhere.iterdir()) == []


NEED_THE_DATABASE = [
    ("token", "issue", "--role", "auditor"),
    ("token", "issue", "--role", "steward", "--org", UNKNOWN, "--link"),
    ("demo",),
    ("serve",),
    ("worker",),
    ("findings", "recompute"),
    ("digest", "send"),
    ("access-log", "public-key"),
    ("access-log", "checkpoint"),
    ("access-log", "verify", "--database"),
    ("access-log", "accept-database", "--yes"),
]


def test_commands_that_need_the_database_say_so_in_one_line_and_create_nothing(tmp_path: Path) -> None:
    home, elsewhere, _ = places(tmp_path)
    database = default_data_dir(home) / "registry.db"
    for args in NEED_THE_DATABASE:
        run = airegistry_default(home, elsewhere, *args)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert run.stdout == ""
        assert run.stderr.count("\n") == 1, run.stderr  # one line, no traceback
        assert "airegistry migrate" in run.stderr
        assert str(database) in run.stderr
    # No key, no database, not even the data dir: nothing a later `migrate` would have to undo.
    assert list(home.iterdir()) == []
    assert list(elsewhere.iterdir()) == []


def test_a_database_that_does_not_answer_or_is_damaged_is_one_line(tmp_path: Path) -> None:
    home, elsewhere, _ = places(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once the socket is closed
    down = f"postgresql://register:s3cret@127.0.0.1:{port}/register"
    for args in (("worker",), ("token", "issue", "--role", "auditor")):
        run = airegistry_default(home, elsewhere, *args, AIREG_DATABASE_URL=down)
        assert run.returncode == 2, run.stderr
        assert run.stderr.count("\n") == 1, run.stderr
        assert f"postgresql://register@127.0.0.1:{port}/register" in run.stderr
        assert "s3cret" not in run.stderr
        assert "airegistry migrate" in run.stderr
    migrate = airegistry_default(home, elsewhere, "migrate", AIREG_DATABASE_URL=down)
    assert migrate.returncode == 2
    assert migrate.stderr.count("\n") == 1, migrate.stderr
    damaged = elsewhere / "damaged.db"
    damaged.write_text("not a database\n")
    run = airegistry_default(home, elsewhere, "demo", AIREG_DATABASE_URL=f"sqlite:///{damaged}")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1, run.stderr
    assert str(damaged) in run.stderr
    assert not (home / ".local").exists()


def test_every_directory_uses_the_same_default_data_dir(tmp_path: Path) -> None:
    home, first, second = places(tmp_path)
    migrated = airegistry_default(home, first, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    data_dir = default_data_dir(home)
    assert (data_dir / "registry.db").exists()

    token = airegistry_default(home, second, "token", "issue", "--role", "auditor")
    assert token.returncode == 0, token.stderr
    # Signed with the key in the default data dir: the one a server started anywhere would use.
    verifier = TokenVerifier.from_settings(ApiSettings(data_dir=data_dir))
    assert verifier.verify(token.stdout.strip()).sub == "cli-auditor"

    demo = airegistry_default(home, second, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "seeded the demo data set" in demo.stdout
    with sqlite3.connect(data_dir / "registry.db") as db:
        org = db.execute("SELECT id FROM organization ORDER BY name LIMIT 1").fetchone()[0]
    steward = airegistry_default(home, first, "token", "issue", "--role", "steward", "--org", org)
    assert steward.returncode == 0, steward.stderr
    assert verifier.verify(steward.stdout.strip()).org == org
    assert not (first / "data").exists()
    assert not (second / "data").exists()


def test_token_issue_refuses_an_unknown_organization_or_a_stranger_unit(tmp_path: Path) -> None:
    home, elsewhere, _ = places(tmp_path)
    assert airegistry_default(home, elsewhere, "migrate").returncode == 0
    assert airegistry_default(home, elsewhere, "demo").returncode == 0
    with sqlite3.connect(default_data_dir(home) / "registry.db") as db:
        first, second = (row[0] for row in db.execute("SELECT id FROM organization ORDER BY name LIMIT 2"))
        unit = db.execute("SELECT id FROM unit WHERE organization = ?", (second,)).fetchone()[0]
        own_unit = db.execute("SELECT id FROM unit WHERE organization = ?", (first,)).fetchone()[0]
    for link in ((), ("--link",)):
        unknown = airegistry_default(
            home, elsewhere, "token", "issue", "--role", "employer_admin", "--org", UNKNOWN, *link
        )
        assert unknown.returncode == 2
        assert unknown.stdout == ""
        assert unknown.stderr.count("\n") == 1
        assert f"no organization {UNKNOWN}" in unknown.stderr
        stranger = airegistry_default(
            home, elsewhere, "token", "issue", "--role", "steward", "--org", first, "--units", unit, *link
        )
        assert stranger.returncode == 2
        assert f"not a unit of organization {first}: {unit}" in stranger.stderr
    limited = airegistry_default(
        home, elsewhere, "token", "issue", "--role", "steward", "--org", first, "--units", own_unit
    )
    assert limited.returncode == 0, limited.stderr


def test_an_earlier_releases_data_dir_here_is_pointed_out(tmp_path: Path) -> None:
    home, elsewhere, _ = places(tmp_path)
    earlier = airegistry_default(home, elsewhere, "migrate", AIREG_DATA_DIR="./data")
    assert earlier.returncode == 0, earlier.stderr
    run = airegistry_default(home, elsewhere, "token", "issue", "--role", "auditor")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1
    assert "airegistry migrate" in run.stderr
    assert "AIREG_DATA_DIR=./data" in run.stderr
    assert not (default_data_dir(home) / "jwt-hs256.key").exists()
    kept = airegistry_default(home, elsewhere, "token", "issue", "--role", "auditor", AIREG_DATA_DIR="./data")
    assert kept.returncode == 0, kept.stderr
    # Upgrading by the documented step does not quietly start an empty register in the new default.
    upgrade = airegistry_default(home, elsewhere, "migrate")
    assert upgrade.returncode == 2
    assert upgrade.stderr.count("\n") == 1
    assert "AIREG_DATA_DIR=./data" in upgrade.stderr
    assert not (default_data_dir(home) / "registry.db").exists()
    chosen = airegistry_default(home, elsewhere, "migrate", AIREG_DATA_DIR=str(default_data_dir(home)))
    assert chosen.returncode == 0, chosen.stderr
    assert (default_data_dir(home) / "registry.db").exists()


def test_serve_prints_the_data_dir_and_the_database(tmp_path: Path) -> None:
    home, first, second = places(tmp_path)
    assert airegistry_default(home, first, "migrate").returncode == 0
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AIREG_")}
    environment |= {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}
    server = subprocess.Popen(
        [BIN / "airegistry", "serve", "--port", str(port)],
        cwd=second,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(3)]
    finally:
        server.terminate()
        server.wait(timeout=60)
    data_dir = default_data_dir(home)
    assert lines[0] == f"data dir: {data_dir}\n"
    assert lines[1] == f"database: {data_dir / 'registry.db'}\n"
    assert lines[2].startswith("serving the workplace AI register on ")


def test_token_issue_for_a_member_takes_their_role_and_organization(tmp_path: Path) -> None:
    home, elsewhere, _ = places(tmp_path)
    assert airegistry_default(home, elsewhere, "migrate").returncode == 0
    assert airegistry_default(home, elsewhere, "demo").returncode == 0
    with sqlite3.connect(default_data_dir(home) / "registry.db") as db:
        org = db.execute("SELECT id FROM organization ORDER BY name LIMIT 1").fetchone()[0]
        db.execute(
            "INSERT INTO member (id, organization, sub, email, name, role, units, title, language, "
            "created_at, created_by, updated_at, last_login_at) "
            "VALUES (?, ?, ?, ?, ?, 'steward', NULL, 'TR', 'da', "
            "'2026-12-06T06:00:00+00:00', 'test', '2026-12-06T06:00:00+00:00', NULL)",
            (
                "7d0c3c1e-8f7e-4c55-9a55-2d3f9d6e7a10",
                org,
                "tina@kommune.example",
                "tina@kommune.example",
                "Tina",
            ),
        )
    run = airegistry_default(home, elsewhere, "token", "issue", "--sub", "tina@kommune.example")
    assert run.returncode == 0, run.stderr
    payload = run.stdout.strip().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert (claims["sub"], claims["role"], claims["org"], claims["name"]) == (
        "tina@kommune.example",
        "steward",
        org,
        "Tina",
    )
    nobody = airegistry_default(home, elsewhere, "token", "issue", "--sub", "nobody@example.com")
    assert nobody.returncode == 2
    assert "no member with sub 'nobody@example.com'" in nobody.stderr
    bare = airegistry_default(home, elsewhere, "token", "issue")
    assert bare.returncode == 2
    assert "give --role" in bare.stderr
