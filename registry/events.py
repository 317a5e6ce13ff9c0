"""What the register tells the outside world when something changes, and the port it tells it through.

Services emit events inside the transaction of the change that causes them, so a change and its
events commit together or not at all. The register owns the `EventSink` protocol; the webhooks
package implements it (an outbox table), and the composition root (the app, the CLI) installs it."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from registry.clock import utcnow
from registry.errors import ConfigurationError


class EventType(StrEnum):
    system_registered = "system.registered"
    system_updated = "system.updated"
    system_status_changed = "system.status_changed"
    system_retired = "system.retired"
    system_record_added = "system.record_added"
    apv_reassessment_required = "apv.reassessment_required"
    apv_reassessment_completed = "apv.reassessment_completed"
    question_asked = "question.asked"
    question_answered = "question.answered"
    finding_opened = "finding.opened"
    finding_resolved = "finding.resolved"
    webhook_test = "webhook.test"
    webhook_disabled = "webhook.disabled"
    product_changed = "product.changed"
    member_invited = "member.invited"
    member_changed = "member.changed"
    member_removed = "member.removed"
    access_log_checkpoint = "access_log.checkpoint"
    access_log_integrity_failed = "access_log.integrity_failed"


# Events of the whole register, not of one organization: delivered to subscriptions (of any
# organization) that name their type, never to those that take "every type".
PLATFORM_EVENT_TYPES = frozenset({EventType.access_log_checkpoint, EventType.access_log_integrity_failed})


EVENT_TYPES: tuple[str, ...] = tuple(member.value for member in EventType)


def new_event_id() -> str:
    """A Standard Webhooks message id: unique, stable across retries of the same message."""
    return f"msg_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Event:
    """A thin notice that something changed: ids, version, changed field names, the material flag.
    Subscribers fetch the details through the API (and so through the access log)."""

    type: EventType
    organization_id: str | None  # None: an event of the whole register (PLATFORM_EVENT_TYPES)
    data: dict[str, Any]
    occurred_at: datetime = field(default_factory=utcnow)
    id: str = field(default_factory=new_event_id)
    # Only these subscriptions receive the event (a test event); None means every matching one.
    subscription_ids: tuple[str, ...] | None = None


class EventSink(Protocol):
    async def emit(self, events: Sequence[Event]) -> None:
        """Store the events in the caller's open transaction; raise to abort the change."""


_sink: EventSink | None = None


def use_sink(sink: EventSink | None) -> None:
    """Install the sink every service emits through (done once, by the composition root)."""
    global _sink  # noqa: PLW0603 - one port per process, set by the composition root
    _sink = sink


_batch: ContextVar[list[Event] | None] = ContextVar("batched_events", default=None)


async def emit(*events: Event) -> None:
    if _sink is None:
        # Losing events silently would break the promise to subscribers; refuse the change instead.
        raise ConfigurationError("No event sink is installed; changes cannot be recorded.")
    pending = _batch.get()
    if pending is not None:
        pending.extend(events)
        return
    await _sink.emit(events)


@contextlib.asynccontextmanager
async def batched() -> AsyncIterator[None]:
    """Within it (one transaction of many changes: an import), events are gathered and handed to the
    sink in one call at the end, in the order they happened, still in the same transaction. A body
    that fails emits nothing."""
    pending: list[Event] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    if pending:
        await emit(*pending)


def system_event(
    org_id: str,
    system_id: str,
    version: int,
    *,
    previous_status: str | None,
    status: str,
    changed_fields: list[str],
    material_reasons: list[str],
) -> Event:
    """The one event a system's change causes, the most specific that applies: registered, retired,
    status changed, or updated. Every event carries the changed field names, so a subscriber to all
    types learns of each change once."""
    if previous_status is None:
        kind = EventType.system_registered
    elif status != previous_status and status == "retired":
        kind = EventType.system_retired
    elif status != previous_status:
        kind = EventType.system_status_changed
    else:
        kind = EventType.system_updated
    data: dict[str, Any] = {
        "system_id": system_id,
        "version": version,
        "changed_fields": changed_fields,
        "material": bool(material_reasons),
        "material_reasons": material_reasons,
    }
    if previous_status is not None and status != previous_status:
        data["previous_status"] = previous_status
        data["status"] = status
    return Event(type=kind, organization_id=org_id, data=data)
