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
    if legacy is not None and "data_dir" not in settings.model_fields_set:
        # Migrating here would start an empty register beside the one this directory holds, and every
        # command after it would use the empty one. Either is a choice the operator makes, by name.
        raise CommandError(
            f"./{legacy.as_posix()} here is the register of an earlier release (whose default data dir was "
            f"./{legacy.parent}); to upgrade it, run with AIREG_DATA_DIR=./{legacy.parent}; to start a new, "
            f"empty register in {settings.data_dir} instead, run with AIREG_DATA_DIR={settings.data_dir}"
        )
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
            f"note: this made a new database, {settings.shown_database()}, as AIREG_DATA_DIR asked; "
            f"./{legacy.as_posix()} here (the default of earlier releases) is left as it was",
            file=sys.stderr,
        )
    return 0
