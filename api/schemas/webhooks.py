"""Webhook schemas: subscriptions (read, create, update; the secret only when made) and deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from registry.events import EventType


class Webhook(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    url: str
    description: str | None
    event_types: list[EventType] = Field(description="The event types delivered; empty means all.")
    status: Literal["active", "paused", "disabled"]
    disabled_reason: str | None
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation, until when deliveries are also signed with the previous secret."
    )
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(Webhook):
    secret: str = Field(description="The signing secret (whsec_...). Shown this once; store it now.")


class WebhookCreate(BaseModel):
    """An https endpoint of the subscriber and the event types it wants (none listed: all)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=4096, examples=["https://tillidsrep.example.dk/hooks/ai-register"])
    event_types: list[str] | None = Field(default=None, max_length=100, examples=[["system.updated"]])
    description: str | None = Field(default=None, max_length=4096)


class WebhookUpdate(BaseModel):
    """Fields to change. `status` pauses (deliveries wait, in order) or resumes a subscription; setting
    a disabled one `active` enables it again."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=4096)
    event_types: list[str] | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=4096)
    status: Literal["active", "paused"] | None = None


class WebhookDelivery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    webhook_id: str = Field(description="The webhook-id header: the same on every attempt and redelivery.")
    event_type: str
    status: Literal["pending", "succeeded", "failed", "cancelled"]
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    completed_at: datetime | None
    status_code: int | None = Field(description="The receiver's status code on the latest attempt.")
    latency_ms: int | None
    response_body: str | None = Field(description="The start of the receiver's answer (at most 1 KiB).")
    error: str | None
    redelivery_of: str | None


class WebhookDeliveryPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[WebhookDelivery]
    next_cursor: str | None
