"""The relay: takes due deliveries from the outbox, signs them, POSTs them and records the outcome.

- Per subscription, deliveries go out one at a time, in the order their events were created: only
  the oldest pending delivery of a subscription is ever taken.
- A relay holds what it takes with a lease. If it dies (even between the receiver's answer and the
  bookkeeping), the lease runs out and the delivery is sent again, with the same webhook-id: delivery
  is at least once, never lost.
- Any 2xx is success. Redirects are not followed (3xx is a failure). 410 Gone disables the
  subscription. Other failures and timeouts are retried on the Standard Webhooks schedule, with
  jitter, never sooner than a Retry-After asks. A subscription failing for days is disabled, and a
  webhook.disabled event says so.
- The SSRF guard runs again at send time, and the connection goes to the very address it checked."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from ipaddress import IPv6Address
from typing import Any

import httpx

from registry.clock import to_micros, utcnow
from registry.db import is_sqlite, write_transaction
from registry.events import Event, EventType, emit
from webhooks.runtime import WebhookRuntime
from webhooks.secretbox import SecretUnreadable
from webhooks.settings import STANDARD_SCHEDULE
from webhooks.signing import webhook_headers
from webhooks.ssrf import TargetRefused, parse_target, resolve_target
from webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookSubscription

log = logging.getLogger("airegistry.webhooks")

JITTER = 0.1  # each wait is stretched or shrunk by up to 10%, so retries of many deliveries spread out
MAX_RETRY_AFTER_SECONDS = 24 * 3600
RESPONSE_BODY_LIMIT = 1024  # what is kept of a receiver's answer
RESPONSE_READ_LIMIT = 64 * 1024  # what is read of it at most
ERROR_LIMIT = 500


def retry_delay(
    attempts_made: int,
    *,
    retry_after: float | None = None,
    rng: random.Random | None = None,
    schedule: tuple[float, ...] = STANDARD_SCHEDULE,
) -> float | None:
    """Seconds until the next attempt after `attempts_made` attempts failed; None when none is left."""
    if attempts_made >= len(schedule):
        return None
    spread = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    delay = schedule[attempts_made] * spread
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER_SECONDS))
    return delay


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from now: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    attempt: int  # the number of this attempt, 1-based
    # Whether the claim already counted this attempt. A subscription's oldest delivery is counted when
    # taken, so a relay that dies while sending it still uses up an attempt; the ones queued behind it
    # are counted when their outcome is recorded, so a relay dying before it reaches them costs nothing.
    counted: bool
    subscription_id: uuid.UUID
    organization_id: str
    url: str
    secret: str
    previous_secret: str | None
    previous_secret_expires_us: int | None
    failing_since_us: int | None
    event_id: str
    payload: bytes
    lease_until_us: int


@dataclass(frozen=True)
class Outcome:
    kind: str  # succeeded | failed | gone
    status_code: int | None = None
    latency_ms: int | None = None
    response_body: str | None = None
    error: str | None = None
    retry_after: float | None = None


def outcome_of(status: int, *, latency_ms: int, body: str, retry_after: float | None) -> Outcome:
    if 200 <= status < 300:
        return Outcome("succeeded", status, latency_ms, body)
    if status == 410:
        return Outcome("gone", status, latency_ms, body, "the receiver answered 410 Gone")
    reason = "redirects are not followed" if 300 <= status < 400 else f"the receiver answered {status}"
    return Outcome("failed", status, latency_ms, body, reason, retry_after)


DUE_HEADS = """
SELECT d."id", d."subscription" FROM "webhook_delivery" d
JOIN (SELECT "subscription", MIN("id") AS "head" FROM "webhook_delivery" WHERE "status" = 'pending'
      GROUP BY "subscription") h ON h."head" = d."id"
JOIN "webhook_subscription" s ON s."id" = d."subscription"
WHERE s."status" = 'active' AND s."deleted_at" IS NULL AND d."next_attempt_us" <= {}
  AND (d."lease_until_us" IS NULL OR d."lease_until_us" <= {})
