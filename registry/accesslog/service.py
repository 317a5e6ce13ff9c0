"""Use cases of the access log: sign checkpoints, export a range, verify the stored chain, prune."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from registry.access import Actor, Role
from registry.accesslog.chain import (
    CONTENT_FIELDS,
    ENTRY_FIELDS,
    GENESIS_HASH,
    ChainWalker,
    Verdict,
    content_digest,
)
from registry.accesslog.signing import CheckpointSigner, CheckpointVerifier, public_key_pem
from registry.accesslog.tables import AccessLogCheckpoint, AccessLogEntry
from registry.accesslog.writer import iso_ms
from registry.db import fetch_tuples, write_transaction
from registry.errors import FieldProblem, Forbidden, InvalidQuery

FORMAT = "airegistry-access-log/1"
BATCH = 2000
CHECKPOINT_FIELDS = ("kind", "last_seq", "last_hash", "at", "key_id", "signature")


def require_log_reader(actor: Actor) -> None:
    if actor.role is not Role.auditor:
        raise Forbidden("Only auditors read the access log.")


def _ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _checkpoint_record(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in CHECKPOINT_FIELDS}


async def _entries_between(
    first_seq: int, last_seq: int | None, fields: tuple[str, ...]
) -> AsyncIterator[tuple[Any, ...]]:
    """Entries in seq order, as tuples of `fields`, read a batch at a time so any length streams in
    constant memory. The next batch is read while the caller handles this one."""
    columns = ", ".join(f'"{name}"' for name in fields)
    upper, bounds = ("", ()) if last_seq is None else (' AND "seq" <= {}', (last_seq,))
    sql = f'SELECT {columns} FROM "access_log" WHERE "seq" >= {{}}{upper} ORDER BY "seq" LIMIT {{}}'  # noqa: S608
    seq_at = fields.index("seq")

    def read_from(seq: int) -> asyncio.Future[list[tuple[Any, ...]]]:
        return asyncio.ensure_future(fetch_tuples(AccessLogEntry, sql, seq, *bounds, BATCH))

    pending = read_from(first_seq)
    try:
        while True:
            rows = await pending
            if len(rows) == BATCH:
                pending = read_from(int(rows[-1][seq_at]) + 1)
            for row in rows:
                yield row
            if len(rows) < BATCH:
                return
    finally:
        pending.cancel()  # a reader that stops early (a client gone) leaves no read behind


async def _head() -> tuple[int, str] | None:
    row = (
        await AccessLogEntry.select(AccessLogEntry.seq, AccessLogEntry.hash)
        .order_by(AccessLogEntry.seq, ascending=False)
        .first()
    )
    return (int(row["seq"]), row["hash"]) if row else None


async def sign_checkpoint(signer: CheckpointSigner, *, kind: str = "checkpoint") -> dict[str, Any] | None:
    """Sign the current head of the chain (nothing to sign in an empty log). Idempotent per seq."""
    head = await _head()
    if head is None:
        return None
    existing = (
        await AccessLogCheckpoint.select()
        .where((AccessLogCheckpoint.last_seq == head[0]) & (AccessLogCheckpoint.kind == kind))
        .first()
    )
    if existing:
        return _checkpoint_record(existing)
    return await _insert_checkpoint(signer, kind, *head)


async def _insert_checkpoint(signer: CheckpointSigner, kind: str, seq: int, hash_: str) -> dict[str, Any]:
    millis = _ms(datetime.now(UTC))
    record = {
        "kind": kind,
        "last_seq": seq,
        "last_hash": hash_,
        "at": iso_ms(millis),
        "key_id": signer.key_id,
    }
    record["signature"] = signer.sign(record)
    await AccessLogCheckpoint.insert(AccessLogCheckpoint(at_ms=millis, **record))  # type: ignore[arg-type]
    return record


@dataclass(frozen=True)
class ExportQuery:
    start: datetime
    end: datetime
    actor: str | None = None
    action: str | None = None
    resource_id: str | None = None


def check_range(query: ExportQuery, max_days: int) -> None:
    if query.end <= query.start:
        raise InvalidQuery(
            "The range is empty: `to` must come after `from`.",
            problems=[FieldProblem("to", "must be after from")],
        )
    if query.end - query.start > timedelta(days=max_days):
        raise InvalidQuery(
            f"Export at most {max_days} days at a time.",
            problems=[FieldProblem("to", f"is more than {max_days} days after from")],
        )


async def _start_of(first_seq: int) -> tuple[int, str, dict[str, Any] | None]:
    """(seq, hash, anchor record or None) just before `first_seq`."""
    previous = first_seq - 1
    if previous <= 0:
        return 0, GENESIS_HASH, None
    row = await AccessLogEntry.select(AccessLogEntry.hash).where(AccessLogEntry.seq == previous).first()
    if row:
        return previous, row["hash"], None
    anchor = (
        await AccessLogCheckpoint.select()
        .where((AccessLogCheckpoint.kind == "anchor") & (AccessLogCheckpoint.last_seq == previous))
        .first()
    )
    if anchor is None:
        raise InvalidQuery("The log has a gap before this range; run a verification.")
    return previous, anchor["last_hash"], _checkpoint_record(anchor)


# What an export reads of each entry: the entry's fields, then its time as a number.
_EXPORTED = (*ENTRY_FIELDS, "at_ms")
_ENTRY_KEYS = ("kind", *ENTRY_FIELDS)


def _visibility(
    actor: Actor, query: ExportQuery, start_ms: int, end_ms: int
) -> Callable[[tuple[Any, ...]], bool]:
    """Whether an entry (a tuple of _EXPORTED) is in the range and one the actor may see in full."""
    at_ms = _EXPORTED.index("at_ms")
    wanted = [
        (_EXPORTED.index(name), value)
        for name, value in (
            ("organization_id", actor.org),
            ("actor_sub", query.actor),
            ("action", query.action),
            ("resource_id", query.resource_id),
        )
        if value is not None
    ]

    def visible(row: tuple[Any, ...]) -> bool:
        return start_ms <= row[at_ms] < end_ms and all(row[at] == value for at, value in wanted)

    return visible


async def records_in_range(query: ExportQuery) -> int:
    """How many entries fall in the export's range (for progress reporting)."""
    return int(
        await AccessLogEntry.count().where(
            (AccessLogEntry.at_ms >= _ms(query.start)) & (AccessLogEntry.at_ms < _ms(query.end))
        )
    )


