"""Use cases of webhook subscriptions: subscribe, list, change, pause, delete, rotate the secret, send
a test event, list deliveries and redeliver. An organization's employer admins manage its webhooks;
another organization's subscription does not exist for them.

A signing secret is returned once, when it is made; it is stored encrypted and never read back out
through the API."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from registry.access import Actor, require_register_writer
from registry.accesslog import context as audit
from registry.clock import iso, parse_iso, to_micros, utcnow
from registry.db import write_transaction
from registry.errors import Conflict, FieldProblem, InvalidInput, NotFound
from registry.events import EVENT_TYPES, Event, EventType, emit
from registry.organizations.service import organization_exists
from registry.pagination import DEFAULT_LIMIT, MAX_LIMIT, Position, decode_cursor, encode_cursor
from webhooks.runtime import WebhookRuntime
from webhooks.signing import new_secret
from webhooks.ssrf import TargetRefused, parse_target, resolve_target
from webhooks.tables import WebhookDelivery, WebhookEvent, WebhookSubscription

ROTATION_OVERLAP = timedelta(hours=24)
STATUSES_SETTABLE = ("active", "paused")
MAX_DESCRIPTION = 500
MAX_EVENT_TYPES = 100  # duplicates are allowed and collapse


def _subscription(row: dict[str, Any]) -> dict[str, Any]:
    expires = row["previous_secret_expires_us"]
    now_us = to_micros(utcnow())
    failing = row["failing_since_us"]
    return {
        "id": str(row["id"]),
        "organization_id": str(row["organization"]),
        "url": row["url"],
        "description": row["description"],
        "event_types": _types(row["event_types"]),
        "status": row["status"],
        "disabled_reason": row["disabled_reason"],
        "previous_secret_expires_at": _iso_us(expires) if expires and expires > now_us else None,
        "failing_since": _iso_us(failing) if failing else None,
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


def _types(value: Any) -> list[str]:
    return list(json.loads(value) if isinstance(value, str) else value or [])


def _iso_us(micros: int) -> str:
    return iso(datetime.fromtimestamp(micros / 1_000_000, tz=UTC))


async def checked_url(runtime: WebhookRuntime, url: Any) -> str:
    """The URL when it is a target the register may send to: https, resolving only to public
    addresses (unless the deployment allows private targets). Refused with the reason otherwise."""
    if not isinstance(url, str):
        raise InvalidInput("The URL is not valid.", problems=[FieldProblem("url", "must be a string")])
    try:
        target = parse_target(url.strip(), allow_private=runtime.allow_private)
        await resolve_target(target, allow_private=runtime.allow_private, resolver=runtime.resolver)
    except TargetRefused as exc:
        raise InvalidInput(
            "The URL cannot be a webhook target.", problems=[FieldProblem("url", str(exc))]
        ) from exc
    return target.url


def checked_event_types(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_EVENT_TYPES:
        raise InvalidInput(
            "The event types are not valid.",
            problems=[FieldProblem("event_types", f"must be a list of at most {MAX_EVENT_TYPES} types")],
        )
    problems = [
        FieldProblem(f"event_types[{i}]", f"is not an event type (known: {', '.join(EVENT_TYPES)})")
        for i, kind in enumerate(value)
        if kind not in EVENT_TYPES
    ]
    if problems:
        raise InvalidInput("Some event types are unknown.", problems=problems)
    return list(dict.fromkeys(value))


def checked_description(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION or "\x00" in value:
        raise InvalidInput(
            "The description is not valid.",
            problems=[FieldProblem("description", f"must be text of at most {MAX_DESCRIPTION} characters")],
        )
    return value.strip() or None


async def _owned_row(actor: Actor, subscription_id: str) -> dict[str, Any]:
    """The subscription when the actor manages it; NotFound otherwise, whatever the reason."""
    try:
        key = uuid.UUID(subscription_id)
    except ValueError as exc:
        raise NotFound("Webhook not found.") from exc
    row = (
        await WebhookSubscription.select()
        .where((WebhookSubscription.id == key) & WebhookSubscription.deleted_at.is_null())
        .first()
    )
    if row is None:
        raise NotFound("Webhook not found.")
    org_id = str(row["organization"])
    audit.note(organization_id=org_id)
    try:
        require_register_writer(actor, org_id)
    except NotFound as exc:
        raise NotFound("Webhook not found.") from exc
    return row


async def create_subscription(
    runtime: WebhookRuntime,
    actor: Actor,
    org_id: str,
    *,
    url: Any,
    event_types: Any = None,
    description: Any = None,
) -> tuple[dict[str, Any], str]:
    """Subscribe a URL; returns the subscription and its signing secret (shown this once)."""
    require_register_writer(actor, org_id)
    if not await organization_exists(org_id):
        raise NotFound("Organization not found.")
    target_url = await checked_url(runtime, url)
    types = checked_event_types(event_types)
    text = checked_description(description)
    key, now, secret = uuid.uuid4(), utcnow(), new_secret()
    audit.note(organization_id=org_id, resource_id=str(key))
    async with write_transaction(WebhookSubscription._meta.db):
        await WebhookSubscription.insert(
            WebhookSubscription(
                id=key,
                organization=uuid.UUID(org_id),
                url=target_url,
                description=text,
                event_types=json.dumps(types),
                status="active",
                secret=runtime.box.encrypt(secret, bound_to=str(key)),
                created_at=now,
                updated_at=now,
            )
        )
    row = await WebhookSubscription.select().where(WebhookSubscription.id == key).first()
    assert row is not None
    return _subscription(row), secret


async def list_subscriptions(actor: Actor, org_id: str) -> list[dict[str, Any]]:
    require_register_writer(actor, org_id)
    if not await organization_exists(org_id):
        raise NotFound("Organization not found.")
    rows = (
        await WebhookSubscription.select()
        .where(
            (WebhookSubscription.organization == uuid.UUID(org_id)) & WebhookSubscription.deleted_at.is_null()
        )
        .order_by(WebhookSubscription.created_at)
    )
    return [_subscription(row) for row in rows]


async def get_subscription(actor: Actor, subscription_id: str) -> dict[str, Any]:
    return _subscription(await _owned_row(actor, subscription_id))


async def update_subscription(
    runtime: WebhookRuntime, actor: Actor, subscription_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change the URL, the event types, the description, or the status (active or paused). Setting a
    disabled subscription active enables it again."""
    row = await _owned_row(actor, subscription_id)
    values: dict[Any, Any] = {}
    if "url" in changes:
        values[WebhookSubscription.url] = await checked_url(runtime, changes["url"])
    if "event_types" in changes:
        values[WebhookSubscription.event_types] = json.dumps(checked_event_types(changes["event_types"]))
    if "description" in changes:
        values[WebhookSubscription.description] = checked_description(changes["description"])
    if "status" in changes:
        status = changes["status"]
        if status not in STATUSES_SETTABLE:
            raise InvalidInput(
                "The status is not valid.",
                problems=[FieldProblem("status", "must be active or paused")],
            )
        values[WebhookSubscription.status] = status
        if row["status"] == "disabled" or row["disabled_reason"] is not None or status == "active":
            # Whoever sets the status has looked at the subscription: an old failure streak or the
            # reason it was disabled no longer describes it.
            values[WebhookSubscription.disabled_reason] = None
            values[WebhookSubscription.failing_since_us] = None
    values[WebhookSubscription.updated_at] = utcnow()
    async with write_transaction(WebhookSubscription._meta.db):
        await WebhookSubscription.update(values).where(WebhookSubscription.id == row["id"])
    return await get_subscription(actor, subscription_id)