ORDER BY d."next_attempt_us", d."id" LIMIT {}"""

# The queue of each subscription just locked: its oldest pending deliveries, in order, and until when
# any of its pending deliveries is leased.
RUNS = """
SELECT "id", "subscription", "next_attempt_us", "leased_until" FROM (
  SELECT "id", "subscription", "next_attempt_us",
         MAX("lease_until_us") OVER (PARTITION BY "subscription") AS "leased_until",
         ROW_NUMBER() OVER (PARTITION BY "subscription" ORDER BY "id") AS "position"
  FROM "webhook_delivery" WHERE "status" = 'pending' AND "subscription" IN ({})
) queued WHERE "position" <= {} ORDER BY "subscription", "id"
"""

# Many deliveries' outcomes in one statement: per row (id, attempts as claimed, status, next attempt,
# completed, attempted, status code, latency, answer, error, attempts made). Only rows still leased by
# this relay, as it claimed them, change; the ids of those come back.
RECORD = """
UPDATE "webhook_delivery" AS d SET "status" = v.column3, "attempts" = v.column11,
  "next_attempt_us" = COALESCE(v.column4, d."next_attempt_us"), "completed_at" = v.column5,
  "last_attempt_at" = v.column6, "last_status_code" = v.column7, "last_latency_ms" = v.column8,
  "last_response_body" = v.column9, "last_error" = v.column10, "lease_until_us" = NULL, "lease_owner" = NULL
FROM (VALUES {rows}) AS v
WHERE d."id" = v.column1 AND d."attempts" = v.column2 AND d."lease_owner" = {}
RETURNING "id"
"""
RECORD_TYPES = (
    "BIGINT",
    "INTEGER",
    "VARCHAR",
    "BIGINT",
    "TIMESTAMPTZ",
    "TIMESTAMPTZ",
    "INTEGER",
    "INTEGER",
    "TEXT",
    "TEXT",
    "INTEGER",
)


def _cast(kind: str, engine: Any) -> str:
    # PostgreSQL cannot tell the types of parameters in VALUES; SQLite needs (and wants) no casts.
    return "{}" if is_sqlite(engine) else f"CAST({{}} AS {kind})"


CLAIMED = """
SELECT d."id", d."attempts", d."subscription", s."organization", s."url", s."secret", s."previous_secret",
       s."previous_secret_expires_us", s."failing_since_us", e."event_id", e."payload"
