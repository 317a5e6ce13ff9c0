"""Signed checkpoints of the access log: a chain of their own, and a signer that never signs a forged past.

Each checkpoint signs its number, the last seq it covers, the chain's hash there, how many entries it
adds, its time and the hash of the checkpoint before it. Before signing, the signer checks the database
against the last checkpoint it signed, which it keeps beside its key (kept.py): that checkpoint is still
stored unchanged, and the entries since extend its head. When they do not, it signs nothing and raises
`IntegrityFailure` with the reason. Every checkpoint goes out as the event `access_log.checkpoint`, so
subscribers keep copies (witnesses) the database cannot take back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from registry.accesslog.chain import (
    CHECKPOINT_FIELDS,
    CONTENT_FIELDS,
    GENESIS_HASH,
    checkpoint_hash,
    checkpoint_message,
    content_digest,
    link,
)
from registry.accesslog.kept import KeptCheckpointUnreadable
from registry.accesslog.signing import CheckpointSigner, CheckpointVerifier
from registry.accesslog.tables import AccessLogCheckpoint, AccessLogEntry
from registry.accesslog.writer import iso_ms, ms_of, ms_of_text
from registry.db import fetch_tuples, write_transaction
from registry.errors import Unavailable
from registry.events import Event, EventType, emit

STORED_FIELDS = (*CHECKPOINT_FIELDS, "signature")
log = logging.getLogger("airegistry.accesslog")
SIGNER_LOCK_KEY = 0x41_52_45_43  # "AREC": signers of checkpoints take turns (PostgreSQL)
TAIL_BATCH = 5000


class IntegrityFailure(Unavailable):
    """The stored log no longer extends what this server signed; `seq` is where it stops doing so."""

    def __init__(self, reason: str, *, seq: int | None = None) -> None:
        super().__init__(f"The access log failed its integrity check: {reason}")
        self.reason = reason
        self.seq = seq


def checkpoint_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A checkpoint as exports, the API, events and witness files carry it (an anchor with `cut_at`)."""
    record = {name: row.get(name) for name in STORED_FIELDS}
    if row.get("kind") == "anchor":
        record["cut_at"] = row.get("cut_at")
    return record


async def head() -> tuple[int, str] | None:
    row = (
        await AccessLogEntry.select(AccessLogEntry.seq, AccessLogEntry.hash)
        .order_by(AccessLogEntry.seq, ascending=False)
        .first()
    )
    return (int(row["seq"]), row["hash"]) if row else None


async def latest_chained() -> dict[str, Any] | None:
    row = (
        await AccessLogCheckpoint.select()
        .where(AccessLogCheckpoint.number.is_not_null())
        .order_by(AccessLogCheckpoint.number, ascending=False)
        .first()
    )
    return checkpoint_record(row) if row else None


async def chained_after(number: int, *, limit: int | None = None) -> list[dict[str, Any]]:
    query = (
        AccessLogCheckpoint.select()
        .where((AccessLogCheckpoint.number > number) & (AccessLogCheckpoint.kind == "checkpoint"))
        .order_by(AccessLogCheckpoint.number)
    )
    if limit is not None:
        query = query.limit(limit)
    return [checkpoint_record(row) for row in await query]


async def latest_anchor() -> dict[str, Any] | None:
    row = (
        await AccessLogCheckpoint.select()
        .where(AccessLogCheckpoint.kind == "anchor")
        .order_by(AccessLogCheckpoint.last_seq, ascending=False)
        .first()
    )
    return checkpoint_record(row) if row else None


