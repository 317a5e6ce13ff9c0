"""Webhook signing secrets encrypted at rest (AES-256-GCM) with a key kept outside the database, and the
loading (or first-use creation) of that key."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from secrets import token_bytes

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from registry.keyfiles import create_key_file

__all__ = [
    "KEY_BYTES",
    "SecretBox",
    "SecretUnreadable",
    "key_from_setting",
    "load_or_create_key",
]

KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_FORMAT = "v1."


class SecretUnreadable(Exception):
    """A stored secret that cannot be decrypted: wrong key, altered, stored for another row, or garbled."""


class SecretBox:
    """Encrypts secrets for one row each: the row id is authenticated with the ciphertext, so a value
    copied into another row does not decrypt there."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a secrets key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str, *, bound_to: str) -> str:
        # A random 96-bit nonce per value: safe far beyond the number of secrets this app will ever store.
        nonce = token_bytes(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), bound_to.encode())
        return _FORMAT + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")

    def decrypt(self, token: str, *, bound_to: str) -> str:
        if not token.startswith(_FORMAT):
            raise SecretUnreadable("stored secret has an unknown format")
        encoded = token.removeprefix(_FORMAT)
        try:
            raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raise SecretUnreadable("stored secret is not valid base64") from None
        if len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise SecretUnreadable("stored secret is too short")
        try:
            plaintext = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], bound_to.encode())
            return plaintext.decode()
        except (InvalidTag, UnicodeDecodeError):
            raise SecretUnreadable(
                "stored secret does not decrypt (wrong key, altered, or stored for another row)"
            ) from None


def key_from_setting(value: str) -> bytes:
    """A key given in a setting: the base64 text (standard or URL-safe) of 32 bytes."""
    key = _decode_key(value)
    if key is None:
        raise ValueError(f"expected the base64 text of a {KEY_BYTES}-byte key")
    return key


def load_or_create_key(path: Path) -> bytes:
    """The key stored (as base64 text) in `path`; created with owner-only permissions on first use."""
    try:
        text = path.read_text("ascii")
    except FileNotFoundError:
        created = _create_key_file(path)
        if created is not None:
            return created
        text = path.read_text("ascii")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: expected the base64 text of a {KEY_BYTES}-byte key") from None
    key = _decode_key(text)
    if key is None:
        raise ValueError(f"{path}: expected the base64 text of a {KEY_BYTES}-byte key")
    return key


def _create_key_file(path: Path) -> bytes | None:
    """Write a new key to `path`, or return None when another process created the file first.

    The key is written in full to a private temporary file and then hard-linked into place, so no reader
    ever sees a half-written key file, and of two racing processes exactly one wins.
    """
    key = token_bytes(KEY_BYTES)
    text = base64.b64encode(key).decode("ascii") + "\n"
    return key if create_key_file(path, text.encode("ascii")) else None


def _decode_key(text: str) -> bytes | None:
    encoded = text.strip().replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == KEY_BYTES else None
