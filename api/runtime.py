"""The access log's long-lived parts for one app: its writer, its signing key, and the task that
signs checkpoints and prunes on schedule, and that says when the log fails its own check."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import Any

from registry.accesslog.checkpoints import IntegrityFailure, head, prune, report_failure, sign_checkpoint
from registry.accesslog.settings import AccessLogSettings
from registry.accesslog.signing import CheckpointSigner, CheckpointVerifier, public_key_pem
from registry.accesslog.writer import AccessLogWriter

log = logging.getLogger("airegistry.accesslog")
PRUNE_EVERY_SECONDS = 24 * 3600
POLL_SECONDS = 10
"""How often the task looks whether enough entries wait for a signature (one indexed max(seq))."""


@contextlib.asynccontextmanager
async def task_running(name: str, work: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Runs `work` as a task while the block runs; cancels it and waits for it at the end."""
    task = asyncio.get_running_loop().create_task(work, name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@dataclass
class AccessLogRuntime:
    settings: AccessLogSettings
    signer: CheckpointSigner
    writer: AccessLogWriter = field(default_factory=AccessLogWriter)
    # Why the log failed its check before the last signature, or None. /ready answers 503 with it.
    integrity_problem: str | None = None
    _reported: str | None = None
    _signed_seq: int = 0

    @classmethod
    def from_settings(cls, settings: AccessLogSettings) -> AccessLogRuntime:
        signer = CheckpointSigner.from_data_dir(settings.data_dir, settings.access_log_kept_checkpoint_file)
        return cls(settings=settings, signer=signer)

    @property
    def verifier(self) -> CheckpointVerifier:
        return CheckpointVerifier(keys={self.signer.key_id: self.signer.public_key})

    @property
    def public_key_pem(self) -> str:
        return public_key_pem(self.signer.public_key)

    def kept(self) -> dict[str, Any] | None:
        """The last checkpoint this server signed, as kept beside the key (None when there is none)."""
        return self.signer.kept.read() if self.signer.kept else None

    async def checkpoint(self) -> dict[str, Any] | None:
        """Sign the head after checking the log; on a failed check sign nothing, log at ERROR, keep
        the reason for /ready and tell subscribers (once per reason)."""
        try:
            record = await sign_checkpoint(self.signer)
        except IntegrityFailure as failure:
            self.integrity_problem = failure.reason
            log.error("the access log failed its integrity check; nothing signed: %s", failure.reason)
            if self._reported != failure.reason:
                self._reported = failure.reason
                try:
                    await report_failure(failure)
                except Exception:
                    log.exception("the integrity failure could not be written to the outbox")
            raise
        self.integrity_problem = self._reported = None
        if record is not None:
            self._signed_seq = int(record["last_seq"])
        return record

    async def _due(self, since_signed: float) -> bool:
        if since_signed >= self.settings.access_log_checkpoint_interval_seconds:
            return True
        current = await head()
        return (
            current is not None
            and current[0] - self._signed_seq >= self.settings.access_log_checkpoint_entries
        )

    async def keep_signing(self) -> None:
        """Sign a checkpoint every interval, or sooner when enough entries wait, and prune once a day,
        until cancelled."""
        last_signed = time.monotonic()
        last_pruned = last_signed - PRUNE_EVERY_SECONDS  # prune at the first signature
        poll = min(POLL_SECONDS, self.settings.access_log_checkpoint_interval_seconds)
        with contextlib.suppress(IntegrityFailure):
            await self.checkpoint()  # at start: /ready knows at once whether the log holds
        while True:
            await asyncio.sleep(poll)
            try:
                if not await self._due(time.monotonic() - last_signed):
                    continue
                last_signed = time.monotonic()
                await self.checkpoint()
                if time.monotonic() - last_pruned >= PRUNE_EVERY_SECONDS:
                    last_pruned = time.monotonic()
                    await prune(self.signer, retention_days=self.settings.access_log_retention_days)
            except IntegrityFailure:
                pass  # logged and reported by checkpoint(); checked again next round
            except Exception:
                log.exception("signing a checkpoint of the access log failed")

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        try:
            async with task_running("access-log-checkpoints", self.keep_signing()):
                yield
        finally:
            with contextlib.suppress(Exception):
                await self.checkpoint()  # the last entries before shutdown get a signature
            await self.writer.close()
