"""The database's own refusal to change the access log: triggers on both engines.

- `access_log`: no UPDATE; DELETE only of entries a prune anchor covers (seq at or below the latest
  anchor's `last_seq`), which is what the retention prune writes first and then deletes.
- `access_log_checkpoint`: no UPDATE; DELETE only of checkpoints (never anchors) below the latest
  anchor, and never the latest numbered checkpoint.
- PostgreSQL also refuses TRUNCATE of both tables.

Triggers stop mistakes and a serving role that does not own the tables (docs/deployment.md); whoever
owns the tables can drop them. Detection never depends on them: the hash chain, the chain of signed
checkpoints, the checkpoint kept beside the key and the witnesses find what a trigger did not stop.
"""

from __future__ import annotations

from typing import Any

REFUSED = "the access log is append-only"

_ANCHORED = "(SELECT coalesce(max(last_seq), 0) FROM access_log_checkpoint WHERE kind = 'anchor')"
_LATEST_NUMBER = "(SELECT max(number) FROM access_log_checkpoint)"

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: UPDATE refused'); END",
    "CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log "
    f"WHEN OLD.seq > {_ANCHORED} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE refused (only the prune deletes, behind an anchor)'); END",
    "CREATE TRIGGER IF NOT EXISTS access_log_checkpoint_no_update BEFORE UPDATE ON access_log_checkpoint "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: UPDATE refused'); END",
    "CREATE TRIGGER IF NOT EXISTS access_log_checkpoint_no_delete BEFORE DELETE ON access_log_checkpoint "
    f"WHEN OLD.kind = 'anchor' OR OLD.last_seq >= {_ANCHORED} OR OLD.number = {_LATEST_NUMBER} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE refused (only the prune deletes, behind an anchor)'); END",
]
SQLITE_NAMES = [
    "access_log_no_update",
    "access_log_no_delete",
    "access_log_checkpoint_no_update",
    "access_log_checkpoint_no_delete",
]

# The functions name their tables through a fixed search path with pg_temp last, so a temporary table
# of the same name cannot stand in for the real one.
_FIXED_PATH = "SET search_path = public, pg_temp"

POSTGRES = [
    f"CREATE OR REPLACE FUNCTION access_log_guard() RETURNS trigger {_FIXED_PATH} AS $$ BEGIN "
    f"IF TG_OP = 'DELETE' AND OLD.seq <= {_ANCHORED} THEN RETURN OLD; END IF; "
    f"RAISE EXCEPTION '{REFUSED}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; "
    "END $$ LANGUAGE plpgsql",
    f"CREATE OR REPLACE FUNCTION access_log_checkpoint_guard() RETURNS trigger {_FIXED_PATH} AS $$ BEGIN "
    f"IF TG_OP = 'DELETE' AND OLD.kind <> 'anchor' AND OLD.last_seq < {_ANCHORED} "
    f"AND (OLD.number IS NULL OR OLD.number <> {_LATEST_NUMBER}) THEN RETURN OLD; END IF; "
    f"RAISE EXCEPTION '{REFUSED}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; "
    "END $$ LANGUAGE plpgsql",
    f"CREATE OR REPLACE FUNCTION access_log_no_truncate() RETURNS trigger {_FIXED_PATH} AS $$ BEGIN "
    f"RAISE EXCEPTION '{REFUSED}: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege'; "
    "END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER access_log_guard BEFORE UPDATE OR DELETE ON access_log "
    "FOR EACH ROW EXECUTE FUNCTION access_log_guard()",
    "CREATE TRIGGER access_log_checkpoint_guard BEFORE UPDATE OR DELETE ON access_log_checkpoint "
    "FOR EACH ROW EXECUTE FUNCTION access_log_checkpoint_guard()",
    "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION access_log_no_truncate()",
    "CREATE TRIGGER access_log_checkpoint_no_truncate BEFORE TRUNCATE ON access_log_checkpoint "
    "FOR EACH STATEMENT EXECUTE FUNCTION access_log_no_truncate()",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS access_log_guard ON access_log",
    "DROP TRIGGER IF EXISTS access_log_checkpoint_guard ON access_log_checkpoint",
    "DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log",
    "DROP TRIGGER IF EXISTS access_log_checkpoint_no_truncate ON access_log_checkpoint",
]


async def install(table: Any) -> None:
    """Create the triggers (through any Piccolo table of the database)."""
    for statement in SQLITE if table._meta.db.engine_type == "sqlite" else POSTGRES:
        await table.raw(statement)


async def remove(table: Any) -> None:
    """Drop the triggers: only a migration going backwards (and a test playing the intruder) does."""
    if table._meta.db.engine_type == "sqlite":
        for name in SQLITE_NAMES:
            await table.raw(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for statement in POSTGRES_DROP:
            await table.raw(statement)


__all__ = ["REFUSED", "install", "remove"]
