"""Text search by words (registry/systems/search.py).

1. `search_text` of every existing system is rewritten to the words of its searched fields, separated
   by single spaces (the services write it so from now on). Both engines: SQLite's search relies on it.
2. On PostgreSQL only, one GIN index per text-search configuration, on exactly the expressions the list
   query uses (registry/systems/search.py text_condition; a test checks that the planner uses them). SQLite
   has no full-text indexes here: it scans an organization's rows, as it did before.

The same migrations run on both engines, so the engine is asked at run time, as in the access-log
trigger migration. The indexes are built inside the migration's transaction (no CONCURRENTLY), so
writes to ai_system wait while they are built.
"""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from registry.systems.search import SEARCHED_FIELDS, indexed_text

ID = "2026-11-29T21:07:24:525760"
VERSION = "1.38.0"
DESCRIPTION = "Text search: words-only search_text, GIN full-text indexes (danish, english) on PostgreSQL"

BATCH = 500
POSTGRES_CREATE = [
    'CREATE INDEX IF NOT EXISTS ai_system_search_danish ON "ai_system" '
    "USING gin (to_tsvector('danish', \"search_text\"))",
    'CREATE INDEX IF NOT EXISTS ai_system_search_english ON "ai_system" '
    "USING gin (to_tsvector('english', \"search_text\"))",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS ai_system_search_danish",
    "DROP INDEX IF EXISTS ai_system_search_english",
]


class RawStatement(Table):
    """Only a handle for running the statements below."""


def _on_postgres() -> bool:
    return RawStatement._meta.db.engine_type != "sqlite"


def _search_text(document) -> str:
    fields = json.loads(document) if isinstance(document, str) else document
    return indexed_text(fields.get(name) for name in SEARCHED_FIELDS)


async def rewrite_search_text() -> None:
    """In batches, in id order, so a large register is never held in memory at once."""
    after = None
    while True:
        if after is None:
            rows = await RawStatement.raw(
                'SELECT "id", "document" FROM "ai_system" ORDER BY "id" LIMIT {}', BATCH
            )
        else:
            rows = await RawStatement.raw(
                'SELECT "id", "document" FROM "ai_system" WHERE "id" > {} ORDER BY "id" LIMIT {}',
                after,
                BATCH,
            )
        if not rows:
            return
        ids = [row["id"] for row in rows]
        texts = [_search_text(row["document"]) for row in rows]
        if _on_postgres():
            await RawStatement.raw(
                'UPDATE "ai_system" AS s SET "search_text" = v.text '
                "FROM unnest({}::uuid[], {}::text[]) AS v(id, text) WHERE s.\"id\" = v.id",
                ids,
                texts,
            )
        else:
            for system_id, text in zip(ids, texts):
                await RawStatement.raw(
                    'UPDATE "ai_system" SET "search_text" = {} WHERE "id" = {}', text, system_id
                )
        after = ids[-1]


async def create_indexes() -> None:
    if _on_postgres():
        for statement in POSTGRES_CREATE:
            await RawStatement.raw(statement)


async def drop_indexes() -> None:
    # The rewritten search_text stays: the substring search of earlier versions still finds words in it.
    if _on_postgres():
        for statement in POSTGRES_DROP:
            await RawStatement.raw(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(rewrite_search_text)
    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
