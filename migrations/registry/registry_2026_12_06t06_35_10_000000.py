"""One member per `sub` and organization: a unique index (Piccolo's columns have no composite
unique constraint). Runs after the migration that adds the table."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class RawStatement(Table):
    """Only a handle for running the statements."""


ID = "2026-12-06T06:35:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "One member per sub and organization"

INDEX = 'CREATE UNIQUE INDEX IF NOT EXISTS member_organization_sub ON member ("organization", "sub")'


async def create() -> None:
    await RawStatement.raw(INDEX)


async def drop() -> None:
    await RawStatement.raw("DROP INDEX IF EXISTS member_organization_sub")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