async def delete_subscription(actor: Actor, subscription_id: str) -> None:
    """The subscription stops receiving; what was still queued for it is cancelled. Its deliveries
    stay on record."""
    row = await _owned_row(actor, subscription_id)
    now = utcnow()
    async with write_transaction(WebhookSubscription._meta.db):
        await WebhookSubscription.update(
            {WebhookSubscription.deleted_at: now, WebhookSubscription.updated_at: now}
        ).where(WebhookSubscription.id == row["id"])
        await WebhookDelivery.update(
            {WebhookDelivery.status: "cancelled", WebhookDelivery.completed_at: now}
        ).where((WebhookDelivery.subscription == row["id"]) & (WebhookDelivery.status == "pending"))


async def rotate_secret(
    runtime: WebhookRuntime, actor: Actor, subscription_id: str
) -> tuple[dict[str, Any], str]:
    """A new signing secret; for the next 24 hours deliveries carry signatures by both secrets, so the
    subscriber can switch without missing one."""
    row = await _owned_row(actor, subscription_id)
    key, now, secret = str(row["id"]), utcnow(), new_secret()
    async with write_transaction(WebhookSubscription._meta.db):
        await WebhookSubscription.update(
            {
                WebhookSubscription.secret: runtime.box.encrypt(secret, bound_to=key),
                WebhookSubscription.previous_secret: row["secret"],
                WebhookSubscription.previous_secret_expires_us: to_micros(now + ROTATION_OVERLAP),
                WebhookSubscription.updated_at: now,
            }
        ).where(WebhookSubscription.id == row["id"])
    return await get_subscription(actor, subscription_id), secret


