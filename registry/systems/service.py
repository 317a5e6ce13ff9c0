"""AI systems: register, change (with an immutable revision per version), read, list, history."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from registry.access import Actor, require_register_writer
from registry.accesslog import context as audit
from registry.clock import iso, to_micros, utcnow, workplace_today
from registry.db import dialect_of, write_transaction
from registry.errors import (
    FieldProblem,
    InvalidFields,
    InvalidInput,
    NotFound,
    PreconditionRequired,
    VersionMismatch,
    field_path,
)
from registry.events import emit, system_event
from registry.fields import EARLIEST_DAY, OUT_OF_RANGE, days_out_of_range
from registry.organizations.service import organization_exists
from registry.organizations.units import unit_parents
from registry.systems.consistency import contradictions
from registry.systems.followers import SystemChange, follower
from registry.systems.history import changed_field_names, field_changes
from registry.systems.models import SystemFields, risk_class_of, special_categories_of
from registry.systems.record_service import append_entries, locked, validated_entry
from registry.systems.records import LEGACY_FIELDS, entries_from_legacy, read_models
from registry.systems.search import SEARCHED_FIELDS, indexed_text
from registry.systems.tables import AISystem, SystemRecord, SystemRevision
from registry.systems.visibility import readable_system


@dataclass(frozen=True)
class StoredSystem:
    body: bytes  # the stored JSON representation, UTF-8
    version: int

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.body)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _problems_of(error: ValidationError) -> list[FieldProblem]:
    return [FieldProblem(field_path(item["loc"]), item["msg"]) for item in error.errors(include_url=False)]


def _validated(fields: dict[str, Any]) -> SystemFields:
    try:
        return SystemFields.model_validate(fields)
    except ValidationError as exc:
        raise InvalidFields("The AI system is not valid.", problems=_problems_of(exc)) from exc


async def _check_units(org_id: str, unit_ids: list[str]) -> None:
    known = await unit_parents(org_id)
    problems = [
        FieldProblem(f"unit_ids[{i}]", "is not a unit of this organization")
        for i, unit in enumerate(unit_ids)
        if unit not in known
    ]
    if problems:
        raise InvalidInput("Some units are not units of this organization.", problems=problems)


def _complete(fields: SystemFields, effective: date) -> dict[str, Any]:
    """The stated fields as JSON values, with what the register fills in itself (a retired system
    was retired the day the change took effect)."""
    stated = fields.model_dump(mode="json")
    if stated["status"] == "retired" and not stated["retired_at"]:
        stated["retired_at"] = effective.isoformat()
    problems = days_out_of_range(fields) + contradictions(stated)
    if problems:
        raise InvalidInput("Some dates or statuses contradict each other.", problems=problems)
    return stated


def _document(
    system_id: uuid.UUID,
    org_id: str,
    version: int,
    stated: dict[str, Any],
    created: datetime,
    updated: datetime,
) -> dict[str, Any]:
    return {
        "id": str(system_id),
        "organization_id": org_id,
        "version": version,
        **stated,
        "special_categories": special_categories_of(stated["data_categories"]),
        "created_at": iso(created),
        "updated_at": iso(updated),
    }


def _columns(document: dict[str, Any], updated: datetime, author: str) -> dict[Any, Any]:
    search = indexed_text(document.get(name) for name in SEARCHED_FIELDS)
    return {
        AISystem.version: document["version"],
        AISystem.document: _dumps(document),
        AISystem.name: document["name"],
        AISystem.status: document["status"],
        AISystem.category: document["category"],
        AISystem.control_measure: document["control_measure"],
        AISystem.risk_class: risk_class_of(document),
        AISystem.data_categories: list(document["data_categories"]),
        AISystem.unit_ids: list(document["unit_ids"]),
        AISystem.search_text: search,
        AISystem.product_card_id: document.get("product_card_id"),
        AISystem.changed_us: to_micros(updated),
        AISystem.updated_at: updated,
        AISystem.updated_by: author,
    }


async def _record_revision(
    system_id: uuid.UUID,
    document: dict[str, Any],
    changed: list[str],
    material: list[str],
    author: str,
    note: str | None,
    effective_at: date,
) -> None:
    await SystemRevision.insert(
        SystemRevision(
            id=uuid.uuid4(),
            system=system_id,
            version=document["version"],
            document=_dumps(document),
            changed_fields=_dumps(changed),
            material_reasons=_dumps(material),
            change_note=note,
            author=author,
            created_at=utcnow(),
            effective_at=effective_at,
        )
    )


def effective_day(effective_at: date | None) -> date:
    """The day a change took effect: as stated (never in the future), else today."""
    today = workplace_today()
    if effective_at is None:
        return today
    if effective_at < EARLIEST_DAY:
        raise InvalidInput(
            "A change cannot have taken effect that long ago.",
            problems=[FieldProblem("effective_at", OUT_OF_RANGE)],
        )
    if effective_at > today:
        raise InvalidInput(
            "A change cannot take effect in the future; record it when it does.",
            problems=[FieldProblem("effective_at", f"is after today ({today.isoformat()})")],
        )
    return effective_at


async def _record_legacy_entries(
    org_id: str,
    system_key: uuid.UUID,
    version: int,
    previous: dict[str, Any] | None,
    changes: dict[str, Any],
    author: str,
) -> dict[str, Any] | None:
    """Record what a write to `notice`, `consultation` or `workers_informed_at` stands for, as new
    entries of their histories; returns the system's read models afterwards (None: nothing written).
    The first entry of a history is about the system as first put into use, a later one about the
    version the write makes."""
    for name in LEGACY_FIELDS:
        if name in changes and changes[name] is None and (previous or {}).get(name) is not None:
            raise InvalidInput(
                "Notices, consultations and workers' information are histories: nothing is deleted.",
                problems=[
                    FieldProblem(name, "cannot be removed; record a new entry that replaces the wrong one")
                ],
            )
    wanted = entries_from_legacy(previous, changes)
    if not wanted:
        return None
    kinds = set()
    if previous is not None:
        rows = await SystemRecord.select(SystemRecord.kind).where(SystemRecord.system == system_key)
        kinds = {row["kind"] for row in rows}
    entries = []
    for kind, field, values in wanted:
        stated = validated_entry(kind, values, field=field)
        if kind in kinds:
            stated["covers_version"] = version
        entries.append((kind, stated))
    recorded = await append_entries(org_id, system_key, version, entries, author)
    return read_models(recorded)


async def register_system(
    actor: Actor,
    org_id: str,
    fields: SystemFields,
    change_note: str | None = None,
    *,
    effective_at: date | None = None,
    prechecked: bool = False,
) -> StoredSystem:
    """`prechecked`: the caller (an import, in its own transaction) has checked that the organization
    exists and that the units are its own, once for all its rows."""
    require_register_writer(actor, org_id)
    if not prechecked and not await organization_exists(org_id):
        raise NotFound("Organization not found.")
    effective = effective_day(effective_at)
    stated = _complete(fields, effective)
    system_id, now = uuid.uuid4(), utcnow()
    audit.note(organization_id=org_id, resource_id=str(system_id))
    document = _document(system_id, org_id, 1, stated, now, now)
    async with write_transaction(AISystem._meta.db):
        if not prechecked:
            await _check_units(org_id, stated["unit_ids"])
        columns = {col._meta.name: value for col, value in _columns(document, now, actor.sub).items()}
        await AISystem.insert(
            AISystem(
                id=system_id,
                organization=uuid.UUID(org_id),
                sort_key=to_micros(now),
                created_at=now,
                created_by=actor.sub,
                **columns,
            )
        )
        read = await _record_legacy_entries(org_id, system_id, 1, None, stated, actor.sub)
        if read is not None:
            document |= read
            await AISystem.update({AISystem.document: _dumps(document)}).where(AISystem.id == system_id)
        changed = changed_field_names(None, document)
        material = follower().material_reasons(None, document)
        await _record_revision(system_id, document, changed, material, actor.sub, change_note, effective)
        await emit(
            system_event(
                org_id,
                str(system_id),
                1,
                previous_status=None,
                status=document["status"],
                changed_fields=changed,
                material_reasons=material,
            )
        )
        await follower().follow(SystemChange(org_id, str(system_id), None, document, material, effective))
    return StoredSystem(body=_dumps(document).encode(), version=1)


async def _visible_row(actor: Actor, system_id: str) -> dict[str, Any]:
    """The system's version and stored JSON when the actor may read it (systems/visibility.py)."""
    dialect = dialect_of(AISystem._meta.db)
    key, org_id, (version, body) = await readable_system(
        actor, system_id, f'"version", {dialect.as_bytes("document")}'
    )
    return {"id": key, "organization": org_id, "version": version, "body": body}


