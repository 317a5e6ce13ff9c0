"""No webhook is lost when the relay is SIGKILLed at random moments (also right after the receiver
answered 2xx, before the relay's bookkeeping) and the receiver fails half of the time: the fault-injection
script of tests/bench/webhook_faults.py, with small numbers. Real processes throughout: `airegistry
serve`, `airegistry worker` under a killing supervisor, receivers verifying signatures with the
`standardwebhooks` package, a scratch SQLite database of their own."""

from __future__ import annotations

import random

import pytest

from tests.bench.webhook_faults import RETRY_SCHEDULE_ENV, retry_schedule_supported, run


@pytest.mark.skipif(
    not retry_schedule_supported(),
    reason=f"needs {RETRY_SCHEDULE_ENV} in webhooks/settings.py: on the real schedule (5 s, 5 min, ...) "
    "a receiver failing 50% of the time keeps a subscription's queue waiting for minutes",
)
def test_no_event_is_lost_when_the_relay_is_killed_and_the_receiver_fails() -> None:
    seed = random.randrange(2**32)
    report = run(
        80,
        2,
        0.5,
        kill_every=1.5,  # mean seconds between SIGKILLs from the supervisor
        receiver_kill_rate=0.02,  # a few kills right after a 2xx reply, before the bookkeeping
        seed=seed,
        concurrency=4,
        # Short, so a killed relay's deliveries are taken over within a second.
        timeout_seconds=0.5,
        lease_seconds=1.0,
        drain_timeout=90,
        progress=None,
    )
    summary = f"seed {seed}\n{report.summary()}"
    r = report.reconciliation
    assert report.change_stats.made == 80, summary
    assert r.events >= 80, summary  # one event per change at least (rules may add findings' events)
    assert r.pending == 0, summary
    assert r.lost == 0, summary
    assert r.missing_deliveries == 0, summary
    assert r.unwanted_deliveries == 0, summary
    assert r.unverified == 0, summary
    assert r.unexpected == 0, summary
    assert r.body_mismatches == 0, summary  # duplicates carry the same webhook-id and the same body
    assert r.order_violations == 0, summary
    assert report.crashes == 0, summary
    # The faults did happen: half the POSTs were refused and the relay was killed again and again.
    assert r.rejected > r.deliveries / 4, summary
    assert report.kills_supervisor + report.kills_receiver >= 5, summary
    assert report.ok, summary