async def export_records(
    actor: Actor, query: ExportQuery, signer: CheckpointSigner, *, max_days: int
) -> AsyncIterator[dict[str, Any]]:
    """The records of an export, in chain order: a header, the entries of the range the actor may see
    (others as stubs), the signed checkpoints where they fall, through the first checkpoint at or after
    the range (signed now if there is none yet), and a trailer. Verifiable on its own."""
    require_log_reader(actor)
    check_range(query, max_days)
    start_ms, end_ms = _ms(query.start), _ms(query.end)
    # Time never goes back along the chain (the writer sees to it), so the at_ms index finds both ends.
    first = (
        await AccessLogEntry.select(AccessLogEntry.seq)
        .where(AccessLogEntry.at_ms >= start_ms)
        .order_by(AccessLogEntry.at_ms, AccessLogEntry.seq)
        .first()
    )
    last = (
        await AccessLogEntry.select(AccessLogEntry.seq)
        .where(AccessLogEntry.at_ms < end_ms)
        .order_by(AccessLogEntry.at_ms, AccessLogEntry.seq, ascending=False)
        .first()
    )
    header: dict[str, Any] = {
        "kind": "header",
        "format": FORMAT,
        "from": iso_ms(start_ms),
        "to": iso_ms(end_ms),
        "organization_id": actor.org,
        "filters": {"actor": query.actor, "action": query.action, "resource_id": query.resource_id},
        "exported_by": actor.sub,
        "public_key": public_key_pem(signer.public_key),
        "key_id": signer.key_id,
    }
    if first is None or last is None or first["seq"] > last["seq"]:
        yield {**header, "start_seq": None, "start_hash": None}
        yield {"kind": "trailer", "entries": 0, "stubs": 0, "last_seq": None}
        return
    first_seq, last_seq = int(first["seq"]), int(last["seq"])
    covering = (
        await AccessLogCheckpoint.select()
        .where((AccessLogCheckpoint.kind == "checkpoint") & (AccessLogCheckpoint.last_seq >= last_seq))
        .order_by(AccessLogCheckpoint.last_seq)
        .first()
    )
    closing = _checkpoint_record(covering) if covering else await sign_checkpoint(signer)
    assert closing is not None  # the range holds entries, so the log is not empty
    end_seq = int(closing["last_seq"])
    start_seq, start_hash, anchor = await _start_of(first_seq)
    yield {**header, "start_seq": start_seq, "start_hash": start_hash}
    if anchor:
        yield anchor
    checkpoints = [
        _checkpoint_record(row)
        for row in await AccessLogCheckpoint.select()
        .where(
            (AccessLogCheckpoint.kind == "checkpoint")
            & (AccessLogCheckpoint.last_seq >= first_seq)
            & (AccessLogCheckpoint.last_seq <= end_seq)
        )
        .order_by(AccessLogCheckpoint.last_seq)
    ]
    entries = stubs = 0
    pending = 0
    visible = _visibility(actor, query, start_ms, end_ms)
    seq_at, shown = _EXPORTED.index("seq"), len(ENTRY_FIELDS)
    async for row in _entries_between(first_seq, end_seq, _EXPORTED):
        seq = row[seq_at]
        if visible(row):
            entries += 1
            yield dict(zip(_ENTRY_KEYS, ("entry", *row[:shown]), strict=True))
        else:
            stubs += 1
            yield {
                "kind": "stub",
                "seq": seq,
                "digest": content_digest(dict(zip(_EXPORTED, row, strict=True))),
            }
        while pending < len(checkpoints) and checkpoints[pending]["last_seq"] <= seq:
            if checkpoints[pending]["last_seq"] == seq:
                yield checkpoints[pending]
            pending += 1
    yield {"kind": "trailer", "entries": entries, "stubs": stubs, "last_seq": end_seq}


