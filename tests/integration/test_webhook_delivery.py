"""The relay delivering register events to a real HTTP receiver on this machine, with signatures
checked by the public `standardwebhooks` package (tests/support/receiver.py).

The relay runs step by step (`run_once`, `drain`) with a clock the tests move, so retry schedules of
hours are checked in milliseconds; the HTTP, the signing and the database are all real."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from registry.clock import to_micros, utcnow
from tests.support.receiver import Receiver, Reply, verify_signature
from tests.support.world import API, CVRS, TokenFactory, bearer, system_body
from webhooks.relay import Relay
from webhooks.runtime import WebhookRuntime
from webhooks.secretbox import SecretBox
from webhooks.settings import STANDARD_SCHEDULE
from webhooks.tables import WebhookDelivery, WebhookSubscription

HOUR = 3600.0
# Most tests follow the systems alone; a change also raises findings and APV events.
SYSTEM_EVENTS = ["system.registered", "system.updated", "system.status_changed", "system.retired"]


class Clock:
    """Real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset_us = 0

    def __call__(self) -> int:
        return to_micros(utcnow()) + self.offset_us

    def advance(self, seconds: float) -> None:
        self.offset_us += int(seconds * 1_000_000)


@dataclass
class Org:
    client: httpx.AsyncClient
    id: str
    admin: dict[str, str]
    receiver: Receiver

    async def subscribe(self, path: str, event_types: list[str] | None = SYSTEM_EVENTS) -> tuple[str, str]:
        body: dict[str, Any] = {"url": self.receiver.url(path), "event_types": event_types}
        r = await self.client.post(f"{API}/organizations/{self.id}/webhooks", json=body, headers=self.admin)
        assert r.status_code == 201, r.text
        self.receiver.set_secrets(path, r.json()["secret"])
        return r.json()["id"], r.json()["secret"]

    async def register(self, **fields: Any) -> str:
        r = await self.client.post(
            f"{API}/organizations/{self.id}/systems", json=system_body(**fields), headers=self.admin
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def change(self, system_id: str, **fields: Any) -> dict[str, Any]:
        current = await self.client.get(f"{API}/systems/{system_id}", headers=self.admin)
        r = await self.client.patch(
            f"{API}/systems/{system_id}",
            json=fields,
            headers={**self.admin, "If-Match": current.headers["etag"]},
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def deliveries(self, subscription_id: str) -> list[dict[str, Any]]:
        r = await self.client.get(f"{API}/webhooks/{subscription_id}/deliveries", headers=self.admin)
        assert r.status_code == 200, r.text
        return list(r.json()["items"])

    async def subscription(self, subscription_id: str) -> dict[str, Any]:
        r = await self.client.get(f"{API}/webhooks/{subscription_id}", headers=self.admin)
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
async def org(local_client: httpx.AsyncClient, token: TokenFactory, receiver: Receiver) -> Org:
    r = await local_client.post(
        f"{API}/organizations",
        json={"name": "Kommunen", "cvr": CVRS[3], "sector": "public", "cooperation_body": "MED"},
        headers=bearer(token("platform_admin")),
    )
    assert r.status_code == 201, r.text
    org_id = r.json()["id"]
    return Org(local_client, org_id, bearer(token("employer_admin", org_id)), receiver)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def relay(local_webhooks: WebhookRuntime, clock: Clock) -> AsyncIterator[Relay]:
    running = Relay(local_webhooks, clock=clock, rng=random.Random(7))
    yield running
    await running.close()


def payload(request: Any) -> dict[str, Any]:
    return dict(json.loads(request.body))


async def test_a_registered_system_reaches_the_subscriber_signed_and_thin(
    org: Org, relay: Relay, receiver: Receiver
) -> None:
    subscription, secret = await org.subscribe("/union")
    system_id = await org.register(status="in_use")

    assert await relay.drain() == 1

    [request] = receiver.requests("/union")
    assert request.verified is True  # checked by the standardwebhooks package
    assert request.headers["webhook-id"].startswith("msg_")
    assert abs(int(request.headers["webhook-timestamp"]) - utcnow().timestamp()) < 30
    assert request.headers["content-type"] == "application/json"
    body = payload(request)
    assert body["type"] == "system.registered"
    data = body["data"]
    assert data["organization_id"] == org.id
    assert data["system_id"] == system_id
    assert data["version"] == 1
    assert "name" in data["changed_fields"]
    assert data["material"] is True
    assert data["material_reasons"] == ["went_into_use"]
    assert data["links"]["system"].endswith(f"{API}/systems/{system_id}")
    assert data["links"]["diff"].endswith(f"{API}/systems/{system_id}/revisions/1/diff")
    # Thin: the register's content is fetched through the API, not pushed.
    assert system_body()["purpose"] not in request.body.decode()
    [delivery] = await org.deliveries(subscription)
    assert delivery["status"] == "succeeded"
    assert delivery["status_code"] == 204
    assert delivery["attempts"] == 1
    assert delivery["latency_ms"] is not None
    assert delivery["webhook_id"] == request.headers["webhook-id"]
    assert secret not in json.dumps(delivery)


async def test_each_change_sends_its_most_specific_event_in_order(
    org: Org, relay: Relay, receiver: Receiver
) -> None:
    await org.subscribe("/hr")
    system_id = await org.register(status="pilot")
    await org.change(system_id, affected_headcount=12)
    await org.change(system_id, status="in_use")
    await org.change(system_id, status="retired")

    await relay.drain()

    bodies = [payload(r) for r in receiver.requests("/hr")]
    assert [b["type"] for b in bodies] == [
        "system.registered",
        "system.updated",
        "system.status_changed",
        "system.retired",
    ]
    assert [b["data"]["version"] for b in bodies] == [1, 2, 3, 4]
    updated, in_use, retired = (b["data"] for b in bodies[1:])
    assert updated["changed_fields"] == ["affected_headcount"]
    assert updated["material"] is False
    assert in_use["previous_status"] == "pilot"
    assert in_use["status"] == "in_use"
    assert in_use["material_reasons"] == ["went_into_use"]
    assert retired["status"] == "retired"
    assert "retired_at" in retired["changed_fields"]
    assert all(r.verified for r in receiver.requests("/hr"))


async def test_a_subscription_gets_only_the_event_types_it_asked_for(
    org: Org, relay: Relay, receiver: Receiver
) -> None:
    await org.subscribe("/all")
    await org.subscribe("/retired-only", ["system.retired"])
    system_id = await org.register()
    await org.change(system_id, status="retired")

    await relay.drain()

    assert len(receiver.requests("/all")) == 2
    [only] = receiver.requests("/retired-only")
    assert payload(only)["type"] == "system.retired"


async def test_a_failed_delivery_holds_back_the_later_ones_and_is_retried_with_the_same_id(
    org: Org, relay: Relay, receiver: Receiver, clock: Clock
) -> None:
    subscription, _ = await org.subscribe("/flaky")
    receiver.script("/flaky", Reply(500, body=b"database down"))
    system_id = await org.register()
    await org.change(system_id, description="Anden version.")
    await org.change(system_id, description="Tredje version.")

    assert await relay.run_once() == 1  # the first fails
    assert await relay.run_once() == 0  # the next ones wait behind it: order is kept
    newest_first = await org.deliveries(subscription)
    first = newest_first[-1]
    assert first["status"] == "pending"
    assert first["status_code"] == 500
    assert first["response_body"] == "database down"
    assert first["error"] == "the receiver answered 500"

    clock.advance(STANDARD_SCHEDULE[1] * 1.1 + 0.1)
    assert await relay.drain() == 3

    requests = receiver.requests("/flaky")
    ids = [r.headers["webhook-id"] for r in requests]
    assert ids[0] == ids[1]  # the retry carries the same webhook-id and the same body
    assert requests[0].body == requests[1].body
    assert [payload(r)["data"]["version"] for r in requests] == [1, 1, 2, 3]
    assert {d["status"] for d in await org.deliveries(subscription)} == {"succeeded"}
    assert (await org.subscription(subscription))["failing_since"] is None


async def test_retries_follow_the_standard_schedule_with_jitter_then_give_up(
    org: Org, relay: Relay, receiver: Receiver, clock: Clock
) -> None:
    subscription, _ = await org.subscribe("/down")
    receiver.set_default("/down", Reply(503))
    await org.register()

    waits = []
    for _ in STANDARD_SCHEDULE:
        assert await relay.run_once() == 1
        row = await WebhookDelivery.select(WebhookDelivery.next_attempt_us, WebhookDelivery.status).first()
        assert row is not None
        if row["status"] == "pending":
            waits.append((row["next_attempt_us"] - clock()) / 1_000_000)
            clock.advance(waits[-1] + 0.01)

    for wait, scheduled in zip(waits, STANDARD_SCHEDULE[1:], strict=True):
        assert scheduled * 0.89 <= wait <= scheduled * 1.11
    [delivery] = await org.deliveries(subscription)
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == len(STANDARD_SCHEDULE)
    assert len(receiver.requests("/down")) == len(STANDARD_SCHEDULE)
    state = await org.subscription(subscription)
    assert state["status"] == "active"  # about 28 hours of failure: not yet the 5 days
    assert state["failing_since"] is not None


async def test_retry_after_is_honoured(org: Org, relay: Relay, receiver: Receiver, clock: Clock) -> None:
    await org.subscribe("/busy")
    receiver.script("/busy", Reply(429, headers={"Retry-After": "120"}))
    await org.register()

    await relay.run_once()
    clock.advance(60)
    assert await relay.run_once() == 0  # the schedule says 5 s; the receiver asked for 120
    clock.advance(61)
    assert await relay.run_once() == 1
    assert len(receiver.requests("/busy")) == 2


async def test_a_redirect_is_a_failure_and_is_not_followed(
    org: Org, relay: Relay, receiver: Receiver
) -> None:
    subscription, _ = await org.subscribe("/moved")
    receiver.script("/moved", Reply(302, headers={"Location": receiver.url("/elsewhere")}))
    await org.register()

    await relay.run_once()

    assert receiver.requests("/elsewhere") == []
    [delivery] = await org.deliveries(subscription)
    assert delivery["status"] == "pending"
    assert delivery["status_code"] == 302
    assert delivery["error"] == "redirects are not followed"


async def test_410_gone_disables_the_subscription_and_an_event_says_so(
    org: Org, relay: Relay, receiver: Receiver
) -> None:
    gone, _ = await org.subscribe("/gone")
    await org.subscribe("/watcher", ["webhook.disabled"])
    receiver.set_default("/gone", Reply(410))
    system_id = await org.register()

    await relay.drain()

    state = await org.subscription(gone)
    assert state["status"] == "disabled"
    assert "410" in state["disabled_reason"]
    [notice] = receiver.requests("/watcher")
    assert payload(notice)["type"] == "webhook.disabled"
    assert payload(notice)["data"]["subscription_id"] == gone
    assert notice.verified is True
    # A disabled subscription gets nothing new.
    await org.change(system_id, description="Ændret efter frakoblingen.")
    await relay.drain()
    assert len(receiver.requests("/gone")) == 1
    assert [d["status"] for d in await org.deliveries(gone)] == ["failed"]


async def test_a_subscription_failing_for_five_days_is_disabled(
    org: Org, relay: Relay, receiver: Receiver, clock: Clock
) -> None:
    failing, _ = await org.subscribe("/dead")
    await org.subscribe("/watcher", ["webhook.disabled"])
    receiver.set_default("/dead", Reply(500))
    system_id = await org.register()
    for n in range(4):
        await org.change(system_id, description=f"Version {n + 2}.")

    hours = 0.0
    while (await org.subscription(failing))["status"] == "active":
        await relay.run_once()
        clock.advance(HOUR)
        hours += 1
        assert hours < 24 * 6, "still active after six days of failures"

    assert 24 * 5 <= hours <= 24 * 5 + 11  # within one retry interval after five days
    state = await org.subscription(failing)
    assert state["disabled_reason"] == "Every delivery failed for 5 days."
    await relay.drain()
    [notice] = receiver.requests("/watcher")
    assert payload(notice)["data"] == {
        **payload(notice)["data"],
        "subscription_id": failing,
        "reason": "Every delivery failed for 5 days.",
    }
    # What was still queued waits: enabling the subscription again delivers it, in order.
    receiver.set_default("/dead", Reply(204))
    received = len(receiver.requests("/dead"))
    r = await org.client.patch(f"{API}/webhooks/{failing}", json={"status": "active"}, headers=org.admin)
    assert r.status_code == 200
    clock.advance(11 * HOUR)
    await relay.drain()
    versions = [payload(r)["data"]["version"] for r in receiver.requests("/dead")[received:]]
    assert versions == sorted(versions)
    assert versions[-1] == 5


async def test_a_timeout_counts_as_a_failure(org: Org, relay: Relay, receiver: Receiver) -> None:
    subscription, _ = await org.subscribe("/slow")
    receiver.script("/slow", Reply(204, delay=3.0))  # the test runtime's timeout is 2 s
    await org.register()

    await relay.run_once()

    [delivery] = await org.deliveries(subscription)
    assert delivery["status"] == "pending"
    assert delivery["error"] == "timed out"
    assert delivery["status_code"] is None


async def test_after_a_rotation_both_secrets_sign_for_24_hours(
    org: Org, relay: Relay, receiver: Receiver, clock: Clock
) -> None:
    subscription, old = await org.subscribe("/rotating")
    r = await org.client.post(f"{API}/webhooks/{subscription}/rotate-secret", headers=org.admin)
    assert r.status_code == 200
    new = r.json()["secret"]
    assert new != old
    system_id = await org.register()

    await relay.drain()
    [during] = receiver.requests("/rotating")
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert verify_signature([old], during.body, during.headers) is True
    assert verify_signature([new], during.body, during.headers) is True

    clock.advance(24 * HOUR + 60)
    await org.change(system_id, description="Efter rotationen.")
    await relay.drain()
    after = receiver.requests("/rotating")[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert verify_signature([new], after.body, after.headers) is True
    assert verify_signature([old], after.body, after.headers) is False


async def test_a_relay_that_dies_before_its_bookkeeping_is_replaced_and_the_same_id_is_sent_again(
    org: Org, local_webhooks: WebhookRuntime, relay: Relay, receiver: Receiver, clock: Clock
) -> None:
    subscription, _ = await org.subscribe("/hr")
    await org.register()
    [claimed] = await relay.claim(10)
    await relay.send(claimed)  # the receiver answered; the relay dies before recording it

    successor = Relay(local_webhooks, clock=clock)
    try:
        assert await successor.run_once() == 0  # the lease still holds
        clock.advance(local_webhooks.settings.webhooks_lease_seconds + 1)
        assert await successor.run_once() == 1
    finally:
        await successor.close()

    first, second = receiver.requests("/hr")
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    await relay.record(claimed, await relay.send(claimed))  # the old relay's late bookkeeping
    [delivery] = await org.deliveries(subscription)
    assert delivery["status"] == "succeeded"
    assert delivery["attempts"] == 2  # the successor's record stands; the late one changed nothing


async def test_a_relay_dying_with_a_queue_taken_uses_up_one_attempt_of_its_oldest_delivery_only(
    org: Org, local_webhooks: WebhookRuntime, relay: Relay, receiver: Receiver, clock: Clock
) -> None:
    subscription, _ = await org.subscribe("/hr")
    for _ in range(3):
        await org.register()
    taken = await relay.claim(10, batch=50)
    assert [(c.attempt, c.counted) for c in taken] == [(1, True), (1, False), (1, False)]
    # The relay dies before sending any of them; a successor takes them once the lease runs out.
    clock.advance(local_webhooks.settings.webhooks_lease_seconds + 1)
    successor = Relay(local_webhooks, clock=clock)
    try:
        again = await successor.claim(10, batch=50)
        assert [c.attempt for c in again] == [2, 1, 1]
        assert await successor.deliver_run(again) == 3
    finally:
        await successor.close()
    deliveries = sorted(await org.deliveries(subscription), key=lambda d: d["created_at"])
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("succeeded", 2), *[("succeeded", 1)] * 2]
    assert len(receiver.requests("/hr")) == 3


async def test_deliveries_given_back_unsent_keep_their_attempts(
    org: Org, relay: Relay, receiver: Receiver, clock: Clock
) -> None:
    subscription, _ = await org.subscribe("/hr")
    for _ in range(3):
        await org.register()
    taken = await relay.claim(10, batch=50)
    await relay.release(taken)
    again = await relay.claim(10, batch=50)
    assert [c.attempt for c in again] == [1, 1, 1]
    await relay.deliver_run(again)
    assert {d["attempts"] for d in await org.deliveries(subscription)} == {1}


async def test_the_target_is_checked_again_when_sending(
    org: Org, local_webhooks: WebhookRuntime, receiver: Receiver, clock: Clock
) -> None:
    subscription, _ = await org.subscribe("/internal")  # allowed by the development setting
    await org.register()
    strict = WebhookRuntime(
        settings=local_webhooks.settings.model_copy(update={"webhooks_allow_private_targets": False}),
        box=local_webhooks.box,
    )
    relay = Relay(strict, clock=clock)
    try:
        assert await relay.run_once() == 1
    finally:
        await relay.close()

    assert receiver.requests("/internal") == []
    [delivery] = await org.deliveries(subscription)
    assert delivery["status"] == "pending"
    assert delivery["error"] == "target refused: must use https"  # and it is loopback besides


async def test_a_paused_subscription_keeps_its_queue_and_delivers_it_in_order_when_resumed(
    org: Org, relay: Relay, receiver: Receiver
) -> None:
    subscription, _ = await org.subscribe("/paused")
    r = await org.client.patch(f"{API}/webhooks/{subscription}", json={"status": "paused"}, headers=org.admin)
    assert r.status_code == 200
    system_id = await org.register()
    await org.change(system_id, description="Mens den var sat på pause.")

    assert await relay.drain() == 0

    r = await org.client.patch(f"{API}/webhooks/{subscription}", json={"status": "active"}, headers=org.admin)
    assert r.status_code == 200
    await relay.drain()
    assert [payload(r)["data"]["version"] for r in receiver.requests("/paused")] == [1, 2]


async def test_a_redelivery_sends_the_same_message_again(org: Org, relay: Relay, receiver: Receiver) -> None:
    subscription, _ = await org.subscribe("/again")
    await org.register()
    await relay.drain()
    [original] = await org.deliveries(subscription)

    r = await org.client.post(
        f"{API}/webhooks/{subscription}/deliveries/{original['id']}/redeliver", headers=org.admin
    )
    assert r.status_code == 202, r.text
    await relay.drain()

    first, again = receiver.requests("/again")
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == original["webhook_id"]
    assert first.body == again.body
    assert again.verified is True


async def test_a_test_event_reaches_the_receiver(org: Org, relay: Relay, receiver: Receiver) -> None:
    subscription, _ = await org.subscribe("/ping")
    r = await org.client.post(f"{API}/webhooks/{subscription}/test", headers=org.admin)
    assert r.status_code == 202

    await relay.drain()

    [ping] = receiver.requests("/ping")
    assert payload(ping)["type"] == "webhook.test"
    assert payload(ping)["data"]["links"]["webhook"].endswith(f"{API}/webhooks/{subscription}")
    assert ping.verified is True


async def test_relays_working_side_by_side_never_hold_the_same_delivery(
    org: Org, local_webhooks: WebhookRuntime, clock: Clock
) -> None:
    for n in range(5):
        await org.subscribe(f"/side-{n}")
    for n in range(4):
        await org.register(name=f"System {n}")
    relays = [Relay(local_webhooks, clock=clock) for _ in range(4)]
    try:
        claims = await asyncio.gather(*(r.claim(3) for r in relays))
    finally:
        for r in relays:
            await r.close()

    held = [c.delivery_id for claim in claims for c in claim]
    assert len(held) == len(set(held)) == 5  # one per subscription: the head of each queue
    assert len({c.subscription_id for claim in claims for c in claim}) == 5


async def test_the_running_relay_delivers_within_moments_of_the_commit(
    org: Org, local_webhooks: WebhookRuntime, receiver: Receiver
) -> None:
    await org.subscribe("/live")
    relay = Relay(local_webhooks)
    task = asyncio.create_task(relay.run())
    try:
        for n in range(5):
            await org.register(name=f"System {n}")
        requests = await receiver.wait_for(5, "/live", timeout=10)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert all(r.verified for r in requests)
    assert [payload(r)["type"] for r in requests] == ["system.registered"] * 5


async def test_nothing_is_sent_unsigned_when_the_secret_cannot_be_read(
    org: Org, local_webhooks: WebhookRuntime, receiver: Receiver, clock: Clock
) -> None:
    subscription, _ = await org.subscribe("/locked")
    await org.register()
    other_key = WebhookRuntime(settings=local_webhooks.settings, box=SecretBox(uuid.uuid4().bytes * 2))
    relay = Relay(other_key, clock=clock)
    try:
        await relay.run_once()
    finally:
        await relay.close()

    assert receiver.requests("/locked") == []
    row = await WebhookSubscription.select(WebhookSubscription.status).first()
    assert row is not None
    assert row["status"] == "active"
    [delivery] = await org.deliveries(subscription)
    assert "signing secret cannot be read" in delivery["error"]


async def test_deliveries_resume_when_the_receiver_comes_back(
    org: Org, relay: Relay, receiver: Receiver, clock: Clock
) -> None:
    subscription, _ = await org.subscribe("/restarting")
    receiver.stop()
    system_id = await org.register()
    await org.change(system_id, description="Mens modtageren var nede.")

    assert await relay.run_once() == 1
    [waiting, down] = await org.deliveries(subscription)
    assert down["status"] == "pending"
    assert down["error"].startswith("ConnectError")
    assert waiting["attempts"] == 0  # held back behind the failed one

    receiver.start()  # the same port
    clock.advance(STANDARD_SCHEDULE[1] * 1.1 + 0.1)
    assert await relay.drain() == 2
    assert [payload(r)["data"]["version"] for r in receiver.requests("/restarting")] == [1, 2]
