"""Tables of the webhooks: subscriptions, the outbox of events, and each delivery of an event to a
subscription with its attempts. Never returned from the API: the services turn rows into dicts."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, BigSerial, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from registry.organizations.tables import Organization


class WebhookSubscription(Table, tablename="webhook_subscription"):
    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=False, index=True)
    url = Varchar(length=2048)
    description = Varchar(length=500, null=True, default=None)
    event_types = JSON()  # a list of event types; an empty list means every type
    status = Varchar(length=16)  # active | paused | disabled
    disabled_reason = Text(null=True, default=None)
    # Signing secrets, encrypted with a key kept outside the database (webhooks/secretbox.py).
    secret = Text()
    previous_secret = Text(null=True, default=None)
    previous_secret_expires_us = BigInt(null=True, default=None)
    failing_since_us = BigInt(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    deleted_at = Timestamptz(null=True, default=None)


class WebhookEvent(Table, tablename="webhook_event"):
    """The outbox: one row per event, written in the transaction of the change that caused it.
    `payload` holds the exact body every delivery of the event sends."""

    id = BigSerial(primary_key=True)
    event_id = Varchar(length=40, unique=True)
    organization = ForeignKey(references=Organization, null=False, index=True)
    type = Varchar(length=40)
    payload = Text()
    created_at = Timestamptz()
    created_us = BigInt()


class WebhookDelivery(Table, tablename="webhook_delivery"):
    """One event to one subscription. Per subscription, deliveries go out in `id` order, one at a time.
    A relay holds a delivery while `lease_until_us` is in the future; a relay that dies loses it when
    the lease runs out, and the delivery is sent again with the same webhook-id."""

    id = BigSerial(primary_key=True)
    subscription = ForeignKey(references=WebhookSubscription, null=False, index=True)
    event = ForeignKey(references=WebhookEvent, null=False, index=True)
    status = Varchar(length=16)  # pending | succeeded | failed | cancelled
    attempts = Integer(default=0)
    next_attempt_us = BigInt()
    lease_until_us = BigInt(null=True, default=None)
    lease_owner = Varchar(length=64, null=True, default=None)
    redelivery_of = BigInt(null=True, default=None)
    created_at = Timestamptz()
    created_us = BigInt()
    first_attempt_us = BigInt(null=True, default=None)
    last_attempt_at = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    last_status_code = Integer(null=True, default=None)
    last_latency_ms = Integer(null=True, default=None)
    last_response_body = Text(null=True, default=None)
    last_error = Text(null=True, default=None)


class WebhookAttempt(Table, tablename="webhook_attempt"):
    id = BigSerial(primary_key=True)
    delivery = ForeignKey(references=WebhookDelivery, null=False, index=True)
    number = Integer()
    started_at = Timestamptz()
    outcome = Varchar(length=16)  # succeeded | failed | gone
    status_code = Integer(null=True, default=None)
    latency_ms = Integer(null=True, default=None)
    response_body = Text(null=True, default=None)
    error = Text(null=True, default=None)


class MailMessage(Table, tablename="mail_message"):
    """The outbox of e-mail: one row per message, written in the transaction that causes it and sent
    by the relay (webhooks/mail.py) until the SMTP server takes it."""

    id = BigSerial(primary_key=True)
    recipient = Varchar(length=320)
    subject = Varchar(length=300)
    text = Text()
    html = Text(null=True, default=None)
    language = Varchar(length=8)
    unsubscribe = Varchar(length=1000, null=True, default=None)
    kind = Varchar(length=32)
    status = Varchar(length=16, index=True)  # pending | sent | failed (gave up)
    attempts = Integer(default=0)
    next_attempt_us = BigInt(index=True)
    lease_us = BigInt(null=True, default=None)  # a relay sending it holds it until then
    created_at = Timestamptz()
    created_us = BigInt()
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)


__all__ = ["MailMessage", "WebhookAttempt", "WebhookDelivery", "WebhookEvent", "WebhookSubscription"]
