"""No webhook is lost when the relay is SIGKILLed in the middle of its work (also right after the
receiver answered 2xx, before the relay's bookkeeping) and the receiver fails half of the time: the
fault-injection script of tests/bench/webhook_faults.py, with small numbers. Real processes throughout:
`airegistry serve`, `airegistry worker` under a killing supervisor, receivers verifying signatures with
the `standardwebhooks` package, a scratch SQLite database of their own.

The faults happen by construction, not by chance: every second POST is answered 500, the supervisor
kills the relay as soon as the receivers have got 10, 40, 80 and 120 POSTs, and each receiver kills it
right after its 5th and 25th 2xx reply. Every figure asserted below holds however fast the run is."""

from __future__ import annotations

import pytest

from tests.bench.webhook_faults import RETRY_SCHEDULE_ENV, retry_schedule_supported, run

FAIL_EVERY = 2
# At most a tenth of what the run is sure to produce: 80 changes give at least 120 deliveries, each
# accepted once at least, and every second POST is refused, so the receivers get 240 POSTs or more.
SUPERVISOR_KILLS_AFTER_POSTS = (10, 40, 80, 120)
RECEIVER_KILLS_AFTER_2XX = (5, 25)


@pytest.mark.skipif(
    not retry_schedule_supported(),
    reason=f"needs {RETRY_SCHEDULE_ENV} in webhooks/settings.py: on the real schedule (5 s, 5 min, ...) "
    "a receiver failing 50% of the time keeps a subscription's queue waiting for minutes",
)
def test_no_event_is_lost_when_the_relay_is_killed_and_the_receiver_fails() -> None:
    seed = 2026  # only the change data; no fault depends on it
    report = run(
        80,
        2,
        0.0,
        kill_every=None,
        receiver_kill_rate=0.0,
        fail_every=FAIL_EVERY,
        kill_after_arrivals=SUPERVISOR_KILLS_AFTER_POSTS,
        receiver_kills_after_2xx=RECEIVER_KILLS_AFTER_2XX,
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
    assert report.kills_supervisor == len(SUPERVISOR_KILLS_AFTER_POSTS), summary
    assert report.kills_receiver == 2 * len(RECEIVER_KILLS_AFTER_2XX), summary
    assert report.kills_supervisor + report.kills_receiver >= 5, summary
    assert report.ok, summary