def _same(one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    return checkpoint_message(one) == checkpoint_message(other) and one.get("signature") == other.get(
        "signature"
    )


async def check_against_kept(
    signer: CheckpointSigner,
) -> tuple[tuple[int, str] | None, dict[str, Any] | None]:
    """Raise IntegrityFailure unless the database extends the checkpoint kept beside the key. Returns
    the head of the chain as checked and the latest chained checkpoint."""
    try:
        kept = signer.kept.read() if signer.kept is not None else None
    except KeptCheckpointUnreadable as exc:
        raise IntegrityFailure(str(exc)) from exc
    latest = await latest_chained()
    if kept is None:
        if latest is None or signer.kept is None:
            return await head(), latest
        # A process with nothing kept (a new host, a first start after an upgrade) starts from the
        # database's latest checkpoint, when this key signed it, and says so.
        if not CheckpointVerifier(keys={signer.key_id: signer.public_key})(latest):
            raise IntegrityFailure(f"checkpoint {latest['number']} is not signed by this key")
        log.warning(
            "no access-log checkpoint kept in %s: starting from the database's checkpoint %s (seq %s)",
            signer.kept.path,
            latest["number"],
            latest["last_seq"],
        )
        signer.kept.write(latest)
        kept = latest
    number, kept_seq = int(kept["number"]), int(kept["last_seq"])
    stored = await AccessLogCheckpoint.select().where(AccessLogCheckpoint.number == number).first()
    if stored is None:
        raise IntegrityFailure(
            f"checkpoint {number}, the last this server signed (through seq {kept_seq}), is missing from "
            "the database: the log was cut back, or an older backup restored",
            seq=kept_seq,
        )
    if not _same(checkpoint_record(stored), kept):
        raise IntegrityFailure(
            f"checkpoint {number} in the database differs from the one signed", seq=kept_seq
        )
    verifier = CheckpointVerifier(keys={signer.key_id: signer.public_key})
    later = await _later_chain(kept, verifier)
    current = await head()
    anchor = await latest_anchor()
    if anchor is not None and not verifier(anchor):
        raise IntegrityFailure("a prune anchor is not signed by this key", seq=int(anchor["last_seq"]))
    # Where the log reaches: its head, or after pruning everything, the anchor.
    reach = current[0] if current else int(anchor["last_seq"]) if anchor else 0
    signed_through = int(later[-1]["last_seq"]) if later else kept_seq
    if reach < signed_through:
        raise IntegrityFailure(
            f"the log ends at seq {reach}, but seq {signed_through} was signed: entries "
            f"{reach + 1}..{signed_through} are missing",
            seq=reach + 1,
        )
    start_seq, start_hash = await _start_of_check(kept, anchor)
    if current is None:
        return None, later[-1] if later else latest
    await _extends(start_seq, start_hash, current[0], {int(c["last_seq"]): c for c in later})
    return current, later[-1] if later else latest


async def _start_of_check(kept: Mapping[str, Any], anchor: Mapping[str, Any] | None) -> tuple[int, str]:
    """Where the signer's walk starts: the kept checkpoint's entry, unchanged; or, when the log was
    pruned past it (idle for the whole retention period), the anchor that cut at it or later."""
    number, start_seq, start_hash = int(kept["number"]), int(kept["last_seq"]), str(kept["last_hash"])
    if anchor is None or int(anchor["last_seq"]) < start_seq:
        row = await AccessLogEntry.select(AccessLogEntry.hash).where(AccessLogEntry.seq == start_seq).first()
        if row is None or row["hash"] != start_hash:
            raise IntegrityFailure(
                f"entry {start_seq}, under checkpoint {number}, was "
                + ("removed" if row is None else "changed, or the chain before it computed again"),
                seq=start_seq,
            )
        return start_seq, start_hash
    if int(anchor["last_seq"]) == start_seq:
        if anchor["last_hash"] != start_hash:
            raise IntegrityFailure("the prune anchor differs from the signed checkpoint", seq=start_seq)
        return start_seq, start_hash
    # Below the anchor: signed before the checkpoint the prune cut at, or deleted before its time.
    cut_at = ms_of_text(anchor.get("cut_at")) if anchor.get("cut_at") else None
    if cut_at is None or cut_at < (ms_of_text(kept["at"]) or 0):
        raise IntegrityFailure(
            f"a prune anchor at seq {anchor['last_seq']} covers checkpoint {number}, which was signed "
            "after the checkpoint the prune cut at: entries were deleted before their time",
            seq=start_seq,
        )
    return int(anchor["last_seq"]), str(anchor["last_hash"])


async def _later_chain(kept: Mapping[str, Any], verifier: CheckpointVerifier) -> list[dict[str, Any]]:
    """Checkpoints stored after the kept one (signed, then the process stopped before keeping them):
    each must be this key's and link to the one before."""
    later = await chained_after(int(kept["number"]))
    previous: Mapping[str, Any] = kept
    for checkpoint in later:
        number = int(checkpoint["number"])
        if (
            number != int(previous["number"]) + 1
            or checkpoint["prev"] != checkpoint_hash(previous)
            or not verifier(checkpoint)
        ):
            raise IntegrityFailure(
                f"checkpoint {number} in the database does not extend the chain of checkpoints",
                seq=int(checkpoint["last_seq"]),
            )
        previous = checkpoint
    return later


async def _extends(
    start_seq: int, start_hash: str, last_seq: int, signed: dict[int, Mapping[str, Any]]
) -> None:
    """Each entry after start_seq through last_seq links to the one before, matches its content, and
    has the time as a number (which exports search by) that its hashed time says."""
    names = ("seq", *_CONTENT, "prev_hash", "hash", "at_ms")
    columns = ", ".join(f'"{name}"' for name in names)
    sql = f'SELECT {columns} FROM "access_log" WHERE "seq" > {{}} AND "seq" <= {{}} ORDER BY "seq" LIMIT {{}}'  # noqa: S608
    expected, previous = start_seq + 1, start_hash
    while expected <= last_seq:
        rows = await fetch_tuples(AccessLogEntry, sql, expected - 1, last_seq, TAIL_BATCH)
        if not rows:
            break
        for row in rows:
            entry = dict(zip(names, row, strict=True))
            seq = int(entry["seq"])
            if seq != expected:
                raise IntegrityFailure(f"entry {expected} is missing", seq=expected)
            if entry["prev_hash"] != previous or entry["hash"] != link(previous, content_digest(entry)):
                raise IntegrityFailure(f"entry {seq} does not extend the signed chain", seq=seq)
            if entry["at_ms"] != ms_of_text(entry["at"]):
                raise IntegrityFailure(
                    f"entry {seq}'s time as a number differs from its hashed time", seq=seq
                )
            if seq in signed and signed[seq]["last_hash"] != entry["hash"]:
                raise IntegrityFailure(f"the chain differs from checkpoint {signed[seq]['number']}", seq=seq)
            previous, expected = entry["hash"], seq + 1
    if expected <= last_seq:
        raise IntegrityFailure(f"entry {expected} is missing", seq=expected)


_CONTENT = tuple(name for name in CONTENT_FIELDS if name != "seq")


async def sign_checkpoint(signer: CheckpointSigner) -> dict[str, Any] | None:
    """Sign the head of the chain after checking it against the kept checkpoint (nothing to sign in an
    empty log; the latest checkpoint when the head has not moved). Raises IntegrityFailure."""
    if signer.kept is None:
        return await _sign_checked(signer)
    async with signer.kept.locked():
        return await _sign_checked(signer)


async def _sign_checked(signer: CheckpointSigner) -> dict[str, Any] | None:
    current, latest = await check_against_kept(signer)
    if current is None:
        return None
    if latest is not None and int(latest["last_seq"]) >= current[0]:
        return latest
    engine = AccessLogCheckpoint._meta.db
    async with write_transaction(engine):
        if engine.engine_type == "postgres":
            await AccessLogCheckpoint.raw(f"SELECT pg_advisory_xact_lock({SIGNER_LOCK_KEY})")
        now_latest = await latest_chained()
        if (now_latest and now_latest["number"]) != (latest and latest["number"]):
            return now_latest  # another signer got there first; its checkpoint covers this head or more
        record = new_checkpoint(signer, latest, *current)
        await AccessLogCheckpoint.insert(
            AccessLogCheckpoint(at_ms=ms_of(datetime.fromisoformat(record["at"])), **record)
        )
        await emit(checkpoint_event(record))
    if signer.kept is not None:
        signer.kept.write(record)
    return record


def new_checkpoint(
    signer: CheckpointSigner,
    previous: Mapping[str, Any] | None,
    seq: int,
    hash_: str,
    *,
    at_ms: int | None = None,
) -> dict[str, Any]:
    """The signed checkpoint after `previous` (None: the first), at entry `seq` whose hash is `hash_`."""
    record: dict[str, Any] = {
        "kind": "checkpoint",
        "number": int(previous["number"]) + 1 if previous else 1,
        "last_seq": seq,
        "last_hash": hash_,
        "entries": seq - int(previous["last_seq"]) if previous else seq,
        "at": iso_ms(at_ms if at_ms is not None else ms_of(datetime.now(UTC))),
        "key_id": signer.key_id,
        "prev": checkpoint_hash(previous) if previous else GENESIS_HASH,
    }
    record["signature"] = signer.sign(record)
    return record


def checkpoint_event(record: Mapping[str, Any]) -> Event:
    """Sent to every subscription that names `access_log.checkpoint`: its copy is a witness."""
    return Event(
        type=EventType.access_log_checkpoint, organization_id=None, data={"checkpoint": dict(record)}
    )


def integrity_event(failure: IntegrityFailure) -> Event:
    return Event(
        type=EventType.access_log_integrity_failed,
        organization_id=None,
        data={"reason": failure.reason, "seq": failure.seq},
    )


async def report_failure(failure: IntegrityFailure) -> None:
    """Tell subscribers that the log failed its check (in a transaction of its own)."""
    async with write_transaction(AccessLogCheckpoint._meta.db):
        await emit(integrity_event(failure))


async def _cut_point(verifier: CheckpointVerifier, cutoff_ms: int) -> dict[str, Any] | None:
    """The newest checkpoint this key signed before the cutoff, by its signed time. Nothing a
    database writer can change (an entry's time as a number, an unsigned row) moves it."""
    rows = (
        await AccessLogCheckpoint.select()
        .where((AccessLogCheckpoint.kind == "checkpoint") & (AccessLogCheckpoint.at_ms < cutoff_ms))
        .order_by(AccessLogCheckpoint.last_seq, ascending=False)
        .limit(100)
    )
    for row in rows:
        record = checkpoint_record(row)
        signed_at = ms_of_text(record["at"])
        if signed_at is not None and signed_at < cutoff_ms and verifier(record):
            return record
    return None


async def prune(signer: CheckpointSigner, *, retention_days: int, now: datetime | None = None) -> int:
    """Delete entries past the retention period: those under the newest checkpoint signed before the
    cutoff. Only a log that passes the signer's check is pruned, and only behind a signed anchor that
    names the checkpoint's time (`cut_at`), written before the deletes (the triggers need it).
    Returns how many entries went."""
    if signer.kept is None:
        return await _prune_checked(signer, retention_days, now)
    async with signer.kept.locked():
        return await _prune_checked(signer, retention_days, now)


async def _prune_checked(signer: CheckpointSigner, retention_days: int, now: datetime | None) -> int:
    await check_against_kept(signer)
    cutoff_ms = ms_of((now or datetime.now(UTC)) - timedelta(days=retention_days))
    verifier = CheckpointVerifier(keys={signer.key_id: signer.public_key})
    cut = await _cut_point(verifier, cutoff_ms)
    if cut is None:
        return 0
    seq = int(cut["last_seq"])
    row = await AccessLogEntry.select(AccessLogEntry.hash).where(AccessLogEntry.seq == seq).first()
    if row is None:
        return 0  # pruned through there already
    if row["hash"] != cut["last_hash"]:
        raise IntegrityFailure(f"the chain differs from checkpoint {cut.get('number') or seq}", seq=seq)
    async with write_transaction(AccessLogEntry._meta.db):
        count = await AccessLogEntry.count().where(AccessLogEntry.seq <= seq)
        millis = ms_of(datetime.now(UTC))
        anchor: dict[str, Any] = {
            "kind": "anchor",
            "last_seq": seq,
            "last_hash": cut["last_hash"],
            "at": iso_ms(millis),
            "key_id": signer.key_id,
            "cut_at": cut["at"],
        }
        anchor["signature"] = signer.sign(anchor)
        await AccessLogCheckpoint.insert(AccessLogCheckpoint(at_ms=millis, **anchor))
        await AccessLogEntry.delete().where(AccessLogEntry.seq <= seq)
        newest = await latest_chained()  # kept, whatever its age: the next signature extends it
        await AccessLogCheckpoint.delete().where(
            (AccessLogCheckpoint.kind != "anchor")
            & (AccessLogCheckpoint.last_seq < seq)
            & (
                AccessLogCheckpoint.number.is_null()
                | (AccessLogCheckpoint.number != (newest["number"] if newest else -1))
            )
        )
    return int(count)


async def list_checkpoints(after: int, limit: int) -> list[dict[str, Any]]:
    """Chained checkpoints with a number above `after`, oldest first."""
    return await chained_after(after, limit=limit)


__all__ = [
    "IntegrityFailure",
    "check_against_kept",
    "checkpoint_record",
    "list_checkpoints",
    "prune",
    "sign_checkpoint",
]
