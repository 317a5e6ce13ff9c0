"""The table of the runs the whole deployment does once per interval (registry/schedules/service.py): one row
per kind of run. Times are microseconds since the epoch, compared in Python after the row is read."""

from __future__ import annotations

from piccolo.columns import BigInt, Varchar
from piccolo.table import Table


class ScheduledRun(Table, tablename="scheduled_run"):
    """Who holds the run now (a lease, renewed while it runs) and when it last finished."""

    name = Varchar(length=64, primary_key=True)
    claimed_by = Varchar(length=200, null=True, default=None)  # "host:pid" of the process running it
    claimed_until_us = BigInt(null=True, default=None)  # the claim lapses then unless renewed
    started_us = BigInt(null=True, default=None)
    finished_us = BigInt(null=True, default=None)
    result = Varchar(length=200, null=True, default=None)  # what the last finished run reported


__all__ = ["ScheduledRun"]
