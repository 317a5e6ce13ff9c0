"""Project-level guarantees: import direction, the OpenAPI document, documented settings and rules."""

from __future__ import annotations

import ast
import json
import sys
import tempfile
from pathlib import Path

from api.app import create_app
from api.cli import openapi_document
from api.settings import ApiSettings

ROOT = Path(__file__).resolve().parents[2]
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


def test_every_setting_is_documented() -> None:
    from api.pages.settings import PageSettings
    from api.settings import ApiSettings
    from registry.accesslog.settings import AccessLogSettings
    from registry.db.settings import DatabaseSettings
    from registry.obligations.settings import RuleSettings
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
    from registry.obligations.rules import rule_catalogue

    documented = (ROOT / "docs" / "obligations.md").read_text()
    missing = [rule["id"] for rule in rule_catalogue() if f"`{rule['id']}`" not in documented]
    assert missing == []
