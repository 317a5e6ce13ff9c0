"""Project-level guarantees: import direction, the OpenAPI document, documented settings and rules."""

from __future__ import annotations

import ast
import json
import sys
import tempfile
from pathlib import Path

from api.app import create_app
from api.cli.openapi import openapi_document
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


# The registry's packages and what each may import (function-level imports count too). Read from the
# top: a feature builds on those above it, never on those below, so no two packages import each other.
# `core` is registry/*.py (errors, clock, access, events, fields, pagination, keyfiles); composition.py and
# piccolo_app.py are the registry's composition modules and may import every package.
REGISTRY_LAYERS: dict[str, set[str]] = {
    "core": set(),
    "db": {"core"},
    "accesslog": {"core", "db"},
    "schedules": {"core", "db"},
    "organizations": {"core", "db", "accesslog"},
    "systems": {"core", "db", "accesslog", "organizations"},
    "products": {"core", "db", "accesslog", "organizations", "systems"},
    "obligations": {"core", "db", "accesslog", "organizations", "systems", "schedules", "products"},
    "questions": {"core", "db", "accesslog", "organizations", "systems"},
    "sessions": {"core", "db", "accesslog", "systems"},
    "members": {"core", "db", "accesslog", "organizations", "systems", "sessions"},
    "demo": {
        "core",
        "db",
        "accesslog",
        "organizations",
        "systems",
        "obligations",
        "questions",
        "products",
        "sessions",
        "members",
    },
    "updates": {
        "core",
        "db",
        "accesslog",
        "organizations",
        "systems",
        "obligations",
        "questions",
        "sessions",
        "members",
        "schedules",
    },
}
COMPOSITION_MODULES = {"composition", "piccolo_app"}


def _registry_package(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "registry":
        return None
    if len(parts) > 1 and ((ROOT / "registry" / parts[1]).is_dir() or parts[1] in COMPOSITION_MODULES):
        return parts[1]
    return "core"


def _registry_module_imports() -> dict[str, set[str]]:
    """Each registry module (dotted name) and the registry modules it imports, wherever the import is."""
    modules = {}
    for path in (ROOT / "registry").rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                candidates = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            for candidate in candidates:
                if candidate in modules:
                    targets.add(candidate)
                    break
        found[name] = targets - {name}
    return found


def test_registry_packages_import_only_the_layers_below_them() -> None:
    assert set(REGISTRY_LAYERS) | COMPOSITION_MODULES >= {
        p.name for p in (ROOT / "registry").iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }, "a new package under registry/ needs its place in REGISTRY_LAYERS"
    offending = []
    for module, targets in _registry_module_imports().items():
        source = _registry_package(module)
        if source in COMPOSITION_MODULES or source is None:
            continue
        for target in targets:
            package = _registry_package(target)
            if package != source and package not in REGISTRY_LAYERS[source]:
                offending.append(f"{module} -> {target}")
    assert sorted(offending) == []


def test_no_registry_module_imports_itself_through_others() -> None:
    graph = _registry_module_imports()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            # A package's __init__ that re-exports its own modules is not a cycle of the design.
            if module.startswith(f"{target}.") or target.startswith(f"{module}."):
                continue
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


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
    from webhooks.settings import MailSettings, WebhookSettings

    documented = (ROOT / "docs" / "configuration.md").read_text()
    names = {
        f"AIREG_{name.upper()}"
        for cls in (
            ApiSettings,
            DatabaseSettings,
            AccessLogSettings,
            WebhookSettings,
            MailSettings,
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


def test_the_openapi_document_is_valid_openapi() -> None:
    from openapi_spec_validator import validate

    validate(json.loads((ROOT / "openapi" / "openapi.json").read_text()))
    document = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    change = document["paths"]["/api/v1/systems/{system_id}"]["patch"]
    assert [p["required"] for p in change["parameters"] if p["name"] == "If-Match"] == [True]
