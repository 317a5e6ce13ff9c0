"""The outbox: the register's EventSink. Each event becomes one row of `webhook_event`, holding the
exact body every delivery sends, and one `webhook_delivery` per subscription that wants it, all in
the transaction of the change that caused the event. Nothing is sent from here: the relay does."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from registry.clock import iso, to_micros
from registry.events import PLATFORM_EVENT_TYPES, Event, new_event_id
from registry.mail import Mail
from webhooks.mail import MailOutbox
from webhooks.tables import WebhookDelivery, WebhookEvent, WebhookSubscription

API_PREFIX = "/api/v1"


def links(event: Event, base_url: str = "") -> dict[str, str]:
    """Where the subscriber reads the details, through the API (and so through the access log)."""
    root = base_url.rstrip("/") + API_PREFIX
    data = event.data
    if event.organization_id is None:  # an event of the whole register: the access log's
        number = (data.get("checkpoint") or {}).get("number")
        after = f"?after={int(number) - 1}" if isinstance(number, int) else ""
        return {"checkpoints": f"{root}/access-log/checkpoints{after}"}
    found: dict[str, str] = {"organization": f"{root}/organizations/{event.organization_id}"}
    if "system_id" in data:
        system = f"{root}/systems/{data['system_id']}"
        found["system"] = system
        if "version" in data:
            found["revision"] = f"{system}/revisions/{data['version']}"
            found["diff"] = f"{system}/revisions/{data['version']}/diff"
    if "question_id" in data:
        found["question"] = f"{root}/questions/{data['question_id']}"
    if "subscription_id" in data:
        found["webhook"] = f"{root}/webhooks/{data['subscription_id']}"
    return found


def payload(event: Event, base_url: str = "") -> bytes:
    """The thin JSON body of an event: type, time, ids, version, changed field names, material flag,
    links. Standard Webhooks' recommended shape: {type, timestamp, data}."""
    owner = {} if event.organization_id is None else {"organization_id": event.organization_id}
    body = {
        "type": str(event.type),
        "timestamp": iso(event.occurred_at),
        "data": {**owner, **event.data, "links": links(event, base_url)},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def wants(event_types: Any, event: Event) -> bool:
    types = json.loads(event_types) if isinstance(event_types, str) else event_types
    if event.type in PLATFORM_EVENT_TYPES:
        return str(event.type) in (types or ())  # only subscriptions that name it
    return not types or str(event.type) in types


# Paused subscriptions keep their queue (delivered in order once resumed); disabled ones get nothing.
SUBSCRIBERS = (
    'SELECT "id", "event_types" FROM "webhook_subscription" WHERE "organization" = {} '
    'AND "deleted_at" IS NULL AND "status" IN (\'active\', \'paused\') ORDER BY "created_at"'
)
# Subscriptions of every organization, for the register's own events (the access log's).
ALL_SUBSCRIBERS = (
    'SELECT "id", "organization", "event_types" FROM "webhook_subscription" '
    'WHERE "deleted_at" IS NULL AND "status" IN (\'active\', \'paused\') ORDER BY "created_at"'
)
INSERT_EVENT = (
    'INSERT INTO "webhook_event" ("event_id", "organization", "type", "payload", "created_at", "created_us") '
    'VALUES ({}, {}, {}, {}, {}, {}) RETURNING "id"'
)
INSERT_EVENTS = (
    'INSERT INTO "webhook_event" ("event_id", "organization", "type", "payload", "created_at", "created_us") '
    "VALUES "
)
BATCH = 500  # rows per multi-row insert: 6 values each, well below SQLite's and asyncpg's limits
INSERT_DELIVERIES = (
    'INSERT INTO "webhook_delivery" ("subscription", "event", "status", "attempts", "next_attempt_us", '
    '"created_at", "created_us") VALUES '
)


class OutboxSink:
    """Implements registry.events.EventSink. Must be called inside the change's transaction."""

    def __init__(self, public_base_url: str = "") -> None:
        self.public_base_url = public_base_url

    async def emit(self, events: Sequence[Event]) -> None:
        # Written as SQL by hand: this runs inside every change of the register, and building rows
        # with Piccolo's table objects cost more than the inserts themselves.
        receiving: dict[str, list[dict[str, Any]]] = {}
        run: list[Event] = []  # consecutive events of organizations, stored together
        for event in events:
            if event.organization_id is None:
                await self._store_many(run, receiving)
                run = []
                await self._broadcast(event)
                continue
            if event.organization_id not in receiving:
                receiving[event.organization_id] = await WebhookSubscription.raw(
                    SUBSCRIBERS, uuid.UUID(event.organization_id)
                )
            run.append(event)
        await self._store_many(run, receiving)

    async def _store_many(self, events: list[Event], receiving: dict[str, list[dict[str, Any]]]) -> None:
        """Events of organizations, in order: one row each and their deliveries, in multi-row inserts
        (an import writes tens of thousands in one transaction)."""
        if len(events) == 1:
            event = events[0]
            await self._store(event, receiving[str(event.organization_id)])
            return
        for start in range(0, len(events), BATCH):
            chunk = events[start : start + BATCH]
            values = ", ".join(["({}, {}, {}, {}, {}, {})"] * len(chunk))
            args: list[Any] = []
            for event in chunk:
                args += [
                    event.id,
                    uuid.UUID(str(event.organization_id)),
                    str(event.type),
                    payload(event, self.public_base_url).decode(),
                    event.occurred_at,
                    to_micros(event.occurred_at),
                ]
            inserted = await WebhookEvent.raw(INSERT_EVENTS + values + ' RETURNING "id", "event_id"', *args)
            keys = {row["event_id"]: row["id"] for row in inserted}
            deliveries = [
                (target, keys[event.id], event)
                for event in chunk
                for target in self._targets(event, receiving[str(event.organization_id)])
            ]
            for first in range(0, len(deliveries), BATCH):
                part = deliveries[first : first + BATCH]
                rows = ", ".join(["({}, {}, 'pending', 0, {}, {}, {})"] * len(part))
                delivery_args = [
                    value
                    for target, key, event in part
                    for value in (
                        target,
                        key,
                        to_micros(event.occurred_at),
                        event.occurred_at,
                        to_micros(event.occurred_at),
                    )
                ]
                await WebhookDelivery.raw(INSERT_DELIVERIES + rows, *delivery_args)

    @staticmethod
    def _targets(event: Event, subscribers: list[dict[str, Any]]) -> list[Any]:
        chosen = event.subscription_ids
        return [
            row["id"]
            for row in subscribers
            if (str(row["id"]) in chosen if chosen is not None else wants(row["event_types"], event))
        ]

    async def queue(self, mails: Sequence[Mail]) -> None:
        """registry.mail.MailSink: the outbox carries e-mail too (webhooks/mail.py sends it)."""
        await MailOutbox().queue(mails)

    async def _broadcast(self, event: Event) -> None:
        """An event of the whole register: one outbox row per organization with a subscription that
        names it (each row with its own message id), delivered only to those subscriptions."""
        wanting: dict[str, list[dict[str, Any]]] = {}
        for row in await WebhookSubscription.raw(ALL_SUBSCRIBERS):
            if wants(row["event_types"], event):
                wanting.setdefault(str(row["organization"]), []).append(row)
        for organization, subscribers in wanting.items():
            await self._store(event, subscribers, organization=organization, event_id=new_event_id())

    async def _store(
        self,
        event: Event,
        subscribers: list[dict[str, Any]],
        *,
        organization: str | None = None,
        event_id: str | None = None,
    ) -> None:
        created_us = to_micros(event.occurred_at)
        inserted = await WebhookEvent.raw(
            INSERT_EVENT,
            event_id or event.id,
            uuid.UUID(organization or event.organization_id),
            str(event.type),
            payload(event, self.public_base_url).decode(),
            event.occurred_at,
            created_us,
        )
        event_key = inserted[0]["id"]
        targets = self._targets(event, subscribers)
        if targets:
            rows = ", ".join(["({}, {}, 'pending', 0, {}, {}, {})"] * len(targets))
            args = [
                value
                for target in targets
                for value in (target, event_key, created_us, event.occurred_at, created_us)
            ]
            await WebhookDelivery.raw(INSERT_DELIVERIES + rows, *args)
