"""Standard Webhooks signatures (https://www.standardwebhooks.com/): signing secrets, the `v1` HMAC-SHA256
signature and the headers that carry it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from secrets import token_bytes

__all__ = [
    "SECRET_PREFIX",
    "USER_AGENT",
    "new_secret",
    "secret_key",
    "sign",
    "signature_header",
    "webhook_headers",
]

SECRET_PREFIX = "whsec_"  # noqa: S105 - the public prefix of every secret, not a secret
USER_AGENT = "airegistry-webhooks/1"
_SECRET_BYTES = 32
# The specification asks for secrets of 24 to 64 bytes.
_MIN_SECRET_BYTES = 24
_MAX_SECRET_BYTES = 64


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(token_bytes(_SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a signing secret (with or without the `whsec_` prefix)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        # Other implementations write the base64 without padding; accept both.
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("malformed webhook secret: expected whsec_ and base64") from None
    if not _MIN_SECRET_BYTES <= len(key) <= _MAX_SECRET_BYTES:
        raise ValueError(
            f"malformed webhook secret: the key must be {_MIN_SECRET_BYTES} to {_MAX_SECRET_BYTES} bytes"
        )
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of `{msg_id}.{timestamp}.{body}`."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: one signature per secret, space-separated.

    While a secret is rotated both the new and the old one sign, so subscribers can switch at leisure.
    """
    if not secrets:
        raise ValueError("at least one signing secret is needed")
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets)


def webhook_headers(msg_id: str, timestamp: int, body: bytes, secrets: Sequence[str]) -> dict[str, str]:
    """The headers of one delivery of `body` (JSON)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets, msg_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
