"""`python -m tests.support.earlier_release`: make a database as the release before findings kept their
message as a key (every registry migration up to 2026-11-30T02:19:55), put in it a finding that release
stored (its Danish and English sentences), bring it up to date with the register's own migrate, and print
as JSON what the migration applied and what the register then says of the finding, in both languages.
The database is the one AIREG_DATABASE_URL / AIREG_DATA_DIR name (a test's own)."""

from __future__ import annotations

import asyncio
import json
import uuid

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

PREVIOUS = "2026-11-30T02:19:55:703087"
EARLIER_DA = "Den seneste APV, der dækker systemet, er fra 2023-05-01, 1123 dage siden."
EARLIER_EN = "The latest APV covering the system is from 2023-05-01, 1123 days ago."


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
    asyncio.run(main())
