"""The access log is append-only: the database itself refuses to update an entry. (Only retention
pruning deletes, and it leaves a signed anchor.) Runs after the migration that creates the table,
since Piccolo runs a migration's raw statements before its table changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class RawStatement(Table):
    """Only a handle for running the trigger statements below."""


SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS access_log_append_only BEFORE UPDATE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END"
)
POSTGRES_TRIGGER = [
    "CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'access_log is append-only'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER access_log_append_only BEFORE UPDATE ON access_log "
    "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()",
]


async def append_only() -> None:
    if RawStatement._meta.db.engine_type == "sqlite":
        await RawStatement.raw(SQLITE_TRIGGER)
    else:
        for statement in POSTGRES_TRIGGER:
            await RawStatement.raw(statement)

ID = "2026-11-22T00:36:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Refuse updates of access-log entries"


async def drop_trigger() -> None:
    if RawStatement._meta.db.engine_type == "sqlite":
        await RawStatement.raw("DROP TRIGGER IF EXISTS access_log_append_only")
    else:
        await RawStatement.raw("DROP TRIGGER IF EXISTS access_log_append_only ON access_log")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(append_only)
    manager.add_raw_backwards(drop_trigger)
    return manager
