"""`airegistry digest send`: send every member's digest that is due now, and nothing else."""

from __future__ import annotations

import argparse
import asyncio
import sys

from api.cli.database import require_database
from api.mails import digests
from api.settings import ApiSettings
from registry.clock import utcnow
from registry.composition import compose
from registry.schedules import record_finished
from registry.updates.digests import DIGEST_RUN, DigestsFailed, send_digests
from webhooks.outbox import OutboxSink


def send(_: argparse.Namespace) -> int:
    require_database()
    public_url = ApiSettings().public_url
    compose(OutboxSink(public_base_url=public_url))  # the mails go through the outbox

    async def run() -> str:
        started = utcnow()
        result = (await send_digests(started, digests(public_url))).result()
        # The serve processes' rounds count from this one.
        await record_finished(DIGEST_RUN, result, started=started)
        return result

    try:
        result = asyncio.run(run())
    except DigestsFailed as exc:
        # The others were sent; the failed organizations' digests are due still, for the next round.
        print(f"airegistry: {exc}", file=sys.stderr)
        return 1
    print(f"digests: {result}; the mail relay of `airegistry serve` sends them")
    return 0
