"""When a member's digest is due: their choice (or their role's default), the end of the last one, and
how early a served round may send it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from registry.updates.digests import digest_due

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def member(role: str = "steward", digest: str | None = None, until: datetime | None = None) -> dict[str, Any]:
    return {"role": role, "digest": digest, "digest_until": until}


@pytest.mark.parametrize(
    ("row", "due"),
    [
        (member(), True),  # a steward's default: weekly, never sent
        (member("employer_admin"), False),  # others: none unless they choose
        (member("auditor", "daily"), True),
        (member("steward", "none"), False),
        (member("steward", "weekly", NOW - timedelta(days=7)), True),
        (member("steward", "weekly", NOW - timedelta(days=6, hours=23)), False),
        (member("steward", "daily", NOW - timedelta(days=1)), True),
        (member("steward", "daily", NOW - timedelta(hours=23, minutes=59)), False),
    ],
)
def test_due_when_the_period_has_passed_since_the_last_one(row: dict[str, Any], due: bool) -> None:
    assert digest_due(row, NOW) is due


def test_a_served_round_sends_a_digest_that_falls_due_before_the_next_round() -> None:
    almost = member("steward", "daily", NOW - timedelta(hours=23, minutes=30))
    assert digest_due(almost, NOW, early=timedelta(hours=1)) is True
    assert digest_due(almost, NOW, early=timedelta(minutes=10)) is False