FROM "webhook_delivery" d
JOIN "webhook_subscription" s ON s."id" = d."subscription"
JOIN "webhook_event" e ON e."id" = d."event"
WHERE d."lease_owner" = {} AND d."id" IN ({})"""


def _placeholders(count: int) -> str:
    return ", ".join(["{}"] * count)


class Relay:
    def __init__(
        self,
        runtime: WebhookRuntime,
        *,
        owner: str | None = None,
        clock: Callable[[], int] | None = None,
        client: httpx.AsyncClient | None = None,
        rng: random.Random | None = None,
        batch: int = 50,
    ) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        # The process id says which relay process holds a delivery (operators, and the test that
        # kills one); the random part keeps owners unique across hosts and restarts.
        self.owner = owner or f"relay-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.now_us = clock or (lambda: to_micros(utcnow()))
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self.batch = batch
        self._client = client
        self._own_client = client is None
        self._wake = asyncio.Event()
        self._records: list[tuple[Claimed, Outcome, asyncio.Future[None]]] = []
        self._record_flush: asyncio.Task[None] | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                follow_redirects=False,
                trust_env=False,  # no proxies or netrc from the environment: we connect where we checked
                timeout=httpx.Timeout(self.settings.webhooks_timeout_seconds),
                limits=httpx.Limits(max_connections=self.settings.webhooks_concurrency * 2),
            )
        return self._client

    async def close(self) -> None:
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    # --- claiming ---------------------------------------------------------------------------------

    async def claim(self, limit: int, *, batch: int = 1) -> list[Claimed]:
        """Lease the queues of up to `limit` subscriptions whose oldest pending delivery is due: that
        delivery and the next ones behind it, up to `batch` per subscription, in order. While any of a
        subscription's deliveries is leased, no other relay takes any of them.

        On PostgreSQL the claim locks the subscriptions' rows (SKIP LOCKED), so claims of one
        subscription take turns, and reads its queue again under that lock. Locking the oldest
        delivery alone was not enough: ids are not handed out in commit order, so a delivery older
        than a leased run can become visible later and make a second head of the same queue, and the
        first look's snapshot can still show a head another relay has finished since. Either way two
        relays sent the same deliveries (tests/integration/test_postgres_processes.py)."""
        now = self.now_us()
        engine = WebhookDelivery._meta.db
        # A look without the write lock first: an idle relay polling must not queue behind writers.
        if not await WebhookDelivery.raw(DUE_HEADS, now, now, limit):
            return []
        lease_until = now + int(self.settings.webhooks_lease_seconds * 1_000_000)
        async with write_transaction(engine):
            # NO KEY UPDATE: the outbox's inserts (a foreign key to the subscription) are not held up.
            locking = "" if is_sqlite(engine) else " FOR NO KEY UPDATE OF s SKIP LOCKED"
            heads = await WebhookDelivery.raw(DUE_HEADS + locking, now, now, limit)
            if not heads:
                return []
            subscriptions = [row["subscription"] for row in heads]
            # A statement of its own, so it sees every claim committed before the locks were taken.
            queued = await WebhookDelivery.raw(
                RUNS.format(_placeholders(len(subscriptions)), "{}"), *subscriptions, batch
            )
            ids, head_ids = _due_runs(queued, now)
            if not ids:
                return []
            for chunk in _chunks(head_ids, 500):
                await WebhookDelivery.update({WebhookDelivery.attempts: WebhookDelivery.attempts + 1}).where(
                    WebhookDelivery.id.is_in(chunk)
                )
            for chunk in _chunks(ids, 500):
                await WebhookDelivery.update(
                    {WebhookDelivery.lease_until_us: lease_until, WebhookDelivery.lease_owner: self.owner}
                ).where(WebhookDelivery.id.is_in(chunk))
                await WebhookDelivery.update({WebhookDelivery.first_attempt_us: now}).where(
                    WebhookDelivery.id.is_in(chunk) & WebhookDelivery.first_attempt_us.is_null()
                )
            rows = []
            for chunk in _chunks(ids, 500):
                rows += await WebhookDelivery.raw(
                    CLAIMED.format("{}", _placeholders(len(chunk))), self.owner, *chunk
                )
        ordered = sorted(rows, key=lambda r: int(r["id"]))
        counted = set(head_ids)
        return [self._claimed(row, lease_until, int(row["id"]) in counted) for row in ordered]

    def _claimed(self, row: dict[str, Any], lease_until: int, counted: bool) -> Claimed:
        return Claimed(
            delivery_id=int(row["id"]),
            attempt=int(row["attempts"]) + (0 if counted else 1),
            counted=counted,
            subscription_id=uuid.UUID(str(row["subscription"])),
            organization_id=str(row["organization"]),
            url=row["url"],
            secret=row["secret"],
            previous_secret=row["previous_secret"],
            previous_secret_expires_us=row["previous_secret_expires_us"],
            failing_since_us=row["failing_since_us"],
            event_id=row["event_id"],
            payload=row["payload"].encode() if isinstance(row["payload"], str) else bytes(row["payload"]),
            lease_until_us=lease_until,
        )

    async def release(self, claimed: list[Claimed]) -> None:
        """Give back deliveries taken but not sent (their turn comes again, in order); an attempt the
        claim counted is uncounted."""
        if not claimed:
            return
        mine = WebhookDelivery.lease_owner == self.owner
        async with write_transaction(WebhookDelivery._meta.db):
            for counted in (True, False):
                ids = [c.delivery_id for c in claimed if c.counted is counted]
                changes: dict[Any, Any] = {
                    WebhookDelivery.lease_until_us: None,
                    WebhookDelivery.lease_owner: None,
                }
                if counted:
                    changes[WebhookDelivery.attempts] = WebhookDelivery.attempts - 1
                for chunk in _chunks(ids, 500):
                    await WebhookDelivery.update(changes).where(WebhookDelivery.id.is_in(chunk) & mine)

    # --- sending ----------------------------------------------------------------------------------

    def _secrets(self, claimed: Claimed) -> list[str]:
        bound = str(claimed.subscription_id)
        secrets = [self.runtime.box.decrypt(claimed.secret, bound_to=bound)]
        expires = claimed.previous_secret_expires_us
        if claimed.previous_secret and expires and expires > self.now_us():
            secrets.append(self.runtime.box.decrypt(claimed.previous_secret, bound_to=bound))
        return secrets

    async def send(self, claimed: Claimed, *, resolved: dict[str, Any] | None = None) -> Outcome:
        """One attempt. `resolved` carries the checked target between deliveries of one queue, so a
        run of deliveries resolves and decrypts once; each one still connects to the checked address."""
        allow_private = self.runtime.allow_private
        started = time.perf_counter()
        cache = resolved if resolved is not None else {}
        try:
            if "target" not in cache:
                cache["secrets"] = self._secrets(claimed)
                cache["target"] = target = parse_target(claimed.url, allow_private=allow_private)
                cache["addresses"] = await resolve_target(
                    target, allow_private=allow_private, resolver=self.runtime.resolver
                )
        except SecretUnreadable:
            return Outcome("failed", error="the signing secret cannot be read (was the secrets key changed?)")
        except TargetRefused as exc:
            return Outcome("failed", error=f"target refused: {exc}")
        target, address = cache["target"], cache["addresses"][0]
        host = f"[{address}]" if isinstance(address, IPv6Address) else str(address)
        # Connect to the address just checked, not to whatever a second lookup would return; the
        # Host header and TLS (SNI and certificate) still name the subscriber's host.
        connect_url = f"{target.scheme}://{host}:{target.port}{target.path_and_query}"
        named = f"[{target.host}]" if ":" in target.host else target.host
        default_port = {"https": 443, "http": 80}[target.scheme]
        headers = webhook_headers(claimed.event_id, int(time.time()), claimed.payload, cache["secrets"])
        headers["host"] = named if target.port == default_port else f"{named}:{target.port}"
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        try:
            async with asyncio.timeout(self.settings.webhooks_timeout_seconds):
                async with self.client.stream(
                    "POST", connect_url, content=claimed.payload, headers=headers, extensions=extensions
                ) as response:
                    body = await _read_limited(response)
        except TimeoutError:
            return Outcome("failed", latency_ms=_ms(started), error="timed out")
        except httpx.HTTPError as exc:
            return Outcome("failed", latency_ms=_ms(started), error=_error_text(exc))
        retry_after = parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))
        return outcome_of(
            response.status_code,
            latency_ms=_ms(started),
            body=body.decode("utf-8", "replace")[:RESPONSE_BODY_LIMIT],
            retry_after=retry_after,
        )

    # --- bookkeeping ------------------------------------------------------------------------------

    async def record(self, claimed: Claimed, outcome: Outcome) -> None:
        await self.record_many([(claimed, outcome)])

    async def record_many(self, outcomes: list[tuple[Claimed, Outcome]]) -> None:
        """The outcomes of attempts, in one transaction. An outcome whose lease another relay has
        taken over since is dropped: that relay's record counts."""
        now_us = self.now_us()
        now = datetime.fromtimestamp(now_us / 1_000_000, tz=UTC)
        engine = WebhookDelivery._meta.db
        rows: dict[int, tuple[Any, ...]] = {}
        streaks: dict[uuid.UUID, tuple[Claimed, int | None, str | None]] = {}
        for claimed, outcome in outcomes:
            previous = streaks.get(claimed.subscription_id)
            failing_since = previous[1] if previous else claimed.failing_since_us
            row, failing_since, disable_reason = self._delivery_row(
                claimed, outcome, failing_since, now_us, now
            )
            rows[claimed.delivery_id] = row
            earlier_reason = previous[2] if previous else None
            streaks[claimed.subscription_id] = (claimed, failing_since, disable_reason or earlier_reason)
        async with write_transaction(engine):
            mine: set[int] = set()
            template = "(" + ", ".join(_cast(kind, engine) for kind in RECORD_TYPES) + ")"
            for chunk in _chunks(list(rows), 100):
                values = ", ".join([template] * len(chunk))
                args = [value for key in chunk for value in rows[key]]
                updated = await WebhookDelivery.raw(RECORD.replace("{rows}", values), *args, self.owner)
                mine.update(int(row["id"]) for row in updated)
            attempts = [
                WebhookAttempt(
                    delivery=claimed.delivery_id,
                    number=claimed.attempt,
                    started_at=now,
                    outcome=outcome.kind,
                    status_code=outcome.status_code,
                    latency_ms=outcome.latency_ms,
                    response_body=outcome.response_body,
                    error=outcome.error and outcome.error[:ERROR_LIMIT],
                )
                for claimed, outcome in outcomes
                if claimed.delivery_id in mine
            ]
            if attempts:
                await WebhookAttempt.insert(*attempts)
            recorded = {claimed.subscription_id for claimed, _ in outcomes if claimed.delivery_id in mine}
            for claimed, failing_since, disable_reason in streaks.values():
                if claimed.subscription_id in recorded:
                    await self._record_subscription(claimed, failing_since, disable_reason, now)

    def _delivery_row(
        self, claimed: Claimed, outcome: Outcome, failing_since: int | None, now_us: int, now: datetime
    ) -> tuple[tuple[Any, ...], int | None, str | None]:
        """The delivery's new state as a row of RECORD's VALUES, the subscription's failure streak
        (when it began), and why the subscription is to be disabled, if it is."""
        status, next_attempt, completed = "pending", None, None
        disable_reason: str | None = None
        if outcome.kind == "succeeded":
            status, completed, failing_since = "succeeded", now, None
        elif outcome.kind == "gone":
            status, completed = "failed", now
            disable_reason = "The receiver answered 410 Gone."
        else:
            failing_since = failing_since or now_us
            delay = retry_delay(
                claimed.attempt,
                retry_after=outcome.retry_after,
                rng=self.rng,
                schedule=self.settings.webhooks_retry_schedule_seconds,
            )
            if delay is None:
                status, completed = "failed", now
            else:
                next_attempt = now_us + int(delay * 1_000_000)
            limit_us = int(self.settings.webhooks_disable_after_days * 86_400 * 1_000_000)
            if now_us - failing_since >= limit_us:
                days = self.settings.webhooks_disable_after_days
                disable_reason = f"Every delivery failed for {days:g} days."
        row = (
            claimed.delivery_id,
            claimed.attempt if claimed.counted else claimed.attempt - 1,
            status,
            next_attempt,
            completed,
            now,
            outcome.status_code,
            outcome.latency_ms,
            outcome.response_body,
            (outcome.error or None) and outcome.error[:ERROR_LIMIT],
            claimed.attempt,
        )
        return row, failing_since, disable_reason

    async def _record_subscription(
        self, claimed: Claimed, failing_since: int | None, disable_reason: str | None, now: datetime
    ) -> None:
        if disable_reason is not None:
            disabled = (
                await WebhookSubscription.update(
                    {
                        WebhookSubscription.status: "disabled",
                        WebhookSubscription.disabled_reason: disable_reason,
                        WebhookSubscription.failing_since_us: failing_since,
                        WebhookSubscription.updated_at: now,
                    }
                )
                .where(
                    (WebhookSubscription.id == claimed.subscription_id)
                    & (WebhookSubscription.status == "active")
                )
                .returning(WebhookSubscription.id)
            )
            if disabled:
                await emit(
                    Event(
                        type=EventType.webhook_disabled,
                        organization_id=claimed.organization_id,
                        data={"subscription_id": str(claimed.subscription_id), "reason": disable_reason},
                    )
                )
        elif failing_since != claimed.failing_since_us:
            await WebhookSubscription.update({WebhookSubscription.failing_since_us: failing_since}).where(
                WebhookSubscription.id == claimed.subscription_id
            )

    async def _recorded(self, claimed: Claimed, outcome: Outcome) -> None:
        """Record through the group commit of a running relay: outcomes finishing close together share
        one transaction. Returns once this outcome is committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._records.append((claimed, outcome, done))
        if self._record_flush is None or self._record_flush.done():
            self._record_flush = asyncio.create_task(self._flush_records())
        await done

    async def _flush_records(self) -> None:
        while self._records:
            pending, self._records = self._records, []
            try:
                await self.record_many([(claimed, outcome) for claimed, outcome, _ in pending])
            except Exception as exc:  # each waiter learns of it; leases run out and retry
                for _, _, done in pending:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, _, done in pending:
                    if not done.done():
                        done.set_result(None)

    # --- running ----------------------------------------------------------------------------------

    async def deliver_run(self, run: list[Claimed], *, grouped: bool = False) -> int:
        """Send one subscription's taken deliveries in order; stop at the first that fails (or when
        the lease would run out before the next could finish) and give the rest back. Returns the
        number of attempts made. `grouped` records through the running relay's group commit."""
        resolved: dict[str, Any] = {}
        outcomes: list[tuple[Claimed, Outcome]] = []
        committing: list[asyncio.Future[None]] = []
        timeout_us = int(self.settings.webhooks_timeout_seconds * 1_000_000)
        rest: list[Claimed] = []
        for index, claimed in enumerate(run):
            if index and self.now_us() + timeout_us >= claimed.lease_until_us:
                rest = run[index:]
                break
            outcome = await self.send(claimed, resolved=resolved)
            # The next delivery may go before this outcome is committed: it was answered, so the
            # order holds; should the relay die now, both are sent again (at least once).
            if grouped:
                committing.append(asyncio.ensure_future(self._recorded(claimed, outcome)))
            else:
                outcomes.append((claimed, outcome))
            if outcome.kind != "succeeded":
                rest = run[index + 1 :]
                break
        if outcomes:
            await self.record_many(outcomes)
        await asyncio.gather(*committing)
        await self.release(rest)
        return len(run) - len(rest)

    async def run_once(self) -> int:
        """Claim what is due now and deliver it; returns how many attempts were made."""
        claimed = await self.claim(self.settings.webhooks_concurrency, batch=self.batch)
        made = await asyncio.gather(*(self.deliver_run(run) for run in _by_subscription(claimed)))
        return sum(made)

    async def drain(self, *, seconds: float = 30.0) -> int:
        """Run until nothing is due (tests and scripts); returns the number of attempts made."""
        total = 0
        async with asyncio.timeout(seconds):
            while sent := await self.run_once():
                total += sent
        return total

    async def run(self) -> None:
        """Deliver until cancelled: the queues of up to `concurrency` subscriptions in flight, each
        finished queue letting the next claim go at once; when idle, look again every poll interval."""
        in_flight: set[asyncio.Task[Any]] = set()
        capacity = self.settings.webhooks_concurrency
        try:
            while True:
                self._wake.clear()
                claimed: list[Claimed] = []
                if len(in_flight) < capacity:
                    try:
                        claimed = await self.claim(capacity - len(in_flight), batch=self.batch)
                    except Exception:
                        log.exception("claiming webhook deliveries failed")
                for run in _by_subscription(claimed):
                    task = asyncio.create_task(self._deliver_logged(run))
                    in_flight.add(task)
                    task.add_done_callback(self._finished(in_flight))
                if claimed and len(in_flight) < capacity:
                    continue
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.settings.webhooks_poll_interval_seconds):
                        await self._wake.wait()
        finally:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
            await self.close()

    def _finished(self, in_flight: set[asyncio.Task[Any]]) -> Callable[[asyncio.Task[Any]], None]:
        def done(task: asyncio.Task[Any]) -> None:
            in_flight.discard(task)
            self._wake.set()

        return done

    async def _deliver_logged(self, run: list[Claimed]) -> None:
        try:
            await self.deliver_run(run, grouped=True)
        except Exception:
            # The leases run out and the deliveries are tried again; nothing is lost.
            log.exception("delivering to subscription %s failed unexpectedly", run[0].subscription_id)


