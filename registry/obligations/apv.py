"""APV reassessments: opened by material changes of an AI system (one per affected unit, none twice
while one is open), listed with their due dates, and completed by the employer with the AMO.

Opening happens inside the transaction of the change that makes it necessary, with its event."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from registry.access import Actor, require_register_reader, require_register_writer
from registry.accesslog import context as audit
from registry.clock import iso, utcnow, workplace_today
from registry.db import write_transaction
from registry.errors import Conflict, FieldProblem, InvalidInput, NotFound
from registry.events import Event, EventType, emit
from registry.fields import days_out_of_range
from registry.obligations.findings import recompute_system
from registry.obligations.models import ReassessmentPatch
from registry.obligations.tables import ApvReassessment
from registry.organizations.service import organization_exists
from registry.systems.visibility import system_scope, visible

DEFAULT_DUE_DAYS = 30


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _view(row: dict[str, Any], today: date) -> dict[str, Any]:
    due = row["due_date"]
    return {
        "id": str(row["id"]),
        "organization_id": str(row["organization"]),
        "system_id": str(row["system"]),
        "unit_id": row["unit_id"],
        "status": row["status"],
        "reasons": _loads(row["reasons"]) or [],
        "opened_version": row["opened_version"],
        "opened_at": iso(row["opened_at"]),
        "due_date": due.isoformat(),
        "overdue": row["status"] == "open" and due < today,
        "completed_at": iso(row["completed_at"]) if row["completed_at"] else None,
        "completed_by": row["completed_by"],
        "amo_participation": _loads(row["amo_participation"]),
        "findings": row["findings"],
        "action_items": _loads(row["action_items"]) or [],
        "updated_at": iso(row["updated_at"]),
        "cancelled_reason": row.get("cancelled_reason"),
    }


async def open_reassessments(
    org_id: str,
    system_id: str,
    version: int,
    unit_ids: list[str],
    reasons: list[str],
    *,
    due_days: int = DEFAULT_DUE_DAYS,
    effective_at: date | None = None,
) -> list[str]:
    """Open a revision for each affected unit (no units: one for the whole organization) that has none
    open, and emit apv.reassessment_required for each; an open one collects the reasons of the later
    change. Call inside the change's transaction."""
    system_key = uuid.UUID(system_id)
    open_rows = await ApvReassessment.select(
        ApvReassessment.id, ApvReassessment.unit_id, ApvReassessment.reasons
    ).where((ApvReassessment.system == system_key) & (ApvReassessment.status == "open"))
    already = {row["unit_id"] for row in open_rows}
    now = utcnow()
    # Due the set number of days after the change took effect: a change entered afterwards may be
    # overdue at once, as it was at the workplace.
    due = (effective_at or now.date()) + timedelta(days=due_days)
    for row in open_rows:
        known = list(_loads(row["reasons"]) or [])
        added = [reason for reason in reasons if reason not in known]
        if added:
            await ApvReassessment.update(
                {ApvReassessment.reasons: json.dumps(known + added), ApvReassessment.updated_at: now}
            ).where(ApvReassessment.id == row["id"])
    opened = []
    targets: list[str | None] = [*unit_ids] or [None]
    for unit in targets:
        if unit in already:
            continue
        key = uuid.uuid4()
        await ApvReassessment.insert(
            ApvReassessment(
                id=key,
                organization=uuid.UUID(org_id),
                system=system_key,
                unit_id=unit,
                status="open",
                reasons=json.dumps(reasons),
                opened_version=version,
                opened_at=now,
                due_date=due,
                action_items="[]",
                updated_at=now,
            )
        )
        opened.append(str(key))
        await emit(
            Event(
                type=EventType.apv_reassessment_required,
                organization_id=org_id,
                data={
                    "reassessment_id": str(key),
                    "system_id": system_id,
                    "version": version,
                    "unit_id": unit,
                    "due_date": due.isoformat(),
                    "reasons": reasons,
                },
            )
        )
    return opened


RETIRED = "The system was retired; the revision is no longer needed."


async def cancel_reassessments(org_id: str, system_id: str, reason: str = RETIRED) -> None:
    """Close a system's open revisions as cancelled, with the reason (they stay readable). Call inside
    the change's transaction."""
    now = utcnow()
    await ApvReassessment.update(
        {
            ApvReassessment.status: "cancelled",
            ApvReassessment.cancelled_reason: reason,
            ApvReassessment.updated_at: now,
        }
    ).where((ApvReassessment.system == uuid.UUID(system_id)) & (ApvReassessment.status == "open"))


