"""Bringing the database schema up to date, and telling whether it is."""

from __future__ import annotations

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration

from registry.db import is_sqlite
from registry.errors import ConfigurationError
from registry.piccolo_app import APP_CONFIG
from registry.tables import Organization

APP_NAME = APP_CONFIG.app_name


async def enable_wal() -> None:
    """WAL lets readers go on while one writer writes; the mode is stored in the file, so once is enough."""
    engine = Organization._meta.db
    if is_sqlite(engine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def migrate() -> list[str]:
    """Apply every migration not yet applied; return their ids."""
    before = set(await applied_migrations())
    result = await run_forwards(app_name=APP_NAME, migration_id="all")
    if not result.success:
        raise ConfigurationError(f"migrations failed: {result.message}", setting="AIREG_DATABASE_URL")
    await enable_wal()
    return sorted(set(await applied_migrations()) - before)


def known_migrations() -> list[str]:
    manager = BaseMigrationManager()
    modules = manager.get_migration_modules(APP_CONFIG.resolved_migrations_folder_path)
    return sorted(manager.get_migration_ids(modules))


async def applied_migrations() -> list[str]:
    if not await Migration.table_exists():
        return []
    return await Migration.get_migrations_which_ran(app_name=APP_NAME)


async def pending_migrations() -> list[str]:
    return sorted(set(known_migrations()) - set(await applied_migrations()))
