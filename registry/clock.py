"""Time, in one place, so every stored timestamp is UTC with microseconds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

WORKPLACE_ZONE = ZoneInfo("Europe/Copenhagen")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """The inverse of iso()."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def workplace_today() -> date:
    """Today at the workplaces the register serves (Danish time): the latest day a change may have
    taken effect on."""
    return datetime.now(WORKPLACE_ZONE).date()
