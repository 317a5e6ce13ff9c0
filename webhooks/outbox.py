"""The outbox: the register's EventSink. Each event becomes one row of `webhook_event`, holding the
exact body every delivery sends, and one `webhook_delivery` per subscription that wants it, all in
the transaction of the change that caused the event. Nothing is sent from here: the relay does."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from registry.clock import iso, to_micros
from registry.events import Event
from webhooks.tables import WebhookDelivery, WebhookEvent, WebhookSubscription

API_PREFIX = "/api/v1"
# Paused subscriptions keep their queue (delivered in order once resumed); disabled ones get nothing.
RECEIVING = ("active", "paused")


def links(event: Event, base_url: str = "") -> dict[str, str]:
    """Where the subscriber reads the details, through the API (and so through the access log)."""
    root = base_url.rstrip("/") + API_PREFIX
    data = event.data
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
    body = {
        "type": str(event.type),
        "timestamp": iso(event.occurred_at),
        "data": {"organization_id": event.organization_id, **event.data, "links": links(event, base_url)},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def wants(event_types: Any, event: Event) -> bool:
    types = json.loads(event_types) if isinstance(event_types, str) else event_types
    return not types or str(event.type) in types


class OutboxSink:
    """Implements registry.events.EventSink. Must be called inside the change's transaction."""

    def __init__(self, public_base_url: str = "") -> None:
        self.public_base_url = public_base_url

    async def emit(self, events: Sequence[Event]) -> None:
        for event in events:
            await self._store(event)

    async def _store(self, event: Event) -> None:
        org = uuid.UUID(event.organization_id)
        created_us = to_micros(event.occurred_at)
        inserted = await WebhookEvent.insert(
            WebhookEvent(
                event_id=event.id,
                organization=org,
                type=str(event.type),
                payload=payload(event, self.public_base_url).decode(),
                created_at=event.occurred_at,
                created_us=created_us,
            )
        ).returning(WebhookEvent.id)
        event_key = inserted[0]["id"]
        query = WebhookSubscription.select(WebhookSubscription.id, WebhookSubscription.event_types).where(
            (WebhookSubscription.organization == org)
            & WebhookSubscription.deleted_at.is_null()
            & WebhookSubscription.status.is_in(list(RECEIVING))
        )
        if event.subscription_ids is not None:
            query = query.where(WebhookSubscription.id.is_in([uuid.UUID(s) for s in event.subscription_ids]))
        subscriptions = await query.order_by(WebhookSubscription.created_at)
        targets = [
            row["id"]
            for row in subscriptions
            if event.subscription_ids is not None or wants(row["event_types"], event)
        ]
        if targets:
            await WebhookDelivery.insert(
                *[
                    WebhookDelivery(
                        subscription=target,
                        event=event_key,
                        status="pending",
                        attempts=0,
                        next_attempt_us=created_us,
                        created_at=event.occurred_at,
                        created_us=created_us,
                    )
                    for target in targets
                ]
            )
