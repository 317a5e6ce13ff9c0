"""Notices, consultations and workers' information become histories (table system_record), changes
get the day they took effect (system_revision.effective_at), organizations an employer type, and APV
revisions can be cancelled (a retired system's).

Nothing is lost: every notice, consultation and date of workers' information a system has shown in
any of its versions becomes an entry of its history, in the order of the versions, recorded by the
author of the version that first showed it, at that version's time. The first entry of each history is
about the system as first put into use; a later one recorded with a material change is about the
version that recorded it (the register kept one notice, so a later notice was written when something
changed), and a later notice or consultation recorded without one corrects the entry before (it
replaces it, about what that one covered). A change recorded before
effective dates took effect the day it was recorded. The daily recompute is made due at once: the
rules now read the histories."""

import json
import uuid

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T00:25:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "Existing notices, consultations and workers' information become histories; past changes took effect when recorded"


class RawStatement(Table):
    """Only a handle for running the statements below."""


BATCH = 200  # systems per read: their revisions' documents are held in memory while walked
LEGACY = ("notice", "consultation", "workers_informed_at")


def _loads(value):
    return json.loads(value) if isinstance(value, str) else value


def _entry(name, value):
    """A legacy field's value as (kind, stated fields) of its history."""
    if name == "notice":
        entry = {k: value.get(k) for k in ("given_at", "audience", "text_ref") if value.get(k) is not None}
        if value.get("exception_reason") or value.get("late_notice_at"):
            entry["exception"] = {
                "reason": value.get("exception_reason"),
                "late_notice_at": value.get("late_notice_at"),
            }
        return "notice", entry
    if name == "consultation":
        return "consultation", {k: v for k, v in value.items() if v is not None}
    return "worker_information", {"party": "workers", "informed_at": value}


async def _histories(sqlite):
    systems = await RawStatement.raw('SELECT "id", "organization" FROM "ai_system" ORDER BY "id"')
    insert = (
        'INSERT INTO "system_record" ("id", "organization", "system", "kind", "number", "document", '
        '"covers_version", "replaces", "recorded_at", "recorded_by") VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})'
    )
    for start in range(0, len(systems), BATCH):
        batch = systems[start : start + BATCH]
        placeholders = ", ".join(["{}"] * len(batch))
        revisions = await RawStatement.raw(
            'SELECT "system", "version", "document", "author", "created_at", "material_reasons" FROM "system_revision" '
            f'WHERE "system" IN ({placeholders}) ORDER BY "system", "version"',
            *[row["id"] for row in batch],
        )
        organizations = {str(row["id"]): row["organization"] for row in batch}
        seen = {}
        for revision in revisions:
            key = str(revision["system"])
            state = seen.setdefault(key, {"number": 0, "last": {}, "latest": {}})
            document = _loads(revision["document"])
            material = bool(_loads(revision["material_reasons"]) or [])
            for name in LEGACY:
                value = document.get(name)
                if not value or value == state["last"].get(name):
                    continue
                state["last"][name] = value
                kind, stated = _entry(name, value)
                earlier = state["latest"].get(kind)  # (id, covers) of the latest entry of this history
                replaces = None
                if earlier is None:
                    covers = None
                elif not material and kind != "worker_information":
                    # Changed in a version that changed nothing material: a correction of the entry
                    # before (or its next step: the same round decided), about what that one covered.
                    replaces, covers = earlier
                else:
                    covers = revision["version"]
                entry_id = uuid.uuid4()
                state["latest"][kind] = (entry_id, covers)
                state["number"] += 1
                moment = revision["created_at"]
                await RawStatement.raw(
                    insert,
                    str(entry_id) if sqlite else entry_id,
                    organizations[key] if not sqlite else str(organizations[key]),
                    revision["system"] if not sqlite else str(revision["system"]),
                    kind,
                    state["number"],
                    json.dumps(stated, ensure_ascii=False),
                    covers,
                    (str(replaces) if sqlite else replaces) if replaces else None,
                    moment,
                    revision["author"],
                )


async def backfill():
    sqlite = "sqlite" in type(RawStatement._meta.db).__name__.lower()
    if sqlite:
        await RawStatement.raw(
            'UPDATE "system_revision" SET "effective_at" = substr("created_at", 1, 10) WHERE "effective_at" IS NULL'
        )
    else:
        await RawStatement.raw(
            'UPDATE "system_revision" SET "effective_at" = ("created_at" AT TIME ZONE \'UTC\')::date '
            'WHERE "effective_at" IS NULL'
        )
    await _histories(sqlite)
    # One number per entry of a system: concurrent writers take turns (registry/systems/record_service.py).
    await RawStatement.raw(
        'CREATE UNIQUE INDEX IF NOT EXISTS "system_record_number" ON "system_record" ("system", "number")'
    )
    await RawStatement.raw("DELETE FROM \"scheduled_run\" WHERE \"name\" = 'findings-recompute'")




async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
