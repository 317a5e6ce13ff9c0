"""The access log's long-lived parts for one app: its writer, its signing key, and the task that
signs checkpoints and prunes on schedule."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from registry.accesslog.service import prune, sign_checkpoint
from registry.accesslog.settings import AccessLogSettings
from registry.accesslog.signing import CheckpointSigner, CheckpointVerifier, public_key_pem
from registry.accesslog.writer import AccessLogWriter

log = logging.getLogger("airegistry.accesslog")
PRUNE_EVERY_SECONDS = 24 * 3600


@dataclass
class AccessLogRuntime:
    settings: AccessLogSettings
    signer: CheckpointSigner
    writer: AccessLogWriter = field(default_factory=AccessLogWriter)

    @classmethod
    def from_settings(cls, settings: AccessLogSettings) -> AccessLogRuntime:
        return cls(settings=settings, signer=CheckpointSigner.from_data_dir(settings.data_dir))

    @property
    def verifier(self) -> CheckpointVerifier:
        return CheckpointVerifier(keys={self.signer.key_id: self.signer.public_key})

    @property
    def public_key_pem(self) -> str:
        return public_key_pem(self.signer.public_key)

    async def keep_signing(self) -> None:
        """Sign a checkpoint every interval and prune once a day, until cancelled."""
        since_prune = PRUNE_EVERY_SECONDS
        interval = self.settings.access_log_checkpoint_interval_seconds
        while True:
            await asyncio.sleep(interval)
            try:
                await sign_checkpoint(self.signer)
                since_prune += interval
                if since_prune >= PRUNE_EVERY_SECONDS:
                    since_prune = 0
                    await prune(self.signer, retention_days=self.settings.access_log_retention_days)
            except Exception:
                log.exception("signing a checkpoint of the access log failed")

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        task = asyncio.get_running_loop().create_task(self.keep_signing(), name="access-log-checkpoints")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            with contextlib.suppress(Exception):
                await sign_checkpoint(self.signer)  # the last entries before shutdown get a signature
            await self.writer.close()
