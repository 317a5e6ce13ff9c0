"""The database a test process runs against, and how each test gets it empty again.

The engine comes from the environment, read before anything asks Piccolo for its engine:
- `AIREG_TEST_DATABASE_URL`: that database (it must exist and may be migrated or empty);
- else `AIREG_TEST_ENGINE=postgresql`: a throwaway PostgreSQL server of this pytest process's own (under
  pytest-xdist, one per worker), started by `start_engine()` and stopped when the process ends;
- else a fresh SQLite file in the process's scratch dir.

`reset()` empties every table of the register's Piccolo apps in one statement on PostgreSQL (TRUNCATE)
and in one transaction on SQLite, so a test pays one round trip and at most one fsync, and a table added
to an app is emptied without anyone remembering to list it.
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path

from tests.support.postgres import ThrowawayPostgres, find_bin_dir

ENGINE_VARIABLE = "AIREG_TEST_ENGINE"
URL_VARIABLE = "AIREG_TEST_DATABASE_URL"
ENGINES = ("sqlite", "postgresql")


def engine_name() -> str:
    name = os.environ.get(ENGINE_VARIABLE, "sqlite").strip().lower() or "sqlite"
    if name not in ENGINES:
        raise SystemExit(f"{ENGINE_VARIABLE}={name!r}: use one of {', '.join(ENGINES)}")
    return name


def start_engine(scratch: Path) -> str:
    """Point AIREG_DATABASE_URL at this process's test database and return a line that says which."""
    explicit = os.environ.get(URL_VARIABLE)
    if explicit:
        if os.environ.get("PYTEST_XDIST_WORKER"):
            # One database for several processes: each would empty it under the others' tests.
            raise SystemExit(f"{URL_VARIABLE} names one database: run pytest without -n (-p no:xdist)")
        os.environ["AIREG_DATABASE_URL"] = explicit
        return f"database: {explicit} ({URL_VARIABLE})"
    os.environ.pop("AIREG_DATABASE_URL", None)
    if engine_name() == "sqlite":
        return f"database: SQLite in {scratch}"
    if find_bin_dir() is None:
        raise SystemExit(
            f"{ENGINE_VARIABLE}=postgresql, but PostgreSQL is not installed: run scripts/ensure-postgres.sh"
        )
    server = ThrowawayPostgres()
    server.start()
    atexit.register(server.stop)
    os.environ["AIREG_DATABASE_URL"] = server.url
    return f"database: a throwaway PostgreSQL server on port {server.port}"


def _tables() -> list[type]:
    from piccolo.conf.apps import Finder
    from piccolo.table import sort_table_classes

    return sort_table_classes(Finder().get_table_classes())


# How many times this process emptied the database: a test that shares data built by an earlier test
# (tests/support/world.py, `SharedWorld`) knows it is gone when this moved on.
generation = 0


async def reset() -> None:
    """Empty every table (the app itself never deletes most of these rows; tests start from nothing)."""
    global generation  # noqa: PLW0603 - one counter per test process
    generation += 1
    tables = _tables()
    engine = tables[0]._meta.db
    _forget_kept_checkpoint()  # the signer's memory of the log goes with the log
    if engine.engine_type == "postgres":
        names = ", ".join(f'"{table._meta.tablename}"' for table in tables)
        # The access log's triggers refuse TRUNCATE; a superuser's session can skip triggers.
        async with engine.transaction():
            await engine.run_ddl("SET LOCAL session_replication_role = replica")
            await engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    from registry.accesslog import guards

    async with engine.transaction():
        await guards.remove(tables[0])  # the access log's triggers refuse deletes; back at the end
        for table in reversed(tables):  # rows that refer to others first
            await table.delete(force=True)
        await guards.install(tables[0])


def _forget_kept_checkpoint() -> None:
    from registry.accesslog.kept import KEPT_FILE
    from registry.accesslog.settings import AccessLogSettings

    (AccessLogSettings().data_dir / KEPT_FILE).unlink(missing_ok=True)
