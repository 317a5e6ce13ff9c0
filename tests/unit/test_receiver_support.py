"""The webhook test receiver itself: recording, scripted replies, delays, responders, signature
checks. (Its separate-process mode, which the benchmarks use: tests/slow/test_receiver_cli.py.)"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.receiver import ReceivedRequest, Receiver, Reply

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET_A = "whsec_" + base64.b64encode(b"first secret, 24 bytes!!").decode()
SECRET_B = "whsec_" + base64.b64encode(b"second secret, 24 bytes!").decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """A Standard Webhooks signature computed by hand, independently of the package under use."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def signed_headers(secret: str, body: bytes, msg_id: str = "msg_1") -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "Webhook-Id": msg_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": sign(secret, msg_id, timestamp, body),
    }


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as c:
        yield c


def test_records_posts_only_and_answers_204_by_default(receiver: Receiver, client: httpx.Client) -> None:
    assert receiver.url().startswith("http://127.0.0.1:")
    assert receiver.url().endswith("/hook")

    first = client.post(receiver.url(), content=b'{"n": 1}', headers={"X-Custom": "yes"})
    second = client.post(receiver.url("/other"), content=b"not json")
    got = client.get(receiver.url())

    assert [first.status_code, second.status_code, got.status_code] == [204, 204, 204]
    recorded = receiver.requests()
    assert [(r.path, r.body) for r in recorded] == [("/hook", b'{"n": 1}'), ("/other", b"not json")]
    assert recorded[0].headers["x-custom"] == "yes"
    assert recorded[0].verified is None
    assert [r.body for r in receiver.requests("/other")] == [b"not json"]
    receiver.clear()
    assert receiver.requests() == []


def test_scripted_replies_come_in_order_then_the_default(receiver: Receiver, client: httpx.Client) -> None:
    receiver.script("/hook", Reply(500), Reply(200, headers={"X-Reply": "2"}, body=b"ok"))
    receiver.script("/hook", Reply(429, headers={"Retry-After": "1"}))

    replies = [client.post(receiver.url(), content=b"{}") for _ in range(4)]

    assert [r.status_code for r in replies] == [500, 200, 429, 204]
    assert replies[1].text == "ok"
    assert replies[1].headers["x-reply"] == "2"
    assert replies[2].headers["retry-after"] == "1"
    receiver.set_default("/hook", Reply(410))
    assert client.post(receiver.url(), content=b"{}").status_code == 410
    assert client.post(receiver.url("/elsewhere"), content=b"{}").status_code == 204
    assert len(receiver.requests("/hook")) == 5


def test_delay_slows_one_reply_without_blocking_others(receiver: Receiver, client: httpx.Client) -> None:
    # A reply held until the test lets it go: the other path answers meanwhile, by construction.
    gate = threading.Event()
    receiver.set_responder("/held", lambda _: Reply(204) if gate.wait(30) else Reply(500))
    with pytest.raises(httpx.ReadTimeout):
        client.post(receiver.url("/held"), content=b"{}", timeout=0.1)
    assert client.post(receiver.url("/fast"), content=b"{}").status_code == 204
    assert not gate.is_set()  # the held reply is still held
    gate.set()
    # The timed-out delivery still arrived: it is recorded on receipt, not on reply.
    assert len(receiver.requests("/held")) == 1

    receiver.set_default("/slow", Reply(204, delay=0.15))
    started = time.monotonic()
    assert client.post(receiver.url("/slow"), content=b"{}").status_code == 204
    assert time.monotonic() - started >= 0.15


def test_responder_wins_over_script_and_default(receiver: Receiver, client: httpx.Client) -> None:
    seen: list[ReceivedRequest] = []

    def responder(request: ReceivedRequest) -> Reply:
        seen.append(request)
        return Reply(202, body=request.body[::-1])

    receiver.script("/hook", Reply(500))
    receiver.set_default("/hook", Reply(410))
    receiver.set_responder("/hook", responder)

    reply = client.post(receiver.url(), content=b"abc")
    assert (reply.status_code, reply.content) == (202, b"cba")
    assert [r.body for r in seen] == [b"abc"]

    receiver.set_responder("/hook", None)
    assert client.post(receiver.url(), content=b"{}").status_code == 500
    assert client.post(receiver.url(), content=b"{}").status_code == 410


def test_signatures_are_verified_against_any_secret_of_the_path(
    receiver: Receiver, client: httpx.Client
) -> None:
    receiver.set_secrets("/hook", SECRET_A, SECRET_B)
    body = b'{"event": "system.created"}'

    client.post(receiver.url(), content=body, headers=signed_headers(SECRET_A, body))
    client.post(receiver.url(), content=body, headers=signed_headers(SECRET_B, body))
    tampered = signed_headers(SECRET_A, body)
    client.post(receiver.url(), content=body.replace(b"created", b"deleted"), headers=tampered)
    client.post(receiver.url(), content=body)  # no signature headers at all
    client.post(receiver.url("/unsigned"), content=body, headers=signed_headers(SECRET_A, body))

    assert [r.verified for r in receiver.requests("/hook")] == [True, True, False, False]
    assert receiver.requests("/unsigned")[0].verified is None

    receiver.set_secrets("/hook", SECRET_B)
    client.post(receiver.url(), content=body, headers=signed_headers(SECRET_A, body))
    assert receiver.requests("/hook")[-1].verified is False


async def test_wait_for_polls_without_blocking_the_loop(receiver: Receiver) -> None:
    receiver.script("/hook", Reply(204, delay=0.1))
    async with httpx.AsyncClient(timeout=5) as client:
        reply = await client.post(receiver.url(), content=b"{}")
        assert reply.status_code == 204
        await client.post(receiver.url("/other"), content=b'{"x": 1}')

    assert len(await receiver.wait_for(1, "/hook", timeout=1)) == 1
    assert len(await receiver.wait_for(2, timeout=1)) == 2
    with pytest.raises(AssertionError, match=r"expected 2 POST\(s\) on /hook within 0.1s; 1 arrived"):
        await receiver.wait_for(2, "/hook", timeout=0.1)
    assert len(receiver.wait_for_sync(2, timeout=1)) == 2


def test_stop_closes_kept_alive_connections(client: httpx.Client) -> None:
    receiver = Receiver().start()
    url = receiver.url()
    assert client.post(url, content=b"{}").status_code == 204
    receiver.stop()
    assert not receiver.running
    with pytest.raises(httpx.TransportError):
        client.post(url, content=b"{}")

    # Restarting keeps the port, so URLs handed out before stay valid.
    with receiver:
        assert receiver.url() == url
        assert client.post(url, content=b"{}").status_code == 204


# -- separate-process mode ------------------------------------------------------------------------