def _due_runs(queued: list[dict[str, Any]], now: int) -> tuple[list[int], list[int]]:
    """Of each subscription's oldest pending deliveries, the unbroken run that is due now, and the
    first delivery of each run. A subscription with any delivery under a live lease is left alone:
    another relay is sending its queue."""
    queues: dict[Any, list[dict[str, Any]]] = {}
    for row in queued:
        queues.setdefault(row["subscription"], []).append(row)
    ids: list[int] = []
    heads: list[int] = []
    for rows in queues.values():
        if rows[0]["leased_until"] is not None and rows[0]["leased_until"] > now:
            continue
        run = [int(row["id"]) for row in itertools.takewhile(lambda row: row["next_attempt_us"] <= now, rows)]
        if run:
            heads.append(run[0])
            ids += run
    return ids, heads


def _by_subscription(claimed: list[Claimed]) -> list[list[Claimed]]:
    runs: dict[uuid.UUID, list[Claimed]] = {}
    for item in claimed:  # already in id order, so each run is in order of creation
        runs.setdefault(item.subscription_id, []).append(item)
    return list(runs.values())


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def _read_limited(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= RESPONSE_READ_LIMIT:
            break
    return b"".join(chunks)


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _error_text(exc: httpx.HTTPError) -> str:
    kind = type(exc).__name__
    return f"{kind}: {exc}"[:ERROR_LIMIT] if str(exc) else kind
