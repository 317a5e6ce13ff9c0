"""Project-level guarantees: import direction, the OpenAPI document, the console script."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api.app import create_app
from api.cli import openapi_document
from api.settings import ApiSettings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _imports(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update((str(path.relative_to(ROOT)), alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path.relative_to(ROOT)), node.module))
    return found


def test_registry_imports_neither_api_nor_webhooks() -> None:
    offending = [
        (f, m) for f, m in _imports("registry") if m.split(".")[0] in {"api", "webhooks", "litestar"}
    ]
    assert offending == []


def test_webhooks_import_the_registry_but_not_the_api() -> None:
    offending = [(f, m) for f, m in _imports("webhooks") if m.split(".")[0] in {"api", "litestar"}]
    assert offending == []


def test_only_api_auth_imports_python_jose() -> None:
    users = {
        f
        for package in ("api", "registry", "webhooks")
        for f, m in _imports(package)
        if m.split(".")[0] == "jose"
    }
    assert users == {"api/auth.py"}


def test_openapi_document_is_current() -> None:
    committed = (ROOT / "openapi" / "openapi.json").read_text()
    assert json.loads(committed) == json.loads(openapi_document()), (
        "openapi/openapi.json is stale: run `airegistry openapi` (or `make openapi`) and commit it"
    )


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


def test_every_setting_is_documented() -> None:
    from api.pages.settings import PageSettings
    from api.settings import ApiSettings
    from registry.accesslog.settings import AccessLogSettings
    from registry.rules.settings import RuleSettings
    from registry.settings import DatabaseSettings
    from webhooks.settings import WebhookSettings

    documented = (ROOT / "docs" / "configuration.md").read_text()
    names = {
        f"AIREG_{name.upper()}"
        for cls in (
            ApiSettings,
            DatabaseSettings,
            AccessLogSettings,
            WebhookSettings,
            RuleSettings,
            PageSettings,
        )
        for name in cls.model_fields
    }
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert missing == []


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


def test_every_register_route_is_recorded_in_the_access_log() -> None:
    from api.accesslog import AUDITED

    app = create_app(ApiSettings(data_dir=Path(tempfile.mkdtemp())))
    # The API and the web pages; the API description and the stylesheet touch no register data.
    register = [
        handler
        for route in app.routes
        if not route.path.startswith(("/schema", "/static"))
        for handler in getattr(route, "route_handlers", ())
    ]
    unaudited = {"health", "ready"}
    operations = {
        h.operation_id for h in register if h.operation_id
    }  # Litestar adds unnamed OPTIONS handlers
    assert operations - unaudited == set(AUDITED)
    assert not [h for h in register if h.opt.get("no_access_log")]


def test_every_compliance_rule_is_documented() -> None:
    from registry.rules.findings import rule_catalogue

    documented = (ROOT / "docs" / "obligations.md").read_text()
    missing = [rule["id"] for rule in rule_catalogue() if f"`{rule['id']}`" not in documented]
    assert missing == []
