"""Signing secrets at rest: encrypted per row, unreadable with the wrong key or row, and a key file made
once with owner-only permissions."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from webhooks.secretbox import SecretBox, SecretUnreadable, key_from_setting, load_or_create_key

KEY = bytes(range(32))
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_a_secret_survives_the_roundtrip() -> None:
    box = SecretBox(KEY)
    token = box.encrypt(SECRET, bound_to="wh_1")
    assert token.startswith("v1.")
    assert SECRET not in token
    assert box.decrypt(token, bound_to="wh_1") == SECRET


def test_each_encryption_uses_a_fresh_nonce() -> None:
    box = SecretBox(KEY)
    assert box.encrypt(SECRET, bound_to="wh_1") != box.encrypt(SECRET, bound_to="wh_1")


def test_a_ciphertext_copied_to_another_row_does_not_decrypt() -> None:
    box = SecretBox(KEY)
    token = box.encrypt(SECRET, bound_to="wh_1")
    with pytest.raises(SecretUnreadable):
        box.decrypt(token, bound_to="wh_2")


def test_the_wrong_key_cannot_read_a_secret() -> None:
    token = SecretBox(KEY).encrypt(SECRET, bound_to="wh_1")
    with pytest.raises(SecretUnreadable) as refused:
        SecretBox(bytes(32)).decrypt(token, bound_to="wh_1")
    assert SECRET not in str(refused.value)
    assert KEY.hex() not in str(refused.value)


def test_a_tampered_ciphertext_is_refused() -> None:
    box = SecretBox(KEY)
    token = box.encrypt(SECRET, bound_to="wh_1")
    raw = bytearray(base64.urlsafe_b64decode(token[3:] + "=" * (-len(token[3:]) % 4)))
    raw[20] ^= 1
    tampered = "v1." + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(SecretUnreadable):
        box.decrypt(tampered, bound_to="wh_1")


@pytest.mark.parametrize("token", ["", "v1.", "v2.AAAA", "v1.not base64!", "v1.AAAA", SECRET])
def test_a_garbled_token_is_refused(token: str) -> None:
    with pytest.raises(SecretUnreadable):
        SecretBox(KEY).decrypt(token, bound_to="wh_1")


@pytest.mark.parametrize("key", [b"", bytes(16), bytes(31), bytes(33)])
def test_the_key_must_be_32_bytes(key: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        SecretBox(key)


def test_the_key_file_is_created_owner_only_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "secrets.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert base64.b64decode(path.read_text().strip()) == key
    assert load_or_create_key(path) == key
    assert [p.name for p in path.parent.iterdir()] == ["secrets.key"]  # no temporary file left behind


def test_a_key_file_made_elsewhere_is_read(tmp_path: Path) -> None:
    path = tmp_path / "secrets.key"
    path.write_text(base64.b64encode(KEY).decode() + "\n")
    assert load_or_create_key(path) == KEY


@pytest.mark.parametrize("content", ["", "not base64!", base64.b64encode(bytes(16)).decode(), "\xff"])
def test_a_bad_key_file_is_refused_by_name(tmp_path: Path, content: str) -> None:
    path = tmp_path / "secrets.key"
    path.write_text(content, encoding="latin-1")
    with pytest.raises(ValueError, match=r"secrets\.key"):
        load_or_create_key(path)


def test_a_key_from_a_setting_is_base64_of_32_bytes() -> None:
    assert key_from_setting(base64.b64encode(KEY).decode()) == KEY
    assert key_from_setting(base64.urlsafe_b64encode(KEY).decode().rstrip("=")) == KEY
    assert key_from_setting(f"  {base64.b64encode(KEY).decode()}\n") == KEY


@pytest.mark.parametrize("value", ["", "short", base64.b64encode(bytes(31)).decode(), "x" * 44])
def test_a_bad_key_setting_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="32-byte key"):
        key_from_setting(value)


def test_when_another_process_creates_the_key_first_its_key_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secrets.key"
    real_link = os.link

    def link_after_a_rival(source: Path, target: Path) -> None:
        target.write_text(base64.b64encode(KEY).decode())
        real_link(source, target)

    monkeypatch.setattr("registry.keyfiles.os.link", link_after_a_rival)
    assert load_or_create_key(path) == KEY
    assert [p.name for p in tmp_path.iterdir()] == ["secrets.key"]
