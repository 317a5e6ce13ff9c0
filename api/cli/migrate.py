"""`airegistry migrate`: bring the database schema up to date (it needs no database beforehand)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from api.cli.arguments import CommandError
from api.cli.database import describe_failure, earlier_default, quiet_database_warnings
from registry.db.migrate import migrate
from registry.db.settings import DatabaseSettings
from registry.errors import ConfigurationError


def run(_: argparse.Namespace) -> int:
    settings = DatabaseSettings()
    legacy = earlier_default(settings)
    try:
        with quiet_database_warnings():
            applied = asyncio.run(migrate())
    except ConfigurationError:
        raise
    except Exception as exc:  # a server that does not answer, a data dir that cannot be made
        raise CommandError(describe_failure(exc, settings)) from None
    print(f"database is up to date ({len(applied)} migration(s) applied now)")
    if legacy is not None:
        print(
            f"note: this made a new database, {settings.shown_database()}; ./{legacy.as_posix()} here "
            f"(the default of earlier releases) is left as it was: AIREG_DATA_DIR=./{legacy.parent} uses it",
            file=sys.stderr,
        )
    return 0
