"""The access rules of registry/access.py: pure functions over an Actor, no HTTP and no database."""

from __future__ import annotations

from typing import Any

import pytest

from registry.access import (
    Actor,
    Role,
    require_register_reader,
    require_register_writer,
    sees_organization,
    touches,
    unit_scope,
)
from registry.errors import Forbidden, NotFound

OWN = "11111111-1111-4111-8111-111111111111"
OTHER = "22222222-2222-4222-8222-222222222222"

PLATFORM_ADMIN = Actor(sub="p", role=Role.platform_admin)
EMPLOYER_ADMIN = Actor(sub="e", role=Role.employer_admin, org=OWN)
STEWARD = Actor(sub="s", role=Role.steward, org=OWN)
AUDITOR = Actor(sub="a", role=Role.auditor, org=OWN)
GLOBAL_AUDITOR = Actor(sub="g", role=Role.auditor)
# Never produced by a valid token, but the rules must not hand them everything.
EMPLOYER_ADMIN_WITHOUT_ORG = Actor(sub="x", role=Role.employer_admin)
STEWARD_WITHOUT_ORG = Actor(sub="y", role=Role.steward)

ACTORS = {
    "platform_admin": PLATFORM_ADMIN,
    "employer_admin": EMPLOYER_ADMIN,
    "steward": STEWARD,
    "auditor": AUDITOR,
    "auditor without org": GLOBAL_AUDITOR,
    "employer_admin without org": EMPLOYER_ADMIN_WITHOUT_ORG,
    "steward without org": STEWARD_WITHOUT_ORG,
}

# actor -> (answer for its own organization, answer for another organization)
SEES = {
    "platform_admin": (True, True),
    "employer_admin": (True, False),
    "steward": (True, False),
    "auditor": (True, False),
    "auditor without org": (True, True),
    "employer_admin without org": (False, False),
    "steward without org": (False, False),
}
READS: dict[str, tuple[Any, Any]] = {
    "platform_admin": (Forbidden, Forbidden),
    "employer_admin": (None, NotFound),
    "steward": (None, NotFound),
    "auditor": (None, NotFound),
    "auditor without org": (None, None),
    "employer_admin without org": (NotFound, NotFound),
    "steward without org": (NotFound, NotFound),
}
WRITES: dict[str, tuple[Any, Any]] = {
    "platform_admin": (Forbidden, Forbidden),
    "employer_admin": (None, NotFound),
    "steward": (Forbidden, Forbidden),
    "auditor": (Forbidden, Forbidden),
    "auditor without org": (Forbidden, Forbidden),
    "employer_admin without org": (NotFound, NotFound),
    "steward without org": (Forbidden, Forbidden),
}


def per_organization(table: dict[str, tuple[Any, Any]]) -> list[Any]:
    return [
        pytest.param(name, org, expected[index], id=f"{name}-{'own' if org == OWN else 'other'}")
        for name, expected in table.items()
        for index, org in enumerate((OWN, OTHER))
    ]


def test_every_role_appears_in_the_tables() -> None:
    assert {actor.role for actor in ACTORS.values()} == set(Role)
    assert set(SEES) == set(READS) == set(WRITES) == set(ACTORS)


@pytest.mark.parametrize(("name", "org", "expected"), per_organization(SEES))
def test_sees_organization(name: str, org: str, expected: bool) -> None:
    assert sees_organization(ACTORS[name], org) is expected


def assert_outcome(rule: Any, actor: Actor, org: str, expected: type[Exception] | None) -> None:
    if expected is None:
        assert rule(actor, org) is None
    else:
        with pytest.raises(expected) as refused:
            rule(actor, org)
        assert type(refused.value) is expected
        assert org not in refused.value.message


@pytest.mark.parametrize(("name", "org", "expected"), per_organization(READS))
def test_require_register_reader(name: str, org: str, expected: type[Exception] | None) -> None:
    assert_outcome(require_register_reader, ACTORS[name], org, expected)


@pytest.mark.parametrize(("name", "org", "expected"), per_organization(WRITES))
def test_require_register_writer(name: str, org: str, expected: type[Exception] | None) -> None:
    assert_outcome(require_register_writer, ACTORS[name], org, expected)


@pytest.mark.parametrize("name", [n for n, (own, _) in WRITES.items() if own is Forbidden])
def test_a_role_without_the_right_gets_the_same_answer_for_every_organization(name: str) -> None:
    messages = []
    for org in (OWN, OTHER):
        with pytest.raises(Forbidden) as refused:
            require_register_writer(ACTORS[name], org)
        messages.append(refused.value.message)
    assert messages[0] == messages[1]


