"""The check a command that needs the database runs before anything else.

Without it, a command run where no database is (another directory under the old `./data` default, a
typo in AIREG_DATA_DIR, a server that is down) went on regardless: `token issue` generated a new
signing key and printed a token the server refused, `demo` died in a traceback, `serve` answered every
page with 503. Now it stops at once with one line that names the database and what to do, and creates
nothing: no data dir, no database file, no key."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from api.cli.arguments import CommandError
from registry.db.migrate import pending_migrations
from registry.db.settings import DatabaseSettings
from registry.errors import ConfigurationError
from registry.paths import default_data_dir, legacy_database

MIGRATE = "run `airegistry migrate` first"
# How long the check waits for a database server (asyncpg's own connect timeout is 60 s).
CHECK_TIMEOUT_SECONDS = 20.0


def require_database() -> DatabaseSettings:
    """The database settings, once the database exists, answers and has every migration applied;
    otherwise CommandError with one line."""
    settings = DatabaseSettings()
    shown = settings.shown_database()
    path = settings.sqlite_path()
    if path is not None:
        # Checked before Piccolo's engine exists: creating it makes the data dir, and a query makes
        # the database file.
        try:
            if not path.is_file():
                raise CommandError(
                    f"{shown} is not a file; {MIGRATE}" if path.exists() else _no_database(settings)
                )
        except OSError as exc:  # a data dir the user cannot search
            raise CommandError(
                f"cannot open the database {shown} ({_reason(exc, settings)}); {MIGRATE}"
            ) from None
    try:
        pending = asyncio.run(_pending_migrations())
    except ConfigurationError:
        raise
    except Exception as exc:  # unreachable server, wrong password, unreadable or damaged file
        setting = "AIREG_DATABASE_URL" if settings.database_url else "AIREG_DATA_DIR"
        raise CommandError(
            f"cannot open the database {shown} ({_reason(exc, settings)}); check {setting}, then run "
            f"`airegistry migrate`"
        ) from None
    if pending:
        raise CommandError(
            f"the database {shown} is not up to date ({len(pending)} migration(s) pending); {MIGRATE}"
        )
    return settings


async def _pending_migrations() -> list[str]:
    with quiet_database_warnings():
        return await asyncio.wait_for(pending_migrations(), timeout=CHECK_TIMEOUT_SECONDS)


@contextmanager
def quiet_database_warnings() -> Iterator[None]:
    """Piccolo warns, over two lines of its own, when it cannot reach a server; the command says it
    in one."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _no_database(settings: DatabaseSettings) -> str:
    legacy = earlier_default(settings)
    if legacy is None:
        return f"no database at {settings.shown_database()}; {MIGRATE}"
    return (
        f"no database at {settings.shown_database()}; run `airegistry migrate` to create one, or use "
        f"./{legacy.as_posix()} here (the default of earlier releases) with AIREG_DATA_DIR=./{legacy.parent}"
    )


def earlier_default(settings: DatabaseSettings) -> Path | None:
    """`./data/registry.db` when the settings name the default data dir, which holds no database, and
    an earlier release (whose default data dir was ./data) left one here."""
    if settings.database_url is not None or settings.data_dir != default_data_dir():
        return None
    return legacy_database(settings.data_dir)


def _reason(exc: BaseException, settings: DatabaseSettings) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {CHECK_TIMEOUT_SECONDS:.0f} s"
    text = " ".join(str(exc).split())
    # Drivers rarely repeat the URL, but a password must never reach a terminal or a log.
    password = urlsplit(settings.resolved_database_url()).password
    if password:
        text = text.replace(password, "***")
    text = text if len(text) <= 160 else text[:157] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def describe_failure(exc: BaseException, settings: DatabaseSettings) -> str:
    """One line for a database that failed while a command that needs no prior check (migrate) ran."""
    setting = "AIREG_DATABASE_URL" if settings.database_url else "AIREG_DATA_DIR"
    return f"cannot use the database {settings.shown_database()} ({_reason(exc, settings)}); check {setting}"
