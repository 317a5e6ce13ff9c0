"""`airegistry findings recompute`: recompute every compliance finding now."""

from __future__ import annotations

import argparse
import asyncio

from api.cli.database import require_database
from api.settings import ApiSettings
from registry.clock import utcnow
from registry.composition import compose
from registry.obligations.findings import RECOMPUTE_RUN, recompute_all, recompute_result
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

    print(f"findings recomputed: {asyncio.run(run())}")
    return 0
