"""The role guards, called directly: each admits exactly its roles and refuses everyone else with 403."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.exceptions import PermissionDeniedException

from api import guards
from registry import Actor, Role

ORG = "0b7c3f52-7a0e-4f63-9a57-6f1a1f4f4c10"

CALLERS: dict[str, Any] = {
    "platform_admin": Actor(sub="p", role=Role.platform_admin),
    "employer_admin": Actor(sub="e", role=Role.employer_admin, org=ORG),
    "steward": Actor(sub="s", role=Role.steward, org=ORG),
    "unit-limited steward": Actor(sub="u", role=Role.steward, org=ORG, units=(ORG,)),
    "auditor": Actor(sub="a", role=Role.auditor, org=ORG),
    "auditor without org": Actor(sub="g", role=Role.auditor),
    "no user": None,
    "a role name instead of an actor": "platform_admin",
    "a dict that looks like an actor": {"sub": "x", "role": "employer_admin", "org": ORG},
}

READERS = {"employer_admin", "steward", "unit-limited steward", "auditor", "auditor without org"}

ADMITS = {
    guards.platform_admin: {"platform_admin"},
    guards.organization_admin: {"platform_admin", "employer_admin"},
    guards.employer_admin: {"employer_admin"},
    guards.register_reader: READERS,
    guards.steward: {"steward", "unit-limited steward"},
}


@dataclass
class FakeConnection:
    """The guards read nothing but `.user`."""

    user: Any


def cases() -> list[Any]:
    return [
        pytest.param(guard, caller, caller in admitted, id=f"{guard.__name__}-{caller}")
        for guard, admitted in ADMITS.items()
        for caller in CALLERS
    ]


@pytest.mark.parametrize(("guard", "caller", "admitted"), cases())
async def test_guard(guard: Any, caller: str, admitted: bool) -> None:
    connection: Any = FakeConnection(CALLERS[caller])
    if admitted:
        assert await guard(connection, None) is None
    else:
        with pytest.raises(PermissionDeniedException) as refused:
            await guard(connection, None)
        assert refused.value.status_code == 403


def test_every_guard_of_the_module_is_covered() -> None:
    public = {
        function
        for name, function in inspect.getmembers(guards, inspect.isfunction)
        if function.__module__ == guards.__name__ and not name.startswith("_")
    }
    assert public == set(ADMITS)


async def test_the_refusal_names_no_role_and_no_organization() -> None:
    with pytest.raises(PermissionDeniedException) as refused:
        await guards.employer_admin(FakeConnection(CALLERS["auditor"]), None)  # type: ignore[arg-type]
    assert ORG not in str(refused.value.detail)
