"""Who may see and change what. Pure rules over an Actor; no HTTP, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from registry.errors import Forbidden, NotFound


class Role(StrEnum):
    platform_admin = "platform_admin"
    employer_admin = "employer_admin"
    steward = "steward"
    auditor = "auditor"


ORG_ROLES = frozenset({Role.employer_admin, Role.steward, Role.auditor})
ROLES_NEEDING_ORG = frozenset({Role.employer_admin, Role.steward})


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, as the domain sees it."""

    sub: str
    role: Role
    org: str | None = None
    units: tuple[str, ...] | None = None  # a steward limited to these units (and the units below them)
    name: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)


def sees_organization(actor: Actor, org_id: str) -> bool:
    if actor.role is Role.platform_admin:
        return True
    if actor.org is None:
        return actor.role is Role.auditor
    return actor.org == org_id


def require_register_role(actor: Actor) -> None:
    """Employer admins, stewards and auditors read registers; platform admins manage organizations.
    Checked before any lookup, so the answer to another role does not depend on the object."""
    if actor.role not in ORG_ROLES:
        raise Forbidden("Your role does not read registers.")


def require_register_reader(actor: Actor, org_id: str) -> None:
    """Reading an organization's register: its employer admins, stewards and auditors (and auditors
    without an organization). Another organization's register does not exist for the actor."""
    require_register_role(actor)
    if not sees_organization(actor, org_id):
        raise NotFound("Organization not found.")


def require_register_writer(actor: Actor, org_id: str) -> None:
    """Changing an organization's register: its employer admins only. The role is checked first: the
    answer to a role without the right does not depend on the object, so it reveals nothing."""
    if actor.role is not Role.employer_admin:
        raise Forbidden("Only the organization's employer admins change its register.")
    if actor.org != org_id:
        raise NotFound("Organization not found.")


def unit_scope(actor: Actor, unit_parents: dict[str, str | None]) -> frozenset[str] | None:
    """The units a unit-limited steward may see: those in the token and every unit below them.
    None means no unit limit. `unit_parents` maps each unit id of the organization to its parent."""
    if actor.role is not Role.steward or actor.units is None:
        return None
    allowed = {u for u in actor.units if u in unit_parents}
    children: dict[str, list[str]] = {}
    for unit, parent in unit_parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    stack = list(allowed)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in allowed:
                allowed.add(child)
                stack.append(child)
    return frozenset(allowed)


def touches(system_units: Iterable[str], scope: frozenset[str] | None) -> bool:
    """A system with no units applies to the whole organization and so touches every unit."""
    if scope is None:
        return True
    units = list(system_units)
    return not units or any(u in scope for u in units)
