"""`airegistry findings recompute`: recompute every compliance finding now."""

from __future__ import annotations

import argparse
import asyncio
import sys

from api.cli.database import require_database
from api.settings import ApiSettings
from registry.clock import utcnow
from registry.composition import compose
from registry.obligations.findings import RECOMPUTE_RUN, RecomputeFailed, recompute_all, recompute_result
from registry.schedules import record_finished
from webhooks.outbox import OutboxSink


def recompute(_: argparse.Namespace) -> int:
    require_database()
    compose(OutboxSink(public_base_url=ApiSettings().public_url))  # opened and resolved findings are events

    async def run() -> str:
        started = utcnow()
        result = recompute_result(*await recompute_all())
        # The serve processes' daily timers count from this run, so they do not repeat it at once.
        await record_finished(RECOMPUTE_RUN, result, started=started)
        return result

    try:
        print(f"findings recomputed: {asyncio.run(run())}")
    except RecomputeFailed as exc:
        # The others were recomputed; the run is not recorded as done, so serve's schedule retries it.
        print(f"airegistry: {exc}", file=sys.stderr)
        return 1
    return 0
