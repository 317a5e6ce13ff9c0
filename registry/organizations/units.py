"""Units: workplaces and MED/SU areas of an organization, as a tree."""

from __future__ import annotations

import uuid
from typing import Any

from registry.access import Actor, require_register_reader, require_register_writer
from registry.accesslog import context as audit
from registry.clock import iso, utcnow
from registry.db import write_transaction
from registry.errors import FieldProblem, InvalidFields, InvalidInput, NotFound
from registry.organizations.models import UnitFields, UnitPatch
from registry.organizations.service import organization_exists
from registry.organizations.tables import Unit


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "organization_id": str(row["organization"]),
        "name": row["name"],
        "parent_id": str(row["parent"]) if row["parent"] else None,
        "committee": row["committee"],
        "headcount": row["headcount"],
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


async def unit_parents(org_id: str) -> dict[str, str | None]:
    """Every unit of the organization mapped to its parent unit."""
    rows = await Unit.select(Unit.id, Unit.parent).where(Unit.organization == uuid.UUID(org_id))
    return {str(r["id"]): (str(r["parent"]) if r["parent"] else None) for r in rows}


async def _require_org(org_id: str) -> None:
    if not await organization_exists(org_id):
        raise NotFound("Organization not found.")


def _check_parent(parents: dict[str, str | None], unit_id: str | None, parent_id: str | None) -> None:
    if parent_id is None:
        return
    if parent_id not in parents:
        raise InvalidInput(
            "The parent unit is not a unit of this organization.",
            problems=[FieldProblem("parent_id", "is not a unit of this organization")],
        )
    seen: str | None = parent_id
    while seen is not None:
        if seen == unit_id:
            raise InvalidInput(
                "A unit cannot be placed below itself.",
                problems=[FieldProblem("parent_id", "would make the unit its own ancestor")],
            )
        seen = parents.get(seen)


async def list_units(actor: Actor, org_id: str) -> list[dict[str, Any]]:
    require_register_reader(actor, org_id)
    await _require_org(org_id)
    rows = await Unit.select().where(Unit.organization == uuid.UUID(org_id)).order_by(Unit.name)
    return [_view(r) for r in rows]


async def create_unit(actor: Actor, org_id: str, fields: UnitFields) -> dict[str, Any]:
    require_register_writer(actor, org_id)
    await _require_org(org_id)
    unit_id = uuid.uuid4()
    now = utcnow()
    audit.note(organization_id=org_id, resource_id=str(unit_id))
    async with write_transaction(Unit._meta.db):
        _check_parent(await unit_parents(org_id), None, fields.parent_id)
        await Unit.insert(
            Unit(
                id=unit_id,
                organization=uuid.UUID(org_id),
                name=fields.name,
                parent=uuid.UUID(fields.parent_id) if fields.parent_id else None,
                committee=fields.committee,
                headcount=fields.headcount,
                created_at=now,
                updated_at=now,
            )
        )
    return await get_unit(actor, str(unit_id))


async def _unit_row(unit_id: str) -> dict[str, Any] | None:
    try:
        key = uuid.UUID(unit_id)
    except ValueError:
        return None
    return await Unit.select().where(Unit.id == key).first()


async def get_unit(actor: Actor, unit_id: str) -> dict[str, Any]:
    row = await _unit_row(unit_id)
    if row is None:
        raise NotFound("Unit not found.")
    audit.note(organization_id=str(row["organization"]))
    try:
        require_register_reader(actor, str(row["organization"]))
    except NotFound as exc:
        raise NotFound("Unit not found.") from exc
    return _view(row)


async def update_unit(actor: Actor, unit_id: str, patch: UnitPatch) -> dict[str, Any]:
    row = await _unit_row(unit_id)
    if row is None:
        raise NotFound("Unit not found.")
    org_id = str(row["organization"])
    audit.note(organization_id=org_id)
    try:
        require_register_writer(actor, org_id)
    except NotFound as exc:
        raise NotFound("Unit not found.") from exc
    changes = patch.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise InvalidFields("A unit needs a name.", problems=[FieldProblem("name", "cannot be null")])
    values: dict[Any, Any] = {}
    async with write_transaction(Unit._meta.db):
        if "parent_id" in changes:
            _check_parent(await unit_parents(org_id), unit_id, changes["parent_id"])
            values[Unit.parent] = uuid.UUID(changes["parent_id"]) if changes["parent_id"] else None
        for name in ("name", "committee", "headcount"):
            if name in changes:
                values[getattr(Unit, name)] = changes[name]
        if values:
            values[Unit.updated_at] = utcnow()
            await Unit.update(values).where(Unit.id == uuid.UUID(unit_id))
    return await get_unit(actor, unit_id)
