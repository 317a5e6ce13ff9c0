"""Organizations (employers): create, list, read, change."""

from __future__ import annotations

import uuid
from typing import Any

from registry.access import Actor, Role, sees_organization
from registry.accesslog import context as audit
from registry.clock import iso, utcnow
from registry.db import write_transaction
from registry.errors import Conflict, FieldProblem, Forbidden, InvalidFields, NotFound
from registry.organizations.models import OrganizationFields, OrganizationPatch, sector_of
from registry.organizations.tables import Organization


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "cvr": row["cvr"],
        "employer_type": row["employer_type"],
        "sector": row["sector"],
        "cooperation_body": row["cooperation_body"],
        "notice_period_days": row["notice_period_days"],
        "maturity_level": row["maturity_level"],
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


def _parse_id(org_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(org_id)
    except ValueError as exc:
        raise NotFound("Organization not found.") from exc


async def _cvr_taken(cvr: str, *, other_than: uuid.UUID | None = None) -> bool:
    query = Organization.exists().where(Organization.cvr == cvr)
    if other_than is not None:
        query = query.where(Organization.id != other_than)
    return bool(await query)


async def create_organization(actor: Actor, fields: OrganizationFields) -> dict[str, Any]:
    if actor.role is not Role.platform_admin:
        raise Forbidden("Only platform admins create organizations.")
    now = utcnow()
    org_id = uuid.uuid4()
    audit.note(organization_id=str(org_id), resource_id=str(org_id))
    async with write_transaction(Organization._meta.db):
        if await _cvr_taken(fields.cvr):
            raise Conflict(
                "An organization with this CVR is already registered.",
                problems=[FieldProblem("cvr", "is already registered")],
            )
        await Organization.insert(
            Organization(id=org_id, created_at=now, updated_at=now, **fields.model_dump())
        )
    return await get_organization(actor, str(org_id))


async def organization_names() -> dict[str, str]:
    """Every organization's name by id (for mail that names the organization)."""
    rows = await Organization.select(Organization.id, Organization.name)
    return {str(row["id"]): str(row["name"]) for row in rows}


async def organization_name(org_id: str) -> str:
    """One organization's name ("" when there is no such organization)."""
    row = await Organization.select(Organization.name).where(Organization.id == _parse_id(org_id)).first()
    return str(row["name"]) if row else ""


async def list_organizations(actor: Actor) -> list[dict[str, Any]]:
    query = Organization.select().order_by(Organization.name)
    if actor.org is not None:
        query = query.where(Organization.id == _parse_id(actor.org))
    elif actor.role not in (Role.platform_admin, Role.auditor):
        return []
    return [_view(row) for row in await query]


async def get_organization(actor: Actor, org_id: str) -> dict[str, Any]:
    if not sees_organization(actor, org_id):
        raise NotFound("Organization not found.")
    row = await Organization.select().where(Organization.id == _parse_id(org_id)).first()
    if row is None:
        raise NotFound("Organization not found.")
    return _view(row)


async def update_organization(actor: Actor, org_id: str, patch: OrganizationPatch) -> dict[str, Any]:
    if actor.role not in (Role.platform_admin, Role.employer_admin):
        raise Forbidden("Only platform admins and the organization's employer admins change it.")
    if not sees_organization(actor, org_id):
        raise NotFound("Organization not found.")
    changes = patch.model_dump(exclude_unset=True)
    for required in ("name", "sector", "cooperation_body", "notice_period_days", "employer_type"):
        if required in changes and changes[required] is None:
            raise InvalidFields(
                "A required field cannot be cleared.", problems=[FieldProblem(required, "cannot be null")]
            )
    if "employer_type" in changes:
        sector = sector_of(changes["employer_type"])
        if changes.get("sector", sector) != sector:
            raise InvalidFields(
                "The sector contradicts the employer type.",
                problems=[
                    FieldProblem("sector", f"is {sector} for employer_type {changes['employer_type']}")
                ],
            )
        changes["sector"] = sector
    async with write_transaction(Organization._meta.db):
        key = _parse_id(org_id)
        if not await Organization.exists().where(Organization.id == key):
            raise NotFound("Organization not found.")
        if "sector" in changes and "employer_type" not in changes:
            # A sector alone: a private employer's type follows; a public one's is not known any more
            # unless it was already public.
            current = (
                await Organization.select(Organization.employer_type).where(Organization.id == key).first()
            )
            stored = current["employer_type"] if current else None
            if changes["sector"] == "private":
                changes["employer_type"] = "private"
            elif stored in (None, "private"):
                changes["employer_type"] = None
        if changes:
            values: dict[Any, Any] = {**changes, Organization.updated_at: utcnow()}
            await Organization.update(values).where(Organization.id == key)
    return await get_organization(actor, org_id)


async def organization_exists(org_id: str) -> bool:
    try:
        key = uuid.UUID(org_id)
    except ValueError:
        return False
    return bool(await Organization.exists().where(Organization.id == key))