async def stored_records() -> AsyncIterator[dict[str, Any]]:
    """The whole kept chain in order, with every checkpoint after the entry it signs."""
    checkpoints = [
        _checkpoint_record(row)
        for row in await AccessLogCheckpoint.select()
        .where(AccessLogCheckpoint.kind == "checkpoint")
        .order_by(AccessLogCheckpoint.last_seq)
    ]
    pending = 0
    seq_at = ENTRY_FIELDS.index("seq")
    async for row in _entries_between(1, None, ENTRY_FIELDS):
        yield dict(zip(_ENTRY_KEYS, ("entry", *row), strict=True))
        while pending < len(checkpoints) and checkpoints[pending]["last_seq"] <= row[seq_at]:
            if checkpoints[pending]["last_seq"] == row[seq_at]:
                yield checkpoints[pending]
            pending += 1


async def verify_stored(verifier: CheckpointVerifier) -> Verdict:
    anchor = (
        await AccessLogCheckpoint.select()
        .where(AccessLogCheckpoint.kind == "anchor")
        .order_by(AccessLogCheckpoint.last_seq, ascending=False)
        .first()
    )
    start_seq, start_hash = (int(anchor["last_seq"]), anchor["last_hash"]) if anchor else (0, GENESIS_HASH)
    if anchor and not verifier(_checkpoint_record(anchor)):
        return Verdict().fail(start_seq, "anchor signature does not verify")
    walker = ChainWalker(start_seq=start_seq, start_hash=start_hash, signature_ok=verifier)
    async for record in stored_records():
        if not walker.step(record):
            break
    return walker.verdict


async def prune(signer: CheckpointSigner, *, retention_days: int, now: datetime | None = None) -> int:
    """Delete entries older than the retention period. A signed anchor at the last deleted entry marks
    where the kept chain starts, so it still verifies. Returns how many entries went."""
    cutoff = _ms((now or datetime.now(UTC)) - timedelta(days=retention_days))
    async with write_transaction(AccessLogEntry._meta.db):
        last = (
            await AccessLogEntry.select(AccessLogEntry.seq, AccessLogEntry.hash)
            .where(AccessLogEntry.at_ms < cutoff)
            .order_by(AccessLogEntry.seq, ascending=False)
            .first()
        )
        if last is None:
            return 0
        count = await AccessLogEntry.count().where(AccessLogEntry.seq <= last["seq"])
        await _insert_checkpoint(signer, "anchor", int(last["seq"]), last["hash"])
        await AccessLogEntry.delete().where(AccessLogEntry.seq <= last["seq"])
        await AccessLogCheckpoint.delete().where(
            (AccessLogCheckpoint.kind != "anchor") & (AccessLogCheckpoint.last_seq < last["seq"])
        )
    return int(count)


__all__ = ["CONTENT_FIELDS", "ExportQuery", "export_records", "prune", "sign_checkpoint", "verify_stored"]
