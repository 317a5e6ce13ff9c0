"""Which AI systems of an organization an actor sees: all of them, except for a steward limited to
units, who sees the systems touching those units (and units below them) and systems with no units."""

from __future__ import annotations

import uuid
from typing import Any

from registry.access import Actor, require_register_reader, require_register_role, touches, unit_scope
from registry.accesslog import context as audit
from registry.db import fetch_by_id
from registry.errors import NotFound
from registry.organizations.units import unit_parents
from registry.systems.tables import AISystem


async def system_scope(actor: Actor, org_id: str) -> set[str] | None:
    """The ids of the systems the actor sees; None when it sees every system of the organization."""
    if actor.units is None:
        return None
    scope = unit_scope(actor, await unit_parents(org_id))
    if scope is None:
        return None
    rows = await AISystem.select(AISystem.id, AISystem.unit_ids).where(
        AISystem.organization == uuid.UUID(org_id)
    )
    return {str(row["id"]) for row in rows if touches(row["unit_ids"], scope)}


async def visible(actor: Actor, org_id: str, system_id: str) -> bool:
    scope = await system_scope(actor, org_id)
    return scope is None or system_id in scope


async def readable_system(
    actor: Actor, system_id: str, columns: str = ""
) -> tuple[uuid.UUID, str, tuple[Any, ...]]:
    """The system's id, its organization and the values of `columns` (a fixed SELECT list) when the
    actor may read it: the one check of who reads which system. A role that reads no register gets
    Forbidden before any lookup (so the answer does not depend on the object); otherwise NotFound,
    whatever the reason (no such system, another organization's, or one outside a unit-limited
    steward's units)."""
    require_register_role(actor)
    try:
        key = uuid.UUID(system_id)
    except ValueError as exc:
        raise NotFound("AI system not found.") from exc
    found = await fetch_by_id(AISystem, f'"organization", "unit_ids"{", " if columns else ""}{columns}', key)
    if found is None:
        raise NotFound("AI system not found.")
    organization, unit_ids, *values = found
    org_id = str(organization)
    audit.note(organization_id=org_id)
    try:
        require_register_reader(actor, org_id)
    except NotFound as exc:
        raise NotFound("AI system not found.") from exc
    if actor.units is not None and not touches(unit_ids, unit_scope(actor, await unit_parents(org_id))):
        raise NotFound("AI system not found.")
    return key, org_id, tuple(values)


async def visible_system(actor: Actor, system_id: str) -> tuple[uuid.UUID, str]:
    """The system's id and organization when the actor may read it (see `readable_system`)."""
    key, org_id, _ = await readable_system(actor, system_id)
    return key, org_id
