"""Bringing the database schema up to date, and telling whether it is.

The apps are the ones piccolo_conf.py registers (the register itself, and the packages built on it,
such as the webhooks); they are migrated in that order, so each app's tables exist before the next
app's foreign keys refer to them."""

from __future__ import annotations

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppConfig, Finder
from piccolo.engine import engine_finder

from registry.db.engine import is_sqlite
from registry.errors import ConfigurationError


def app_configs() -> list[AppConfig]:
    return Finder().get_app_configs()


async def enable_wal() -> None:
    """WAL lets readers go on while one writer writes; the mode is stored in the file, so once is enough."""
    engine = engine_finder()
    if engine is not None and is_sqlite(engine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def migrate() -> list[str]:
    """Apply every migration not yet applied; return their ids."""
    before = set(await applied_migrations())
    for app in app_configs():
        result = await run_forwards(app_name=app.app_name, migration_id="all")
        if not result.success:
            raise ConfigurationError(
                f"migrations of {app.app_name} failed: {result.message}", setting="AIREG_DATABASE_URL"
            )
    await enable_wal()
    return sorted(set(await applied_migrations()) - before)


def known_migrations() -> list[str]:
    manager = BaseMigrationManager()
    ids: list[str] = []
    for app in app_configs():
        modules = manager.get_migration_modules(app.resolved_migrations_folder_path)
        ids.extend(manager.get_migration_ids(modules))
    return sorted(ids)


async def applied_migrations() -> list[str]:
    if not await Migration.table_exists():
        return []
    ids: list[str] = []
    for app in app_configs():
        ids.extend(await Migration.get_migrations_which_ran(app_name=app.app_name))
    return sorted(ids)


async def pending_migrations() -> list[str]:
    return sorted(set(known_migrations()) - set(await applied_migrations()))
