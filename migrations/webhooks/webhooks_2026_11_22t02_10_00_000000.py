"""Indexes for the relay's queue (the oldest pending delivery of each subscription) and for listing a
subscription's deliveries newest first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-22T02:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite indexes for the delivery queue"

CREATE = [
    'CREATE INDEX IF NOT EXISTS webhook_delivery_queue ON "webhook_delivery" ("status", "subscription", "id")',
    'CREATE INDEX IF NOT EXISTS webhook_delivery_by_subscription ON "webhook_delivery" ("subscription", "id")',
]
DROP = [
    "DROP INDEX IF EXISTS webhook_delivery_queue",
    "DROP INDEX IF EXISTS webhook_delivery_by_subscription",
]


class RawStatement(Table):
    """Only a handle for running the statements above."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="webhooks", description=DESCRIPTION)

    async def create() -> None:
        for statement in CREATE:
            await RawStatement.raw(statement)

    async def drop() -> None:
        for statement in DROP:
            await RawStatement.raw(statement)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