async def send_test(actor: Actor, subscription_id: str) -> dict[str, Any]:
    """Queue a webhook.test event for this subscription alone; returns its delivery."""
    row = await _owned_row(actor, subscription_id)
    if row["status"] == "disabled":
        raise Conflict("The webhook is disabled; set its status to active before testing it.")
    event = Event(
        type=EventType.webhook_test,
        organization_id=str(row["organization"]),
        data={"subscription_id": str(row["id"])},
        subscription_ids=(str(row["id"]),),
    )
    async with write_transaction(WebhookSubscription._meta.db):
        await emit(event)
    delivery = await _delivery_rows(row["id"], event_id=event.id, limit=1)
    return _delivery(delivery[0])


DELIVERY_COLUMNS = (
    'd."id", d."status", d."attempts", d."next_attempt_us", d."created_at", d."last_attempt_at", '
    'd."completed_at", d."last_status_code", d."last_latency_ms", d."last_response_body", d."last_error", '
    'd."redelivery_of", e."event_id", e."type"'
)


async def _delivery_rows(
    subscription_key: uuid.UUID,
    *,
    event_id: str | None = None,
    delivery_id: int | None = None,
    status: str | None = None,
    before: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[dict[str, Any]]:
    clauses: list[str] = ['d."subscription" = {}']
    args: list[Any] = [subscription_key]
    for clause, value in (
        ('e."event_id" = {}', event_id),
        ('d."id" = {}', delivery_id),
        ('d."status" = {}', status),
        ('d."id" < {}', before),
    ):
        if value is not None:
            clauses.append(clause)
            args.append(value)
    # Only fixed fragments are joined in; every value is a bound parameter.
    sql = (
        f'SELECT {DELIVERY_COLUMNS} FROM "webhook_delivery" d JOIN "webhook_event" e ON e."id" = d."event" '  # noqa: S608
        "WHERE " + " AND ".join(clauses) + ' ORDER BY d."id" DESC LIMIT {}'
    )
    return await WebhookDelivery.raw(sql, *args, limit)


def _delivery(row: dict[str, Any]) -> dict[str, Any]:
    pending = row["status"] == "pending"
    return {
        "id": str(row["id"]),
        "webhook_id": row["event_id"],
        "event_type": row["type"],
        "status": row["status"],
        "attempts": row["attempts"],
        "created_at": _moment(row["created_at"]),
        "last_attempt_at": _moment(row["last_attempt_at"]),
        "next_attempt_at": _iso_us(row["next_attempt_us"]) if pending else None,
        "completed_at": _moment(row["completed_at"]),
        "status_code": row["last_status_code"],
        "latency_ms": row["last_latency_ms"],
        "response_body": row["last_response_body"],
        "error": row["last_error"],
        "redelivery_of": str(row["redelivery_of"]) if row["redelivery_of"] is not None else None,
    }


def _moment(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # raw queries on SQLite return timestamps as text
        return iso(parse_iso(value.replace(" ", "T")))
    return iso(value)


async def list_deliveries(
    actor: Actor,
    subscription_id: str,
    *,
    status: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """A subscription's deliveries, newest first, with the outcome of each one's latest attempt."""
    row = await _owned_row(actor, subscription_id)
    limit = max(1, min(limit, MAX_LIMIT))
    before = decode_cursor(cursor).sort_key if cursor else None
    rows = await _delivery_rows(row["id"], status=status, before=before, limit=limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(Position(sort_key=int(rows[-1]["id"]), item_id=uuid.UUID(int=0)))
    return [_delivery(r) for r in rows], next_cursor


def _delivery_id(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise NotFound("Delivery not found.")
    return int(value)


async def redeliver(actor: Actor, subscription_id: str, delivery_id: str) -> dict[str, Any]:
    """Send a delivery's event again, with the same webhook-id, after what is already queued."""
    row = await _owned_row(actor, subscription_id)
    found = await _delivery_rows(row["id"], delivery_id=_delivery_id(delivery_id), limit=1)
    if not found:
        raise NotFound("Delivery not found.")
    original = found[0]
    now = utcnow()
    async with write_transaction(WebhookDelivery._meta.db):
        event = (
            await WebhookEvent.select(WebhookEvent.id)
            .where(WebhookEvent.event_id == original["event_id"])
            .first()
        )
        if event is None:
            raise NotFound("Delivery not found.")
        inserted = await WebhookDelivery.insert(
            WebhookDelivery(
                subscription=row["id"],
                event=event["id"],
                status="pending",
                attempts=0,
                next_attempt_us=to_micros(now),
                redelivery_of=int(original["id"]),
                created_at=now,
                created_us=to_micros(now),
            )
        ).returning(WebhookDelivery.id)
    again = await _delivery_rows(row["id"], delivery_id=inserted[0]["id"], limit=1)
    return _delivery(again[0])