async def list_reassessments(
    actor: Actor,
    org_id: str,
    *,
    status: str | None = None,
    overdue: bool | None = None,
    unit_id: str | None = None,
    system_id: str | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """An organization's reassessments, those due first."""
    require_register_reader(actor, org_id)
    if not await organization_exists(org_id):
        raise NotFound("Organization not found.")
    today = today or utcnow().date()
    query = ApvReassessment.select().where(ApvReassessment.organization == uuid.UUID(org_id))
    if status is not None:
        query = query.where(ApvReassessment.status == status)
    if overdue is not None:
        late = (ApvReassessment.status == "open") & (ApvReassessment.due_date < today)
        in_time = (ApvReassessment.status != "open") | (ApvReassessment.due_date >= today)
        query = query.where(late if overdue else in_time)
    if unit_id is not None:
        query = query.where(ApvReassessment.unit_id == unit_id)
    if system_id is not None:
        query = query.where(ApvReassessment.system == uuid.UUID(system_id))
    rows = await query.order_by(ApvReassessment.due_date).order_by(ApvReassessment.opened_at)
    scope = await system_scope(actor, org_id)
    if scope is not None:
        rows = [row for row in rows if str(row["system"]) in scope]
    return [_view(row, today) for row in rows]


async def _owned(actor: Actor, reassessment_id: str, *, write: bool) -> dict[str, Any]:
    try:
        key = uuid.UUID(reassessment_id)
    except ValueError as exc:
        raise NotFound("APV reassessment not found.") from exc
    row = await ApvReassessment.select().where(ApvReassessment.id == key).first()
    if row is None:
        raise NotFound("APV reassessment not found.")
    org_id = str(row["organization"])
    audit.note(organization_id=org_id)
    try:
        (require_register_writer if write else require_register_reader)(actor, org_id)
    except NotFound as exc:
        raise NotFound("APV reassessment not found.") from exc
    if not await visible(actor, org_id, str(row["system"])):
        raise NotFound("APV reassessment not found.")
    return row


async def get_reassessment(actor: Actor, reassessment_id: str) -> dict[str, Any]:
    return _view(await _owned(actor, reassessment_id, write=False), utcnow().date())


def _completed_at(stated: str | None, now: datetime) -> datetime:
    """When a revision was completed: the day stated (noon UTC, so it reads as that day in Denmark),
    never in the future; else now."""
    if stated is None:
        return now
    day = date.fromisoformat(stated)
    if day > workplace_today():
        raise InvalidInput(
            "An APV revision cannot be completed in the future.",
            problems=[FieldProblem("completed_on", "is after today")],
        )
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


async def update_reassessment(actor: Actor, reassessment_id: str, patch: ReassessmentPatch) -> dict[str, Any]:
    """Record AMO participation, findings and action items; `status: completed` completes it (AMO
    participation must be stated). A completed reassessment is on record and no longer changes."""
    row = await _owned(actor, reassessment_id, write=True)
    if problems := days_out_of_range(patch):
        raise InvalidInput("A date is out of range.", problems=problems)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    now = utcnow()
    async with write_transaction(ApvReassessment._meta.db):
        current = await ApvReassessment.select().where(ApvReassessment.id == row["id"]).first()
        if current is None:
            raise NotFound("APV reassessment not found.")
        if current["status"] != "open":
            raise Conflict(f"The APV revision is {current['status']} and on record; it no longer changes.")
        values: dict[Any, Any] = {ApvReassessment.updated_at: now}
        if "amo_participation" in changes:
            values[ApvReassessment.amo_participation] = json.dumps(changes["amo_participation"])
        if "findings" in changes:
            values[ApvReassessment.findings] = changes["findings"]
        if "action_items" in changes:
            values[ApvReassessment.action_items] = json.dumps(changes["action_items"] or [])
        completing = changes.get("status") == "completed"
        if completing:
            stated = changes.get("amo_participation") or _loads(current["amo_participation"])
            if not stated:
                raise InvalidInput(
                    "State whether the working-environment organisation took part before completing.",
                    problems=[FieldProblem("amo_participation", "is required to complete the reassessment")],
                )
            values |= {
                ApvReassessment.status: "completed",
                ApvReassessment.completed_at: _completed_at(changes.get("completed_on"), now),
                ApvReassessment.completed_by: actor.sub,
            }
        await ApvReassessment.update(values).where(ApvReassessment.id == row["id"])
        if completing:
            await emit(
                Event(
                    type=EventType.apv_reassessment_completed,
                    organization_id=str(row["organization"]),
                    data={
                        "reassessment_id": str(row["id"]),
                        "system_id": str(row["system"]),
                        "unit_id": row["unit_id"],
                        "amo_participated": bool((stated or {}).get("participated")),
                    },
                )
            )
            await recompute_system(str(row["system"]))
    return await get_reassessment(actor, reassessment_id)


__all__ = [
    "cancel_reassessments",
    "get_reassessment",
    "list_reassessments",
    "open_reassessments",
    "update_reassessment",
]
