"""The histories of notices, consultations and workers' information (registry/systems/records.py):
record an entry, list a system's entries, and read every entry of many systems for the rules.

Recording happens in the transaction of its write, which also refreshes the system's read models
(`notice`, `consultation`, `workers_informed_at`), emits `system.record_added` and lets the
obligations follow (the findings are recomputed) without changing the system's version."""

from __future__ import annotations

import json
import uuid
from typing import Any

from pydantic import ValidationError

from registry.access import Actor, require_register_writer
from registry.accesslog import context as audit
from registry.clock import iso, to_micros, utcnow
from registry.db import dialect_of, write_transaction
from registry.errors import FieldProblem, InvalidFields, InvalidInput, NotFound, field_path
from registry.events import Event, EventType, emit
from registry.systems.followers import SystemChange, follower
from registry.systems.records import FIELDS_OF, RecordKind, entry_problems, read_models
from registry.systems.tables import AISystem, SystemRecord
from registry.systems.visibility import visible_system

# The registry is written in English; the API's paths name the kinds like this.
KIND_LABEL = {
    RecordKind.notice: "notice",
    RecordKind.consultation: "consultation",
    RecordKind.worker_information: "workers' information",
}


def locked(query: Any) -> Any:
    """The query holding the rows it reads until the transaction ends (PostgreSQL; SQLite's write
    transaction already holds the whole database): writes of one system's histories, read models and
    versions take turns, so none is lost and entries are numbered one after the other."""
    if dialect_of(AISystem._meta.db).sqlite:
        return query
    return query.lock_rows()


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def entry_view(row: dict[str, Any]) -> dict[str, Any]:
    """An entry as the API shows it: its stated fields plus id, number and who recorded it when."""
    return {
        "id": str(row["id"]),
        "system_id": str(row["system"]),
        "kind": row["kind"],
        "number": row["number"],
        **_loads(row["document"]),
        "covers_version": row["covers_version"],
        "replaces": str(row["replaces"]) if row["replaces"] else None,
        "recorded_at": iso(row["recorded_at"]),
        "recorded_by": row["recorded_by"],
    }


def validated_entry(kind: RecordKind, values: dict[str, Any], *, field: str | None = None) -> dict[str, Any]:
    """The entry's stated fields as JSON values; `field` names the system field it was written through
    (problems then name it). A malformed entry is InvalidFields (400); one that contradicts itself,
    InvalidInput (422)."""
    prefix = f"{field}." if field else ""
    try:
        entry = FIELDS_OF[kind].model_validate(values)
    except ValidationError as exc:
        problems = [
            FieldProblem(
                prefix + (field_path(item["loc"]) or kind.value), item["msg"].removeprefix("Value error, ")
            )
            for item in exc.errors(include_url=False)
        ]
        raise InvalidFields(f"The {KIND_LABEL[kind]} is not valid.", problems=problems) from exc
    if contradictions := entry_problems(entry):
        problems = [FieldProblem(prefix + p.field, p.reason) for p in contradictions]
        raise InvalidInput(f"The {KIND_LABEL[kind]} contradicts itself.", problems=problems)
    return entry.model_dump(mode="json", exclude_none=True)


async def _entries(system_key: uuid.UUID) -> list[dict[str, Any]]:
    rows = await SystemRecord.select().where(SystemRecord.system == system_key).order_by(SystemRecord.number)
    return [entry_view(row) for row in rows]


