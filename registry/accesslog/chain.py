"""The hash chain of the access log, as pure functions: what an entry's hash covers, and how a
sequence of entries, stubs and signed checkpoints is verified. Shared by the database verifier, the
export and the offline verifier, so all three agree byte for byte.

    digest = sha256(canonical JSON of the entry's content)          content: every field but the hashes
    hash   = sha256(prev_hash + digest)                              both as lower-case hex

An export may replace an entry it must not show (another organization's, or one outside the filters) by
a stub {seq, digest}: the chain still links through it, and nothing of its content is revealed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

GENESIS_HASH = "0" * 64

# The content of an entry, in the order the export writes it. `seq` is covered, so a row moved to
# another place in the chain no longer verifies.
CONTENT_FIELDS = (
    "seq",
    "event_id",
    "at",
    "organization_id",
    "actor_sub",
    "actor_role",
    "action",
    "resource_type",
    "resource_id",
    "outcome",
    "status",
    "source_ip",
    "user_agent",
    "request_id",
)
ENTRY_FIELDS = (*CONTENT_FIELDS, "prev_hash", "hash")


def canonical(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


_SORTED_CONTENT = tuple(sorted(CONTENT_FIELDS))
# msgspec writes the bytes json.dumps(ensure_ascii=False, separators=(",", ":")) writes, in a third of
# the time (tests/unit/test_access_log_chain.py compares them); the keys go in sorted order up front.
_encode_content = msgspec.json.Encoder().encode


def content_digest(entry: Mapping[str, Any]) -> str:
    """The same digest as sha256(canonical(content)), on the hot path of every request."""
    content = {name: entry.get(name) for name in _SORTED_CONTENT}
    return hashlib.sha256(_encode_content(content)).hexdigest()


def link(prev_hash: str, digest: str) -> str:
    return hashlib.sha256((prev_hash + digest).encode()).hexdigest()


def checkpoint_message(checkpoint: Mapping[str, Any]) -> bytes:
    """What a checkpoint's signature covers."""
    return canonical({name: checkpoint[name] for name in ("kind", "last_seq", "last_hash", "at", "key_id")})


@dataclass
class Verdict:
    ok: bool = True
    entries: int = 0
    stubs: int = 0
    checkpoints: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    signed_through_seq: int | None = None
    first_bad_seq: int | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)

    def fail(self, seq: int | None, reason: str) -> Verdict:
        if self.ok:
            self.ok, self.first_bad_seq, self.reason = False, seq, reason
        return self

    @property
    def unsigned_tail(self) -> int:
        if self.last_seq is None:
            return 0
        return self.last_seq - (self.signed_through_seq or (self.first_seq or 1) - 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "stubs": self.stubs,
            "checkpoints": self.checkpoints,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "signed_through_seq": self.signed_through_seq,
            "unsigned_tail": self.unsigned_tail,
            "first_bad_seq": self.first_bad_seq,
            "reason": self.reason,
        }


SignatureCheck = Callable[[Mapping[str, Any]], bool]


class ChainWalker:
    """Checks records one at a time, in file or table order: entries ({"kind": "entry", ...}), stubs
    ({"kind": "stub", "seq", "digest"}) and signed checkpoints ({"kind": "checkpoint" | "anchor", ...}),
    each checkpoint right after the record of its `last_seq`. Memory stays constant, whatever the
    length; the first fault is kept with the seq where it is."""

    def __init__(
        self, *, start_seq: int = 0, start_hash: str = GENESIS_HASH, signature_ok: SignatureCheck
    ) -> None:
        self.verdict = Verdict()
        self.expected_seq = start_seq + 1
        self.prev_hash = start_hash
        self.signature_ok = signature_ok

    def step(self, record: Mapping[str, Any]) -> bool:
        """False once a fault is found; then the verdict names it."""
        if self.verdict.ok:
            kind = record.get("kind", "entry")
            fault = self._checkpoint(record) if kind in ("checkpoint", "anchor") else self._link(record, kind)
            if fault is not None:
                self.verdict.fail(*fault)
        return self.verdict.ok

    def _checkpoint(self, record: Mapping[str, Any]) -> tuple[int | None, str] | None:
        self.verdict.checkpoints += 1
        seq = _int(record.get("last_seq"))
        if seq is None or not self.signature_ok(record):
            return seq, "checkpoint signature does not verify"
        if seq != self.expected_seq - 1:
            return seq, "checkpoint out of place in the chain"
        if record.get("last_hash") != self.prev_hash:
            return seq, "chain differs from the signed checkpoint"
        self.verdict.signed_through_seq = seq
        return None

    def _link(self, record: Mapping[str, Any], kind: str) -> tuple[int | None, str] | None:
        seq = _int(record.get("seq"))
        if seq is None:
            return self.expected_seq, "record without a seq"
        if seq != self.expected_seq:
            if seq > self.expected_seq:
                return self.expected_seq, "entry missing"
            return seq, "entry out of order or repeated"
        digest = self._digest(record, kind, seq)
        if isinstance(digest, tuple):
            return digest
        current = link(self.prev_hash, digest)
        if kind == "entry" and record.get("hash") != current:
            return seq, "content does not match its hash"
        if kind == "entry":
            self.verdict.entries += 1
        else:
            self.verdict.stubs += 1
        if self.verdict.first_seq is None:
            self.verdict.first_seq = seq
        self.verdict.last_seq = seq
        self.prev_hash, self.expected_seq = current, seq + 1
        return None

    def _digest(self, record: Mapping[str, Any], kind: str, seq: int) -> str | tuple[int, str]:
        """The digest the chain links with, or the fault that prevents linking."""
        if kind == "stub":
            digest = record.get("digest")
            if not isinstance(digest, str) or len(digest) != 64:
                return seq, "stub without a digest"
            return digest
        if kind != "entry":
            return seq, f"unknown record kind {kind!r}"
        digest = content_digest(record)
        if record.get("prev_hash") != self.prev_hash:
            if record.get("hash") == link(str(record.get("prev_hash")), digest):
                # This entry is whole and names a predecessor other than the one before it: that one
                # was replaced or put in.
                return seq - 1, "entry replaced or inserted: its successor does not link to it"
            return seq, "prev_hash does not match the entry before"
        return digest


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
