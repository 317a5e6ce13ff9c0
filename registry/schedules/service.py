"""Runs that the whole deployment does once per interval, whichever process does them.

Every `airegistry serve` process keeps a timer for the daily recompute of the findings. With several
processes (and with restarts) that would repeat the run in every process: at national scale a million
systems, read and evaluated again by each one as it starts. Instead, a process whose timer finds the
run due claims it in the `scheduled_run` table, runs it and records when it finished; the others see the
claim or the recent finish and skip their turn.

- A claim is taken in a write transaction that holds the run's row (SQLite: the write lock; PostgreSQL:
  the row lock), so two processes cannot both claim the same run.
- A claim is a lease. The running process renews it while it works (`Claim.renew`); if it dies, the
  claim lapses and the next process whose timer fires takes the run over.
- A run that fails gives its claim back without recording a finish, so it is due again at once.
- `record_finished` notes a run done outside the timers (`airegistry findings recompute`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry.clock import to_micros, utcnow
from registry.db import dialect_of, write_transaction
from registry.schedules.tables import ScheduledRun

log = logging.getLogger("airegistry.schedules")

LEASE_SECONDS = 15 * 60
"""How long a claim lasts without renewal. The recompute renews it after each organization."""


def process_holder() -> str:
    """Names the claiming process in the table (and in the operator's view of it)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _now_us(now: datetime | None) -> int:
    return to_micros(now or utcnow())


def is_due(row: dict[str, Any] | None, *, interval_seconds: float, holder: str, now_us: int) -> bool:
    """A run is due when no other process holds a live claim and it has not finished within the
    interval (or never has)."""
    if row is None:
        return True
    claimed_until = row["claimed_until_us"]
    if claimed_until is not None and claimed_until > now_us and row["claimed_by"] != holder:
        return False
    finished = row["finished_us"]
    return finished is None or finished + int(interval_seconds * 1_000_000) <= now_us


async def last_run(name: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await ScheduledRun.select().where(ScheduledRun.name == name).first()
    return row


@dataclass
class Claim:
    """A process's claim on one run. `renew` keeps it alive; `finish` or `release` ends it."""

    name: str
    holder: str
    claimed_until_us: int
    lease_seconds: float = LEASE_SECONDS

    async def renew(self, *, now: datetime | None = None) -> None:
        """Extends the lease once half of it has passed (cheap to call often)."""
        now_us = _now_us(now)
        lease_us = int(self.lease_seconds * 1_000_000)
        if now_us < self.claimed_until_us - lease_us // 2:
            return
        until = now_us + lease_us
        async with write_transaction(ScheduledRun._meta.db):
            await ScheduledRun.update({ScheduledRun.claimed_until_us: until}).where(
                (ScheduledRun.name == self.name) & (ScheduledRun.claimed_by == self.holder)
            )
        self.claimed_until_us = until

    async def finish(self, result: str, *, now: datetime | None = None) -> None:
        """Records the finish (even if the lease lapsed meanwhile: the run did complete) and gives
        the claim back if it is still this process's."""
        now_us = _now_us(now)
        async with write_transaction(ScheduledRun._meta.db):
            await ScheduledRun.update(
                {ScheduledRun.finished_us: now_us, ScheduledRun.result: result[:200]}
            ).where(ScheduledRun.name == self.name)
            await _give_back(self.name, self.holder)

    async def release(self) -> None:
        """Gives the claim back without recording a finish (the run failed or was stopped)."""
        async with write_transaction(ScheduledRun._meta.db):
            await _give_back(self.name, self.holder)


async def _give_back(name: str, holder: str) -> None:
    await ScheduledRun.update({ScheduledRun.claimed_by: None, ScheduledRun.claimed_until_us: None}).where(
        (ScheduledRun.name == name) & (ScheduledRun.claimed_by == holder)
    )


async def claim(
    name: str,
    *,
    interval_seconds: float,
    holder: str,
    lease_seconds: float = LEASE_SECONDS,
    now: datetime | None = None,
) -> Claim | None:
    """Claims the run if it is due; None when it is not (another process holds it, or it finished
    less than `interval_seconds` ago)."""
    now_us = _now_us(now)
    # Most checks find the run not due: a plain read answers them without taking any lock.
    if not is_due(await last_run(name), interval_seconds=interval_seconds, holder=holder, now_us=now_us):
        return None
    db = ScheduledRun._meta.db
    async with write_transaction(db):
        await ScheduledRun.insert(ScheduledRun(name=name)).on_conflict(action="DO NOTHING")
        query = ScheduledRun.select().where(ScheduledRun.name == name)
        if not dialect_of(db).sqlite:
            query = query.lock_rows()  # SQLite's IMMEDIATE transaction already holds the write lock
        [row] = await query
        if not is_due(row, interval_seconds=interval_seconds, holder=holder, now_us=now_us):
            return None
        until = now_us + int(lease_seconds * 1_000_000)
        await ScheduledRun.update(
            {
                ScheduledRun.claimed_by: holder,
                ScheduledRun.claimed_until_us: until,
                ScheduledRun.started_us: now_us,
            }
        ).where(ScheduledRun.name == name)
    if row["claimed_by"] not in (None, holder):
        log.warning("took over %s from %s, whose claim had lapsed", name, row["claimed_by"])
    return Claim(name=name, holder=holder, claimed_until_us=until, lease_seconds=lease_seconds)


Job = Callable[["Claim"], Awaitable[str]]
"""A periodic job: runs with its claim (renewing it as it goes) and says in a line what it did."""

CHECK_SECONDS = 300
"""How often a serve process looks whether a periodic job is due (at most; less when its interval is
shorter). It also bounds how long a run whose process died waits after its lease lapses."""


async def run_when_due(name: str, job: Job, *, interval_seconds: float, holder: str) -> str | None:
    """Runs the job if no process of the deployment has within `interval_seconds` (and none is
    running it now); its result, or None when it was not due. A job that fails or is stopped gives
    its claim back at once, so the next process to look takes it over."""
    claimed = await claim(name, interval_seconds=interval_seconds, holder=holder)
    if claimed is None:
        return None
    log.info("%s started in this process (%s); the others skip it", name, holder)
    try:
        result = await job(claimed)
    except BaseException:
        with contextlib.suppress(Exception):
            await asyncio.shield(claimed.release())
        raise
    await claimed.finish(result)
    log.info("%s done: %s", name, result)
    return result


async def keep_running(name: str, job: Job, *, interval_seconds: float, holder: str | None = None) -> None:
    """Until cancelled (the served app runs it): every few minutes, run the job if it is due. One
    process of the deployment runs it per interval; the others find it done or claimed."""
    holder = holder or process_holder()
    while True:
        try:
            await run_when_due(name, job, interval_seconds=interval_seconds, holder=holder)
        except Exception:
            log.exception("%s failed; trying again next time", name)
        await asyncio.sleep(min(interval_seconds, CHECK_SECONDS))


async def record_finished(
    name: str, result: str, *, started: datetime, finished: datetime | None = None
) -> None:
    """Notes a run done outside the timers (the operator's command), so the timers count from it."""
    async with write_transaction(ScheduledRun._meta.db):
        await ScheduledRun.insert(ScheduledRun(name=name)).on_conflict(action="DO NOTHING")
        await ScheduledRun.update(
            {
                ScheduledRun.started_us: to_micros(started),
                ScheduledRun.finished_us: _now_us(finished),
                ScheduledRun.result: result[:200],
            }
        ).where(ScheduledRun.name == name)