async def append_entries(
    org_id: str,
    system_key: uuid.UUID,
    current_version: int,
    entries: list[tuple[RecordKind, dict[str, Any]]],
    author: str,
    *,
    field: str | None = None,
) -> list[dict[str, Any]]:
    """Append validated entries (inside the caller's transaction); returns every entry of the system
    afterwards, oldest first. A `covers_version` the system never had, or a `replaces` that is not an
    earlier entry of the same history, is refused."""
    existing = await _entries(system_key)
    number = len(existing)
    now = utcnow()
    for given_kind, values in entries:
        kind = RecordKind(given_kind)
        covers = values.get("covers_version")
        if covers is not None and covers > current_version:
            raise InvalidInput(
                "The entry names a version the system never had.",
                problems=[
                    FieldProblem(field or "covers_version", f"the system has versions 1 to {current_version}")
                ],
            )
        replaces = values.get("replaces")
        if replaces is not None and not any(e["id"] == replaces and e["kind"] == kind for e in existing):
            raise InvalidInput(
                "The entry it replaces is not in this history.",
                problems=[FieldProblem("replaces", f"is not an earlier {KIND_LABEL[kind]} of this system")],
            )
        number += 1
        stated = {k: v for k, v in values.items() if k not in ("covers_version", "replaces")}
        row = {
            "id": uuid.uuid4(),
            "system": system_key,
            "kind": kind.value,
            "number": number,
            "document": _dumps(stated),
            "covers_version": covers,
            "replaces": uuid.UUID(replaces) if replaces else None,
            "recorded_at": now,
            "recorded_by": author,
        }
        await SystemRecord.insert(SystemRecord(organization=uuid.UUID(org_id), **row))  # type: ignore[arg-type]
        existing.append(entry_view(row))
        await emit(
            Event(
                type=EventType.system_record_added,
                organization_id=org_id,
                data={
                    "system_id": str(system_key),
                    "version": current_version,
                    "kind": kind.value,
                    "record_id": str(row["id"]),
                    "covers_version": covers,
                },
            )
        )
    return existing


async def _refresh_system(
    org_id: str, system_key: uuid.UUID, entries: list[dict[str, Any]], author: str
) -> None:
    """Put the histories' latest entries into the system's read models (same version) and let the
    obligations follow."""
    row = await AISystem.select(AISystem.document).where(AISystem.id == system_key).first()
    if row is None:
        raise NotFound("AI system not found.")
    previous = _loads(row["document"])
    now = utcnow()
    document = {**previous, **read_models(entries), "updated_at": iso(now)}
    await AISystem.update(
        {
            AISystem.document: _dumps(document),
            AISystem.changed_us: to_micros(now),
            AISystem.updated_at: now,
            AISystem.updated_by: author,
        }
    ).where(AISystem.id == system_key)
    await follower().follow(SystemChange(org_id, str(system_key), previous, document, []))


async def record(
    actor: Actor, system_id: str, kind: RecordKind | str, values: dict[str, Any]
) -> dict[str, Any]:
    """Append one entry to a system's history (employer admins of its organization)."""
    kind = RecordKind(kind)
    system_key, org_id = await visible_system(actor, system_id)
    require_register_writer(actor, org_id)
    audit.note(organization_id=org_id, resource_id=system_id)
    stated = validated_entry(kind, values)
    async with write_transaction(SystemRecord._meta.db):
        current = await locked(AISystem.select(AISystem.version).where(AISystem.id == system_key)).first()
        if current is None:
            raise NotFound("AI system not found.")
        entries = await append_entries(org_id, system_key, current["version"], [(kind, stated)], actor.sub)
        await _refresh_system(org_id, system_key, entries, actor.sub)
    return entries[-1]


async def list_entries(actor: Actor, system_id: str, kind: RecordKind | str) -> list[dict[str, Any]]:
    system_key, _ = await visible_system(actor, system_id)
    return [e for e in await _entries(system_key) if e["kind"] == RecordKind(kind)]


async def entries_of(system_keys: list[uuid.UUID]) -> dict[str, list[dict[str, Any]]]:
    """Every entry of each system, oldest first, as the rules read them."""
    if not system_keys:
        return {}
    rows = (
        await SystemRecord.select()
        .where(SystemRecord.system.is_in(system_keys))
        .order_by(SystemRecord.number)
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(str(row["system"]), []).append(entry_view(row))
    return found


__all__ = [
    "append_entries",
    "entries_of",
    "entry_view",
    "list_entries",
    "locked",
    "record",
    "validated_entry",
]