async def get_system(actor: Actor, system_id: str) -> StoredSystem:
    row = await _visible_row(actor, system_id)
    return StoredSystem(body=bytes(row["body"]), version=row["version"])


STATED_MATERIAL = "stated_material"
"""The material reason of a change the employer marks material (no rule of its own needs to fire)."""


async def update_system(
    actor: Actor,
    system_id: str,
    changes: dict[str, Any],
    *,
    if_match: list[int] | None,
    change_note: str | None = None,
    effective_at: date | None = None,
    material: bool = False,
) -> StoredSystem:
    """Apply `changes` (top-level fields, each replaced as a whole) to the version the caller read.
    Exactly one of two concurrent edits of the same version wins; the other gets VersionMismatch.
    A change that changes nothing writes nothing and answers with the version as it is; a change of
    `notice`, `consultation` or `workers_informed_at` alone records an entry of its history without a
    new version. `material` marks the change material in the employer's judgment."""
    row = await _visible_row(actor, system_id)
    org_id = str(row["organization"])
    require_register_writer(actor, org_id)
    if not if_match:
        raise PreconditionRequired("Send If-Match with the ETag of the version you edited.")
    unknown = [name for name in changes if name not in SystemFields.model_fields]
    if unknown:
        raise InvalidFields(
            "Unknown fields.",
            problems=[FieldProblem(name, "is not a field of an AI system") for name in unknown],
        )
    effective = effective_day(effective_at)
    key = uuid.UUID(system_id)
    async with write_transaction(AISystem._meta.db):
        current = await locked(
            AISystem.select(AISystem.version, AISystem.document, AISystem.created_at).where(
                AISystem.id == key
            )
        ).first()
        if current is None:
            raise NotFound("AI system not found.")
        if current["version"] not in if_match:
            raise VersionMismatch(
                "The AI system changed since you read it; read it again and reapply your change.",
                current_version=current["version"],
            )
        previous = json.loads(current["document"])
        merged = {name: previous.get(name) for name in SystemFields.model_fields} | changes
        stated = _complete(_validated(merged), effective)
        legacy_only = {name: previous.get(name) for name in LEGACY_FIELDS}
        now = utcnow()
        version = current["version"] + 1
        document = _document(key, org_id, version, stated | legacy_only, current["created_at"], now)
        changed = changed_field_names(previous, document)
        # What the histories' fields were sent as, as stored (a notice sent without its empty keys is
        # the same notice): only a different one is a new entry.
        legacy = {name: stated[name] for name in LEGACY_FIELDS if name in changes}
        if material and not changed:
            raise InvalidInput(
                "Only a change can be marked material, and this one changes no field of the system.",
                problems=[FieldProblem("material", "marks a change; send it with the fields that change")],
            )
        if not changed:
            # Nothing versioned changes: at most an entry of a history (same version).
            read = await _record_legacy_entries(org_id, key, current["version"], previous, legacy, actor.sub)
            if read is None:
                return StoredSystem(body=_dumps(previous).encode(), version=current["version"])
            document = {**previous, **read, "updated_at": iso(now)}
            await AISystem.update(
                {
                    AISystem.document: _dumps(document),
                    AISystem.changed_us: to_micros(now),
                    AISystem.updated_at: now,
                    AISystem.updated_by: actor.sub,
                }
            ).where(AISystem.id == key)
            await follower().follow(SystemChange(org_id, system_id, previous, document, []))
            return StoredSystem(body=_dumps(document).encode(), version=current["version"])
        if "unit_ids" in changes:
            await _check_units(org_id, stated["unit_ids"])
        read = await _record_legacy_entries(org_id, key, version, previous, legacy, actor.sub)
        if read is not None:
            document |= read
        updated = (
            await AISystem.update(_columns(document, now, actor.sub))
            .where((AISystem.id == key) & (AISystem.version == current["version"]))
            .returning(AISystem.id)
        )
        if not updated:
            # Another writer got there first (possible on PostgreSQL, where writers do not queue).
            raise VersionMismatch("The AI system changed since you read it.", current_version=None)
        material_reasons = follower().material_reasons(previous, document)
        if material and STATED_MATERIAL not in material_reasons:
            material_reasons.append(STATED_MATERIAL)
        await _record_revision(key, document, changed, material_reasons, actor.sub, change_note, effective)
        await emit(
            system_event(
                org_id,
                system_id,
                version,
                previous_status=previous["status"],
                status=document["status"],
                changed_fields=changed,
                material_reasons=material_reasons,
            )
        )
        await follower().follow(
            SystemChange(org_id, system_id, previous, document, material_reasons, effective)
        )
    return StoredSystem(body=_dumps(document).encode(), version=version)


