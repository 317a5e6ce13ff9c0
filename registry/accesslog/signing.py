"""The Ed25519 key that signs checkpoints of the access log. The private key lives in the data dir
(created on first use, owner-only); auditors verify with the public key alone."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from registry.accesslog.chain import checkpoint_message, record_message
from registry.accesslog.kept import KeptCheckpoint
from registry.keyfiles import create_key_file

PRIVATE_KEY_FILE = "access-log-ed25519.pem"


def key_id_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@dataclass(frozen=True)
class CheckpointSigner:
    private_key: Ed25519PrivateKey
    # The last checkpoint this key signed, kept beside it (None only for a signer of a throwaway log).
    kept: KeptCheckpoint | None = None

    @classmethod
    def from_data_dir(cls, data_dir: Path, kept_file: Path | None = None) -> CheckpointSigner:
        """The key in the data dir (made on first use); the last signed checkpoint is kept in
        `kept_file`, by default beside the key."""
        path = data_dir / PRIVATE_KEY_FILE
        if not path.exists():
            _write_new_key(path)
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        kept = KeptCheckpoint(kept_file) if kept_file else KeptCheckpoint.in_data_dir(data_dir)
        return cls(private_key=loaded, kept=kept)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    def sign(self, checkpoint: Mapping[str, Any]) -> str:
        return base64.b64encode(self.private_key.sign(checkpoint_message(checkpoint))).decode()

    def signed(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """An export's header or trailer with its signature (over every other field)."""
        signature = base64.b64encode(self.private_key.sign(record_message(record))).decode()
        return {**record, "signature": signature}


@dataclass(frozen=True)
class CheckpointVerifier:
    """Checks checkpoint signatures against one or more public keys (several after a key change)."""

    keys: dict[str, Ed25519PublicKey]

    @classmethod
    def from_pem(cls, *pems: str | bytes) -> CheckpointVerifier:
        keys = {}
        for pem in pems:
            try:
                loaded = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
            except UnsupportedAlgorithm as exc:
                raise ValueError("not an Ed25519 public key") from exc
            if not isinstance(loaded, Ed25519PublicKey):
                raise ValueError("not an Ed25519 public key")
            keys[key_id_of(loaded)] = loaded
        return cls(keys=keys)

    def __call__(self, checkpoint: Mapping[str, Any]) -> bool:
        try:
            return self._verifies(checkpoint, checkpoint_message(checkpoint))
        except (KeyError, TypeError):  # a field missing: not a checkpoint this key signed
            return False

    def envelope_ok(self, record: Mapping[str, Any]) -> bool:
        """Whether an export's header or trailer is signed, whole, by one of the keys."""
        try:
            return self._verifies(record, record_message(record))
        except (TypeError, ValueError):
            return False

    def _verifies(self, record: Mapping[str, Any], message: bytes) -> bool:
        key = self.keys.get(str(record.get("key_id")))
        signature = record.get("signature")
        if key is None or not isinstance(signature, str):
            return False
        try:
            key.verify(base64.b64decode(signature, validate=True), message)
        except (InvalidSignature, ValueError):
            return False
        return True


def _write_new_key(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    create_key_file(path, pem)  # False: another process created it first; use theirs
