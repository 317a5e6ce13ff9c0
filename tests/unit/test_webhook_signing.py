"""Our Standard Webhooks signatures verify with the independent reference library."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from webhooks.signing import SECRET_PREFIX, new_secret, secret_key, sign, signature_header, webhook_headers

BODY = json.dumps({"type": "system.updated", "data": {"id": "sys_1", "version": 3}}).encode()


def test_a_new_secret_is_prefixed_base64_of_32_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith(SECRET_PREFIX)
    assert len(base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)) == 32
    assert secret_key(secret) == base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    assert new_secret() != secret


def test_the_key_is_read_with_or_without_prefix_and_padding() -> None:
    key = bytes(range(32))
    encoded = base64.b64encode(key).decode()
    assert secret_key(SECRET_PREFIX + encoded) == key
    assert secret_key(encoded) == key
    assert secret_key(SECRET_PREFIX + encoded.rstrip("=")) == key


@pytest.mark.parametrize(
    "secret",
    ["", "whsec_", "whsec_not base64!", "whsec_" + base64.b64encode(b"short").decode(), "whsec_a"],
)
def test_a_malformed_secret_is_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="malformed webhook secret"):
        secret_key(secret)


def test_the_signature_matches_the_specification_by_hand() -> None:
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    expected = hmac.new(b"k" * 32, b"msg_1.1700000000." + BODY, hashlib.sha256).digest()
    assert sign(secret, "msg_1", 1700000000, BODY) == "v1," + base64.b64encode(expected).decode()


def test_our_headers_verify_with_the_reference_library() -> None:
    secret = new_secret()
    headers = webhook_headers("msg_2a7f", int(time.time()), BODY, [secret])
    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)
    assert headers["webhook-id"] == "msg_2a7f"
    assert headers["webhook-timestamp"].isdigit()
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "airegistry-webhooks/1"


def test_during_rotation_each_secret_alone_verifies() -> None:
    new, old = new_secret(), new_secret()
    now = int(time.time())
    headers = webhook_headers("msg_rot", now, BODY, [new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert headers["webhook-signature"] == signature_header([new, old], "msg_rot", now, BODY)
    Webhook(new).verify(BODY, headers)
    Webhook(old).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_a_tampered_body_fails_verification() -> None:
    secret = new_secret()
    headers = webhook_headers("msg_t", int(time.time()), BODY, [secret])
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"3", b"4"), headers)


def test_a_changed_id_or_timestamp_fails_verification() -> None:
    secret = new_secret()
    now = int(time.time())
    headers = webhook_headers("msg_t", now, BODY, [secret])
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**headers, "webhook-id": "msg_u"})
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**headers, "webhook-timestamp": str(now - 1)})


def test_the_wrong_secret_fails_verification() -> None:
    headers = webhook_headers("msg_w", int(time.time()), BODY, [new_secret()])
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_a_signature_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="at least one"):
        signature_header([], "msg_x", 1, BODY)
