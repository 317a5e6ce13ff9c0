"""The relay's rules that need no network: the retry schedule, Retry-After, and what an answer means."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from registry.events import Event, EventType
from webhooks.outbox import links, payload, wants
from webhooks.relay import outcome_of, parse_retry_after, retry_delay
from webhooks.settings import STANDARD_SCHEDULE, WebhookSettings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_the_schedule_is_the_standard_webhooks_one_with_ten_percent_jitter() -> None:
    rng = random.Random(1)
    for attempts_made, scheduled in enumerate(STANDARD_SCHEDULE[1:], start=1):
        delays = [retry_delay(attempts_made, rng=rng) for _ in range(200)]
        assert all(d is not None and scheduled * 0.9 <= d <= scheduled * 1.1 for d in delays)
        assert len({round(d or 0, 6) for d in delays}) > 100  # spread, not one fixed value
    assert retry_delay(len(STANDARD_SCHEDULE)) is None


def test_retry_after_makes_the_wait_longer_never_shorter() -> None:
    assert retry_delay(1, retry_after=600, rng=random.Random(1)) == 600
    assert (retry_delay(2, retry_after=1, rng=random.Random(1)) or 0) > 250
    assert retry_delay(1, retry_after=10**9) == 24 * 3600


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("Sun, 22 Nov 2026 12:02:00 GMT", 120.0),
        ("Sun, 22 Nov 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("-3", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


@pytest.mark.parametrize(
    ("status", "kind"),
    [(200, "succeeded"), (204, "succeeded"), (299, "succeeded"), (301, "failed"), (304, "failed"),
     (400, "failed"), (410, "gone"), (429, "failed"), (500, "failed"), (503, "failed")],
)  # fmt: skip
def test_what_an_answer_means(status: int, kind: str) -> None:
    assert outcome_of(status, latency_ms=3, body="", retry_after=None).kind == kind


def test_a_redirect_says_it_was_not_followed() -> None:
    assert outcome_of(302, latency_ms=1, body="", retry_after=None).error == "redirects are not followed"


def test_the_schedule_setting_reads_comma_separated_seconds() -> None:
    settings = WebhookSettings(webhooks_retry_schedule_seconds="0, 0.5,2")  # type: ignore[arg-type]
    assert settings.webhooks_retry_schedule_seconds == (0.0, 0.5, 2.0)
    with pytest.raises(ValueError, match="1 to 20 waits"):
        WebhookSettings(webhooks_retry_schedule_seconds="-1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="LEASE_SECONDS"):
        WebhookSettings(webhooks_timeout_seconds=30, webhooks_lease_seconds=20)


def test_a_payload_is_thin_and_links_back_to_the_api() -> None:
    event = Event(
        type=EventType.system_updated,
        organization_id="o1",
        data={"system_id": "s1", "version": 3, "changed_fields": ["purpose"], "material": False},
        occurred_at=NOW + timedelta(microseconds=5),
    )
    body = payload(event, "https://register.example.dk/")
    assert body.startswith(b'{"type":"system.updated","timestamp":"2026-11-22T12:00:00.000005Z"')
    assert links(event, "https://register.example.dk")["diff"] == (
        "https://register.example.dk/api/v1/systems/s1/revisions/3/diff"
    )
    assert links(event)["system"] == "/api/v1/systems/s1"


def test_an_empty_type_list_wants_everything() -> None:
    event = Event(type=EventType.system_retired, organization_id="o", data={})
    assert wants("[]", event)
    assert wants(["system.retired"], event)
    assert not wants('["system.updated"]', event)
