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
from collections.abc import Callable, Mapping, Sequence
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


# What a checkpoint's signature covers. A checkpoint is one link of a chain of its own: its number, the
# hash of the checkpoint before it and how many entries it adds. Anchors (where the kept log starts after
# pruning) and checkpoints signed before checkpoints were chained sign the first five fields only.
LEGACY_CHECKPOINT_FIELDS = ("kind", "last_seq", "last_hash", "at", "key_id")
CHECKPOINT_FIELDS = ("kind", "number", "last_seq", "last_hash", "entries", "at", "key_id", "prev")


def chained(checkpoint: Mapping[str, Any]) -> bool:
    """Whether a checkpoint is a link of the chain of checkpoints (it has a number)."""
    return checkpoint.get("kind") == "checkpoint" and checkpoint.get("number") is not None


ANCHOR_FIELDS = (*LEGACY_CHECKPOINT_FIELDS, "cut_at")
"""An anchor also signs `cut_at`: the signed time of the checkpoint the prune cut at, so a witness's
checkpoint below the anchor but signed after that time shows entries deleted before their time."""


def checkpoint_message(checkpoint: Mapping[str, Any]) -> bytes:
    """What a checkpoint's signature covers."""
    names: tuple[str, ...]
    if chained(checkpoint):
        names = CHECKPOINT_FIELDS
    elif checkpoint.get("kind") == "anchor" and checkpoint.get("cut_at") is not None:
        names = ANCHOR_FIELDS
    else:
        names = LEGACY_CHECKPOINT_FIELDS
    return canonical({name: checkpoint[name] for name in names})


def checkpoint_hash(checkpoint: Mapping[str, Any]) -> str:
    """What the next checkpoint names as its `prev`."""
    return hashlib.sha256(checkpoint_message(checkpoint)).hexdigest()


def record_message(record: Mapping[str, Any]) -> bytes:
    """What the signature of an export's header or trailer covers: every field but the signature."""
    return canonical({name: value for name, value in record.items() if name != "signature"})


class StubDigest:
    """sha256 over the seqs an export shows as stubs, each in decimal followed by a line feed: what the
    signed trailer holds, so no stub can be swapped in for an entry after signing."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, seq: int) -> None:
        self._hash.update(b"%d\n" % seq)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


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
        self,
        *,
        start_seq: int = 0,
        start_hash: str = GENESIS_HASH,
        signature_ok: SignatureCheck,
        witnesses: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.verdict = Verdict()
        self.expected_seq = start_seq + 1
        self.prev_hash = start_hash
        self.signature_ok = signature_ok
        self.stub_digest = StubDigest()
        self.last_chained: Mapping[str, Any] | None = None  # the last checkpoint with a number
        self.seen_numbers: set[int] = set()
        # What witnesses saw: the hash at a seq, and each checkpoint by its number.
        self.witnessed_hashes: dict[int, list[Mapping[str, Any]]] = {}
        self.witnessed_numbers = {int(w["number"]): w for w in witnesses}
        for witness in witnesses:
            self.witnessed_hashes.setdefault(int(witness["last_seq"]), []).append(witness)
        self.last_matching_witness_seq = start_seq

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
        # A chained checkpoint's signature is checked at the end (`finish`), on the last one only: each
        # names the hash of the one before it, so the last signature vouches for every one before.
        deferred = chained(record)
        if seq is None or (not deferred and not self.signature_ok(record)):
            return seq, "checkpoint signature does not verify"
        if seq != self.expected_seq - 1:
            return seq, "checkpoint out of place in the chain"
        if record.get("last_hash") != self.prev_hash:
            return seq, "chain differs from the signed checkpoint"
        fault = self._chain_of_checkpoints(record, seq) if chained(record) else None
        if fault is not None:
            return fault
        self.verdict.signed_through_seq = seq
        return None

    def _chain_of_checkpoints(self, record: Mapping[str, Any], seq: int) -> tuple[int, str] | None:
        number = _int(record.get("number"))
        if number is None:
            return seq, "checkpoint without a number"
        previous = self.last_chained
        fault = None if previous is None else _checkpoint_link(previous, record, number, seq)
        if fault is not None:
            return seq, fault
        witnessed = self.witnessed_numbers.get(number)
        if witnessed is not None and checkpoint_message(witnessed) != checkpoint_message(record):
            return seq, f"checkpoint {number} differs from the copy a witness kept"
        self.last_chained = record
        self.seen_numbers.add(number)
        return None

    def finish(self) -> Verdict:
        """The verdict, once the last chained checkpoint's signature is checked too."""
        last = self.last_chained
        if self.verdict.ok and last is not None and not self.signature_ok(last):
            self.verdict.fail(_int(last.get("last_seq")), "checkpoint signature does not verify")
        return self.verdict

    def _link(self, record: Mapping[str, Any], kind: str) -> tuple[int | None, str] | None:
        seq = _int(record.get("seq"))
        if seq is None:
            return self.expected_seq, "record without a seq"
        if seq != self.expected_seq:
            return (
                (self.expected_seq, "entry missing")
                if seq > self.expected_seq
                else (seq, "entry out of order or repeated")
            )
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
            self.stub_digest.add(seq)
        if self.witnessed_hashes:
            fault = self._witnessed(seq, current)
            if fault is not None:
                return fault
        if self.verdict.first_seq is None:
            self.verdict.first_seq = seq
        self.verdict.last_seq = seq
        self.prev_hash, self.expected_seq = current, seq + 1
        return None

    def _witnessed(self, seq: int, current: str) -> tuple[int, str] | None:
        """Whether the chain at `seq` has the hash each witness's checkpoint there signed."""
        for witness in self.witnessed_hashes.get(seq, ()):
            if witness.get("last_hash") != current:
                return seq, (
                    f"entries {self.last_matching_witness_seq + 1}..{seq} differ from what witness "
                    f"checkpoint {witness['number']} saw (changed or replaced, and the chain computed again)"
                )
            self.last_matching_witness_seq = seq
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


def _checkpoint_link(
    previous: Mapping[str, Any], record: Mapping[str, Any], number: int, seq: int
) -> str | None:
    """Why checkpoint `record` (number `number`, at `seq`) is not the one after `previous`, if it is not."""
    expected = int(previous["number"]) + 1
    if number > expected:
        return f"checkpoint {expected} is missing (the next one is {number})"
    if number < expected:
        return f"checkpoint {number} out of order or repeated"
    if record.get("prev") != checkpoint_hash(previous):
        return f"checkpoint {number} does not link to checkpoint {expected - 1}"
    if _int(record.get("entries")) != seq - int(previous["last_seq"]):
        return f"checkpoint {number} counts other entries than the chain holds"
    return None


def missing_tail(
    verdict: Verdict, witnesses: Sequence[Mapping[str, Any]], start_seq: int
) -> tuple[int, str] | None:
    """For a whole log (not an export of a range): the entries a witness saw that the log no longer
    reaches, as (first missing seq, reason)."""
    last = verdict.last_seq if verdict.last_seq is not None else start_seq
    beyond = [w for w in witnesses if int(w["last_seq"]) > last]
    if not beyond:
        return None
    furthest = max(beyond, key=lambda w: int(w["last_seq"]))
    return last + 1, (
        f"entries {last + 1}..{furthest['last_seq']} are missing: checkpoint {furthest['number']} "
        f"signed the log through seq {furthest['last_seq']}"
    )


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
