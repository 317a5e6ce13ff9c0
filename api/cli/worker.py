"""`airegistry worker`: the webhook relay alone, without the API."""

from __future__ import annotations

import argparse
import asyncio

from api.cli.database import require_database
from api.settings import ApiSettings
from webhooks.runtime import WebhookRuntime
from webhooks.worker import run_worker


def run(_: argparse.Namespace) -> int:
    require_database()
    settings = ApiSettings()
    runtime = WebhookRuntime.from_settings()
    print(
        f"webhook relay running ({runtime.settings.webhooks_concurrency} deliveries at a time); Ctrl-C stops",
        flush=True,  # a process manager (and the fault-injection script) sees the start at once
    )
    asyncio.run(run_worker(runtime, public_base_url=settings.public_url))
    return 0