def _revision_summary(row: dict[str, Any]) -> dict[str, Any]:
    reasons = row.get("material_reasons")
    return {
        "version": row["version"],
        "author": row["author"],
        "created_at": iso(row["created_at"]),
        "change_note": row["change_note"],
        "changed_fields": json.loads(row["changed_fields"]),
        "material_reasons": json.loads(reasons) if isinstance(reasons, str) else list(reasons or []),
        "effective_at": _effective(row),
    }


def _effective(row: dict[str, Any]) -> str:
    """The day the change took effect; a revision recorded before changes had one took effect the day
    it was recorded."""
    value = row.get("effective_at")
    if value is None:
        return row["created_at"].date().isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)


async def list_revisions(actor: Actor, system_id: str) -> list[dict[str, Any]]:
    row = await _visible_row(actor, system_id)
    revisions = (
        await SystemRevision.select(
            SystemRevision.version,
            SystemRevision.author,
            SystemRevision.created_at,
            SystemRevision.change_note,
            SystemRevision.changed_fields,
            SystemRevision.material_reasons,
            SystemRevision.effective_at,
        )
        .where(SystemRevision.system == row["id"])
        .order_by(SystemRevision.version, ascending=False)
    )
    return [_revision_summary(r) for r in revisions]


async def _revision_row(system_key: uuid.UUID, version: int) -> dict[str, Any] | None:
    return (
        await SystemRevision.select()
        .where((SystemRevision.system == system_key) & (SystemRevision.version == version))
        .first()
    )


async def get_revision(actor: Actor, system_id: str, version: int) -> dict[str, Any]:
    row = await _visible_row(actor, system_id)
    revision = await _revision_row(row["id"], version)
    if revision is None:
        raise NotFound(f"AI system has no version {version}.")
    return {**_revision_summary(revision), "document": json.loads(revision["document"])}


async def diff_revisions(
    actor: Actor, system_id: str, version: int, against: int | None = None
) -> dict[str, Any]:
    """Field-level changes from version `against` (default: the one before) to `version`."""
    row = await _visible_row(actor, system_id)
    base_version = version - 1 if against is None else against
    target = await _revision_row(row["id"], version)
    if target is None:
        raise NotFound(f"AI system has no version {version}.")
    base = await _revision_row(row["id"], base_version) if base_version >= 1 else None
    if base is None and base_version >= 1:
        raise NotFound(f"AI system has no version {base_version}.")
    return {
        "system_id": str(row["id"]),
        "from_version": base_version if base is not None else None,
        "to_version": version,
        "changes": field_changes(
            json.loads(base["document"]) if base else None, json.loads(target["document"])
        ),
    }
