"""Findings keep what they say as a key of the catalogues and the values it puts in words (a JSON
`message`), read in the reader's language when shown, instead of a sentence in each language.

The sentences of existing findings cannot be read back into values, so they stay (message_da,
message_en) and are shown as they were: resolved findings keep them for good, open ones until the next
recompute restates them with a `message`. The scheduled recompute is made due at once, so the first
`airegistry serve` after the upgrade recomputes (or run `airegistry findings recompute`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-05T22:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Findings store their message as a catalogue key and values; earlier findings keep their text"


class RawStatement(Table):
    """Only a handle for running the statement below."""


async def recompute_soon() -> None:
    await RawStatement.raw("DELETE FROM \"scheduled_run\" WHERE \"name\" = 'findings-recompute'")


COLUMN_PARAMS = {
    "null": False,
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_column(
        table_class_name="SystemFinding",
        tablename="system_finding",
        column_name="message",
        db_column_name="message",
        column_class_name="JSON",
        column_class=JSON,
        params={"default": "{}", **COLUMN_PARAMS},
        schema=None,
    )
    manager.add_raw(recompute_soon)
    return manager
