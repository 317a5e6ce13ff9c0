"""`python -m tests.support.earlier_release [findings|histories]`: make a database as an earlier release
made it, put in it what that release stored, bring it up to date with the register's own migrate, and
print as JSON what the migrations applied and what the register then says. The database is the one
AIREG_DATABASE_URL / AIREG_DATA_DIR name (a test's own).

- `findings` (the default): the release before findings kept their message as a key (every registry
  migration up to 2026-11-30T02:19:55), with a finding stored as its Danish and English sentences.
- `histories`: the release before notices, consultations and workers' information were histories (up to
  2026-12-05T22:00:00), with a system whose versions each held one notice, consultation and date."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

PREVIOUS = "2026-11-30T02:19:55:703087"
EARLIER_DA = "Den seneste APV, der dækker systemet, er fra 2023-05-01, 1123 dage siden."
EARLIER_EN = "The latest APV covering the system is from 2023-05-01, 1123 days ago."


BEFORE_HISTORIES = "2026-12-05T22:00:00:000000"


async def _forwards(up_to: str) -> None:
    for app, until in (("registry", up_to), ("webhooks", "all")):
        result = await run_forwards(app_name=app, migration_id=until)
        if not result.success:
            raise SystemExit(result.message)


def _version(number: int, **fields: Any) -> dict[str, Any]:
    base = {"name": "Ruteplanlægning", "purpose": "Ruter", "category": "monitoring", "control_measure": True}
    return {"version": number, **base, "status": "in_use", "unit_ids": [], "data_categories": [], **fields}


# Each version as that release stored it: one notice, one consultation and one date at a time.
FIRST_NOTICE = {"given_at": "2025-02-10", "audience": "Distrikt Nord", "text_ref": "Varsling 1.0"}
SECOND_NOTICE = {"given_at": "2025-06-16", "audience": "Nord og Syd", "text_ref": "Varsling 2.0"}
CONSULTATION = {"committee": "lokal-MED", "informed_at": "2024-11-19", "decided_at": "2025-01-28"}
CORRECTED = {**CONSULTATION, "decided_at": "2025-01-29"}  # a wrong date corrected in a later version
VERSIONS = [
    _version(1, notice=FIRST_NOTICE, consultation=CONSULTATION, workers_informed_at="2025-02-10"),
    _version(2, notice=FIRST_NOTICE, consultation=CORRECTED, workers_informed_at="2025-02-10"),
    _version(3, notice=SECOND_NOTICE, consultation=CORRECTED, workers_informed_at="2025-06-16"),
]
MATERIAL = ['["went_into_use"]', "[]", '["new_units_affected"]']
# What the release before accepted and a new entry may not be: a late notice without a reason or a
# date it was given, a consultation with only its committee.
SPARSE = _version(
    1, notice={"audience": "Alle", "late_notice_at": "2025-03-01"}, consultation={"committee": "SU"}
)


async def histories() -> None:
    """A system of the release before histories, with three versions, migrated: what it became."""
    await _forwards(BEFORE_HISTORIES)
    engine = engine_finder()
    org, system = uuid.uuid4(), uuid.uuid4()
    await engine.run_querystring(
        QueryString(
            'INSERT INTO "organization" ("id", "name", "cvr", "sector") VALUES ({}, {}, {}, {})',
            org,
            "Org",
            "29189919",
            "public",
        )
    )
    document = json.dumps({"id": str(system), "organization_id": str(org), **VERSIONS[-1]})
    await engine.run_querystring(
        QueryString(
            'INSERT INTO "ai_system" ("id", "organization", "version", "document") VALUES ({}, {}, {}, {})',
            system,
            org,
            len(VERSIONS),
            document,
        )
    )
    sparse = uuid.uuid4()
    await engine.run_querystring(
        QueryString(
            'INSERT INTO "ai_system" ("id", "organization", "version", "document") VALUES ({}, {}, {}, {})',
            sparse,
            org,
            1,
            json.dumps({"id": str(sparse), "organization_id": str(org), **SPARSE}),
        )
    )
    await engine.run_querystring(
        QueryString(
            'INSERT INTO "system_revision" ("id", "system", "version", "document", "changed_fields", '
            '"material_reasons", "author", "created_at") VALUES ({}, {}, {}, {}, {}, {}, {}, {})',
            uuid.uuid4(),
            sparse,
            1,
            json.dumps(SPARSE),
            "[]",
            "[]",
            "author-sparse",
            datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
        )
    )
    for number, version in enumerate(VERSIONS, 1):
        await engine.run_querystring(
            QueryString(
                'INSERT INTO "system_revision" ("id", "system", "version", "document", "changed_fields", '
                '"material_reasons", "author", "created_at") VALUES ({}, {}, {}, {}, {}, {}, {}, {})',
                uuid.uuid4(),
                system,
                number,
                json.dumps(version),
                "[]",
                MATERIAL[number - 1],
                f"author-{number}",
                datetime(2025, number * 3, 1, 9, 0, tzinfo=UTC),
            )
        )

    from registry import Actor, Role
    from registry.db.migrate import migrate, pending_migrations
    from registry.systems import record_service
    from registry.systems.service import list_revisions

    applied = await migrate()
    auditor = Actor(sub="auditor", role=Role.auditor, org=str(org))
    entries = {
        kind: await record_service.list_entries(auditor, str(system), kind)
        for kind in ("notice", "consultation", "worker_information")
    }
    revisions = await list_revisions(auditor, str(system))
    # The API answers with what the sparse system's entries hold (an answer model would refuse them
    # as a new entry and make the read a 500).
    from api.schemas.records import Consultation, Notice

    shown = [
        Notice.model_validate(e).model_dump(mode="json")
        for e in await record_service.list_entries(auditor, str(sparse), "notice")
    ] + [
        Consultation.model_validate(e).model_dump(mode="json")
        for e in await record_service.list_entries(auditor, str(sparse), "consultation")
    ]
    print(
        json.dumps(
            {
                "applied": applied,
                "pending": await pending_migrations(),
                "entries": entries,
                "effective": [r["effective_at"] for r in revisions],
                "sparse": shown,
            },
            ensure_ascii=False,
        )
    )


async def main() -> None:
    for app, up_to in (("registry", PREVIOUS), ("webhooks", "all")):
        result = await run_forwards(app_name=app, migration_id=up_to)
        if not result.success:
            raise SystemExit(result.message)
    engine = engine_finder()
    org, system, finding = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await engine.run_querystring(
        QueryString(
            'INSERT INTO "organization" ("id", "name", "cvr") VALUES ({}, {}, {})', org, "Org", "29189919"
        )
    )
    await engine.run_querystring(
        QueryString('INSERT INTO "ai_system" ("id", "organization") VALUES ({}, {})', system, org)
    )
    await engine.run_querystring(
        QueryString(
            'INSERT INTO "system_finding" ("id", "organization", "system", "rule_id", "severity", '
            '"message_da", "message_en", "source", "fields", "status") '
            "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
            finding,
            org,
            system,
            "apv.outdated",
            "violation",
            EARLIER_DA,
            EARLIER_EN,
            "Arbejdsmiljøloven § 15 a",
            "[]",
            "resolved",
        )
    )

    from api.schemas.obligations import ComplianceFinding
    from registry import Actor, Role
    from registry.db.migrate import migrate, pending_migrations
    from registry.obligations.findings import list_system_findings

    applied = await migrate()
    auditor = Actor(sub="auditor", role=Role.auditor, org=str(org))
    [kept] = await list_system_findings(auditor, str(system), status=None)
    shown = ComplianceFinding.of(kept)
    print(
        json.dumps(
            {
                "applied": applied,
                "pending": await pending_migrations(),
                "status": shown.status,
                "message_da": shown.message_da,
                "message_en": shown.message_en,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    asyncio.run(histories() if sys.argv[1:] == ["histories"] else main())
