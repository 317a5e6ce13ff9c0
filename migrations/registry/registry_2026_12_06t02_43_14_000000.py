"""Checkpoint numbers are unique, and the database refuses UPDATE and DELETE on the access log and its checkpoints, except the deletes of
the retention prune behind a signed anchor (registry/accesslog/guards.py); replaces the earlier trigger
that refused only updates of entries. Runs after the migration that adds the checkpoint columns the
triggers read, since Piccolo runs a migration's raw statements before its table changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from registry.accesslog import guards


class RawStatement(Table):
    """Only a handle for running the trigger statements."""


ID = "2026-12-06T02:43:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "Refuse updates and deletes of the access log and its checkpoints"

EARLIER_SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS access_log_append_only BEFORE UPDATE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END"
)


NUMBER_INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS access_log_checkpoint_number ON access_log_checkpoint (number)"
)


async def guard() -> None:
    # Two signers never give out one number (SQLite cannot add a UNIQUE column; an index does both).
    await RawStatement.raw(NUMBER_INDEX)
    if RawStatement._meta.db.engine_type == "sqlite":
        await RawStatement.raw("DROP TRIGGER IF EXISTS access_log_append_only")
    else:
        await RawStatement.raw("DROP TRIGGER IF EXISTS access_log_append_only ON access_log")
        await RawStatement.raw("DROP FUNCTION IF EXISTS access_log_append_only()")
    await guards.install(RawStatement)


async def unguard() -> None:
    await guards.remove(RawStatement)
    await RawStatement.raw("DROP INDEX IF EXISTS access_log_checkpoint_number")
    if RawStatement._meta.db.engine_type == "sqlite":
        await RawStatement.raw(EARLIER_SQLITE)
    else:
        await RawStatement.raw(
            "CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'access_log is append-only'; END $$ LANGUAGE plpgsql"
        )
        await RawStatement.raw(
            "CREATE TRIGGER access_log_append_only BEFORE UPDATE ON access_log "
            "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()"
        )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(guard)
    manager.add_raw_backwards(unguard)
    return manager
