"""`airegistry worker`: the relay on its own, for deployments that keep delivery out of the API
processes. Stops cleanly on SIGTERM or SIGINT; a delivery cut off by the stop is sent again later."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from registry.db import pooled_connections
from registry.events import use_sink
from registry.organizations.tables import Organization
from webhooks.outbox import OutboxSink
from webhooks.relay import Relay
from webhooks.runtime import WebhookRuntime


async def run_worker(runtime: WebhookRuntime, *, public_base_url: str = "") -> None:
    # The relay emits webhook.disabled events itself, so this process needs the sink too.
    use_sink(OutboxSink(public_base_url=public_base_url))
    async with pooled_connections(Organization._meta.db):
        relay = Relay(runtime)
        task = asyncio.get_running_loop().create_task(relay.run(), name="webhook-relay")
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task