# --- unit scope -------------------------------------------------------------------------------------
#
#   city hall            home care
#                       /          \
#                 home care N    home care S
#                      |
#                 night shift N

CITY_HALL, HOME_CARE, NORTH, SOUTH, NIGHT = "city hall", "home care", "home care N", "home care S", "night N"
PARENTS: dict[str, str | None] = {
    CITY_HALL: None,
    HOME_CARE: None,
    NORTH: HOME_CARE,
    SOUTH: HOME_CARE,
    NIGHT: NORTH,
}


def steward(*units: str) -> Actor:
    return Actor(sub="s", role=Role.steward, org=OWN, units=units)


@pytest.mark.parametrize("actor", [PLATFORM_ADMIN, EMPLOYER_ADMIN, STEWARD, AUDITOR, GLOBAL_AUDITOR])
def test_unit_scope_is_unlimited_for_everyone_but_a_unit_limited_steward(actor: Actor) -> None:
    assert unit_scope(actor, PARENTS) is None


def test_units_on_a_non_steward_do_not_limit_it() -> None:
    admin = Actor(sub="e", role=Role.employer_admin, org=OWN, units=(CITY_HALL,))
    assert unit_scope(admin, PARENTS) is None


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        ((HOME_CARE,), {HOME_CARE, NORTH, SOUTH, NIGHT}),
        ((NORTH,), {NORTH, NIGHT}),
        ((NIGHT,), {NIGHT}),
        ((CITY_HALL,), {CITY_HALL}),
        ((CITY_HALL, NORTH), {CITY_HALL, NORTH, NIGHT}),
        ((NORTH, HOME_CARE), {HOME_CARE, NORTH, SOUTH, NIGHT}),
    ],
    ids=["top unit", "middle unit", "leaf", "unit without children", "two units", "overlapping units"],
)
def test_unit_scope_holds_the_units_and_everything_below_them(
    units: tuple[str, ...], expected: set[str]
) -> None:
    scope = unit_scope(steward(*units), PARENTS)
    assert scope == frozenset(expected)


def test_unit_scope_never_reaches_up_or_sideways() -> None:
    scope = unit_scope(steward(NORTH), PARENTS)
    assert scope is not None
    assert HOME_CARE not in scope
    assert SOUTH not in scope
    assert CITY_HALL not in scope


@pytest.mark.parametrize(
    ("units", "expected"),
    [(("elsewhere",), set()), (("elsewhere", NORTH), {NORTH, NIGHT}), ((), set())],
    ids=["only unknown units", "unknown and known units", "no units"],
)
def test_unit_scope_ignores_unknown_units(units: tuple[str, ...], expected: set[str]) -> None:
    assert unit_scope(steward(*units), PARENTS) == frozenset(expected)


def test_unit_scope_ignores_units_known_only_as_a_parent() -> None:
    parents: dict[str, str | None] = {"child": "missing parent"}
    assert unit_scope(steward("missing parent"), parents) == frozenset()


def test_unit_scope_ends_on_a_cycle() -> None:
    parents: dict[str, str | None] = {"a": "b", "b": "a", "c": None}
    assert unit_scope(steward("a"), parents) == frozenset({"a", "b"})


def test_unit_scope_of_an_organization_without_units_is_empty() -> None:
    assert unit_scope(steward(NORTH), {}) == frozenset()


# --- touches ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("system_units", "scope", "expected"),
    [
        ([NORTH], None, True),
        ([], None, True),
        ([], frozenset(), True),
        ([], frozenset({NORTH}), True),
        ([NORTH], frozenset({NORTH, NIGHT}), True),
        ([CITY_HALL, NIGHT], frozenset({NORTH, NIGHT}), True),
        ([CITY_HALL], frozenset({NORTH, NIGHT}), False),
        ([HOME_CARE], frozenset({NORTH, NIGHT}), False),
        ([NORTH], frozenset(), False),
    ],
    ids=[
        "no limit",
        "whole organization, no limit",
        "whole organization, empty scope",
        "whole organization, limited scope",
        "unit in scope",
        "one of several units in scope",
        "unit outside scope",
        "parent of the scope is outside it",
        "empty scope",
    ],
)
def test_touches(system_units: list[str], scope: frozenset[str] | None, expected: bool) -> None:
    assert touches(system_units, scope) is expected


def test_touches_accepts_any_iterable() -> None:
    assert touches(iter([NIGHT]), frozenset({NIGHT})) is True
    assert touches(iter([]), frozenset({NIGHT})) is True
    assert touches((u for u in [CITY_HALL]), frozenset({NIGHT})) is False
