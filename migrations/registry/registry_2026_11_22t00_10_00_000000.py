"""Indexes for the two hot reads: an organization's systems newest first (the list walks the index in
order and stops at the page size, with no sort), and one system's revision by version. The unique
(system, version) index also guarantees that no version of a system is ever recorded twice."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-22T00:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite indexes for listing systems and reading revisions"

CREATE = [
    'CREATE INDEX IF NOT EXISTS ai_system_org_sort ON "ai_system" ("organization", "sort_key" DESC, "id" DESC)',
    'CREATE UNIQUE INDEX IF NOT EXISTS system_revision_system_version ON "system_revision" ("system", "version")',
]
DROP = [
    "DROP INDEX IF EXISTS ai_system_org_sort",
    "DROP INDEX IF EXISTS system_revision_system_version",
]


class RawStatement(Table):
    """Only a handle for running the statements above."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def create() -> None:
        for statement in CREATE:
            await RawStatement.raw(statement)

    async def drop() -> None:
        for statement in DROP:
            await RawStatement.raw(statement)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
