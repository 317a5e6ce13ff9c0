"""Use cases of the access log: sign checkpoints, export a range, verify the stored chain, prune."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from registry.access import Actor, Role
from registry.accesslog.chain import (
    CONTENT_FIELDS,
    ENTRY_FIELDS,
    GENESIS_HASH,
    ChainWalker,
    StubDigest,
    Verdict,
    content_digest,
    missing_tail,
)
from registry.accesslog.checkpoints import checkpoint_record, head, latest_anchor, sign_checkpoint
from registry.accesslog.files import (
    CSV_COLUMNS,
    FORMAT,
    FORMULA_STARTS,
    INTEGER_COLUMNS,
    csv_header,
    csv_lines,
    signed_trailer,
)
from registry.accesslog.signing import CheckpointSigner, CheckpointVerifier, public_key_pem
from registry.accesslog.tables import AccessLogCheckpoint, AccessLogEntry
from registry.accesslog.writer import iso_ms, ms_of, ms_of_text
from registry.db import dialect_of, fetch_tuples, postgres_connection
from registry.errors import FieldProblem, Forbidden, InvalidQuery

BATCH = 2000


def require_log_reader(actor: Actor) -> None:
    if actor.role is not Role.auditor:
        raise Forbidden("Only auditors read the access log.")


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
    return previous, anchor["last_hash"], checkpoint_record(anchor)


# What an export reads of each entry: the entry's fields, then its time as a number.
_EXPORTED = (*ENTRY_FIELDS, "at_ms")
_ENTRY_KEYS = ("kind", *ENTRY_FIELDS)


def _wanted(actor: Actor, query: ExportQuery) -> list[tuple[str, Any]]:
    """The columns an entry must match, beyond the time range, to be shown in full."""
    return [
        (name, value)
        for name, value in (
            ("organization_id", actor.org),
            ("actor_sub", query.actor),
            ("action", query.action),
            ("resource_id", query.resource_id),
        )
        if value is not None
    ]


def _visibility(
    actor: Actor, query: ExportQuery, start_ms: int, end_ms: int
) -> Callable[[tuple[Any, ...]], bool]:
    """Whether an entry (a tuple of _EXPORTED) is in the range and one the actor may see in full. An
    export without filters or organization scope shows every entry in full, those after the range up
    to its closing checkpoint too: there, a stub could only hide an entry."""
    at_ms = _EXPORTED.index("at_ms")
    wanted = [(_EXPORTED.index(name), value) for name, value in _wanted(actor, query)]
    if not wanted:
        return lambda row: start_ms <= row[at_ms]

    def visible(row: tuple[Any, ...]) -> bool:
        return start_ms <= row[at_ms] < end_ms and all(row[at] == value for at, value in wanted)

    return visible


async def records_in_range(query: ExportQuery) -> int:
    """How many entries fall in the export's range (for progress reporting)."""
    return int(
        await AccessLogEntry.count().where(
            (AccessLogEntry.at_ms >= ms_of(query.start)) & (AccessLogEntry.at_ms < ms_of(query.end))
        )
    )


@dataclass
class _ExportPlan:
    """What an export covers, worked out before its first record: the chain from `first_seq` through
    `end_seq` (the first checkpoint at or after the range), the checkpoints in it, and who sees what."""

    header: dict[str, Any]
    signer: CheckpointSigner
    anchor: dict[str, Any] | None = None
    first_seq: int = 0
    end_seq: int | None = None  # None: nothing in the range
    end_hash: str | None = None
    visible: Callable[[tuple[Any, ...]], bool] = lambda _: False
    # The same test as `visible`, for SQL: the range in ms and the columns an entry must match.
    start_ms: int = 0
    end_ms: int = 0
    wanted: list[tuple[str, Any]] = field(default_factory=list)
    entries: int = 0
    stubs: int = 0
    stubbed: StubDigest = field(default_factory=StubDigest)

    def trailer(self) -> dict[str, Any]:
        return signed_trailer(
            self.signer,
            self.header,
            entries=self.entries,
            stubs=self.stubs,
            first_seq=self.first_seq if self.end_seq is not None else None,
            last_seq=self.end_seq,
            head=self.end_hash,
            stubbed=self.stubbed.hexdigest(),
        )


async def _closing_checkpoint(signer: CheckpointSigner, last_seq: int) -> dict[str, Any]:
    """The first checkpoint at or after `last_seq` that this key signed and that the log reaches (a
    row someone put in does not close an export); signed now when there is none."""
    verifier = CheckpointVerifier(keys={signer.key_id: signer.public_key})
    current = await head()
    for row in (
        await AccessLogCheckpoint.select()
        .where((AccessLogCheckpoint.kind == "checkpoint") & (AccessLogCheckpoint.last_seq >= last_seq))
        .order_by(AccessLogCheckpoint.last_seq)
        .limit(20)
    ):
        record = checkpoint_record(row)
        if current is not None and int(record["last_seq"]) <= current[0] and verifier(record):
            return record
    signed = await sign_checkpoint(signer)
    assert signed is not None  # the range holds entries, so the log is not empty
    return signed


async def _plan_export(
    actor: Actor, query: ExportQuery, signer: CheckpointSigner, *, max_days: int
) -> _ExportPlan:
    require_log_reader(actor)
    check_range(query, max_days)
    start_ms, end_ms = ms_of(query.start), ms_of(query.end)
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
        "exported_at": iso_ms(ms_of(datetime.now(UTC))),
        "public_key": public_key_pem(signer.public_key),
        "key_id": signer.key_id,
    }
    if first is None or last is None or first["seq"] > last["seq"]:
        return _ExportPlan(
            header=signer.signed({**header, "start_seq": None, "start_hash": None}), signer=signer
        )
    first_seq, last_seq = int(first["seq"]), int(last["seq"])
    closing = await _closing_checkpoint(signer, last_seq)
    end_seq = int(closing["last_seq"])
    start_seq, start_hash, anchor = await _start_of(first_seq)
    return _ExportPlan(
        header=signer.signed({**header, "start_seq": start_seq, "start_hash": start_hash}),
        signer=signer,
        anchor=anchor,
        first_seq=first_seq,
        end_seq=end_seq,
        end_hash=str(closing["last_hash"]),
        visible=_visibility(actor, query, start_ms, end_ms),
        start_ms=start_ms,
        end_ms=end_ms,
        wanted=_wanted(actor, query),
    )


async def _records_between(plan: _ExportPlan, first_seq: int, last_seq: int) -> AsyncIterator[dict[str, Any]]:
    """The entries (or stubs) of first_seq..last_seq, each followed by the checkpoints that sign it;
    counted into the plan. (A checkpoint signed since the plan signs the head as it was then, at or
    after the plan's end: at most one more at the end, which verifies as the others do.)"""
    checkpoints = _checkpoints_between(first_seq, last_seq)
    pending = await anext(checkpoints, None)
    seq_at, shown = _EXPORTED.index("seq"), len(ENTRY_FIELDS)
    visible = plan.visible
    async for row in _entries_between(first_seq, last_seq, _EXPORTED):
        seq = row[seq_at]
        if visible(row):
            plan.entries += 1
            yield dict(zip(_ENTRY_KEYS, ("entry", *row[:shown]), strict=True))
        else:
            plan.stubs += 1
            plan.stubbed.add(seq)
            yield {
                "kind": "stub",
                "seq": seq,
                "digest": content_digest(dict(zip(_EXPORTED, row, strict=True))),
            }
        while pending is not None and pending["last_seq"] <= seq:
            if pending["last_seq"] == seq:
                yield pending
            pending = await anext(checkpoints, None)


async def export_records(
    actor: Actor, query: ExportQuery, signer: CheckpointSigner, *, max_days: int
) -> AsyncIterator[dict[str, Any]]:
    """The records of an export, in chain order: a header, the entries of the range the actor may see
    (others as stubs), the signed checkpoints where they fall, through the first checkpoint at or after
    the range (signed now if there is none yet), and a trailer. Verifiable on its own."""
    plan = await _plan_export(actor, query, signer, max_days=max_days)
    yield plan.header
    if plan.end_seq is not None:
        if plan.anchor:
            yield plan.anchor
        async for record in _records_between(plan, plan.first_seq, plan.end_seq):
            yield record
    yield plan.trailer()


# --- CSV ---------------------------------------------------------------------------------------------

COPY_SEQS = 10_000
"""On PostgreSQL a CSV export goes through the chain in runs of at most this many entries."""
CSV_BATCH = 1_000


def _formula_guarded(column: str) -> str:
    """SQL for files.py's rule: a text that a spreadsheet would run as a formula gets a leading '."""
    firsts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
    return f'CASE WHEN left("{column}", 1) IN ({firsts}) THEN chr(39) || "{column}" ELSE "{column}" END'


def _text_cell(column: str, source: str | None) -> str:
    if source is None:
        return f'NULL AS "{column}"'
    if column in INTEGER_COLUMNS:
        return f'"{source}" AS "{column}"'
    return f'{_formula_guarded(source)} AS "{column}"'


# Rows of files.py's CSV_COLUMNS as PostgreSQL's COPY writes them: an entry's, and a signed checkpoint's,
# in one query ordered as the chain runs (each checkpoint right after the entry it signs), the text cells
# quoted (FORCE_QUOTE) as files.py's writer quotes them and with the same formula guard. The one
# difference: an empty cell is "" there and nothing here, and readers read both as empty.
_ENTRY_CELLS = ", ".join(
    "'entry' AS \"kind\"" if c == "kind" else _text_cell(c, c if c in ENTRY_FIELDS else None)
    for c in CSV_COLUMNS
)
_CHECKPOINT_SOURCES = {"at", "number", "last_seq", "last_hash", "entries", "prev", "key_id", "signature"}
_CHECKPOINT_CELLS = ", ".join(
    "'checkpoint' AS \"kind\"" if c == "kind" else _text_cell(c, c if c in _CHECKPOINT_SOURCES else None)
    for c in CSV_COLUMNS
)
_QUOTED = [name for name in CSV_COLUMNS if name not in INTEGER_COLUMNS]
_COLUMN_LIST = ", ".join(f'"{name}"' for name in CSV_COLUMNS)


def _runs(plan: _ExportPlan) -> Iterator[tuple[int, int]]:
    """first_seq..end_seq cut into runs of at most COPY_SEQS."""
    assert plan.end_seq is not None
    for first in range(plan.first_seq, plan.end_seq + 1, COPY_SEQS):
        yield first, min(plan.end_seq, first + COPY_SEQS - 1)


async def _all_shown(plan: _ExportPlan, first: int, last: int) -> bool:
    """Whether every entry of first..last is there and shown in full (the test of `visible`)."""
    tests = ['"at_ms" >= {}', '"at_ms" < {}', *(f'"{name}" = {{}}' for name, _ in plan.wanted)]
    values = [plan.start_ms, plan.end_ms, *(value for _, value in plan.wanted)]
    if not plan.wanted:  # an unfiltered export shows every entry from the start of its range
        tests, values = ['"at_ms" >= {}'], [plan.start_ms]
    [(count, hidden)] = await fetch_tuples(
        AccessLogEntry,
        # Only fixed column names are formatted in; every value is a bound parameter.
        f"SELECT count(*) AS total, count(*) FILTER (WHERE NOT coalesce({' AND '.join(tests)}, false)) "  # noqa: S608
        'AS hidden FROM "access_log" WHERE "seq" BETWEEN {} AND {}',
        *values,
        first,
        last,
    )
    return int(hidden) == 0 and int(count) == last - first + 1


async def _copied(plan: _ExportPlan, first: int, last: int) -> bytes:
    """Entries first..last, and the plan's checkpoints among them, as CSV rows written by PostgreSQL."""
    parts: list[bytes] = []

    async def keep(data: bytes) -> None:
        parts.append(data)

    # Only two integers are formatted in. The checkpoints in the order _checkpoints_between reads them.
    sql = (
        f'SELECT {_ENTRY_CELLS}, "seq" AS sort_seq, 0 AS sort_kind, 0 AS sort_id FROM "access_log" '  # noqa: S608
        f'WHERE "seq" BETWEEN {int(first)} AND {int(last)} '
        f'UNION ALL SELECT {_CHECKPOINT_CELLS}, "last_seq", 1, "id" FROM "access_log_checkpoint" '
        f'WHERE "kind" = \'checkpoint\' AND "last_seq" BETWEEN {int(first)} AND {int(last)} '
        "ORDER BY sort_seq, sort_kind, sort_id"
    )
    query = f"SELECT {_COLUMN_LIST} FROM ({sql}) AS chain"  # noqa: S608 - the sort keys stay out
    engine = AccessLogEntry._meta.db
    assert isinstance(engine, PostgresEngine)  # SQLite exports go through the csv module
    async with postgres_connection(engine) as connection:
        await connection.copy_from_query(query, output=keep, format="csv", force_quote=_QUOTED)
    return b"".join(parts)


async def export_csv(
    actor: Actor, query: ExportQuery, signer: CheckpointSigner, *, max_days: int
) -> AsyncIterator[bytes]:
    """export_records as CSV (files.py's columns, with its header line), in chunks of bytes.

    The `csv` module's writer costs more per row than everything else an export does. So on
    PostgreSQL each run of entries that the auditor sees in full is written by PostgreSQL itself
    (`COPY ... TO STDOUT (FORMAT csv)`: the entries and the checkpoints among them, the same cells with
    the same formula guard); runs with stubs, the header and trailer, and everything on SQLite, go
    through the `csv` module. A CSV reader reads both the same (tests/integration/test_access_log.py
    compares them cell by cell)."""
    plan = await _plan_export(actor, query, signer, max_days=max_days)
    yield (csv_header() + csv_lines([plan.header])).encode()
    if plan.end_seq is not None:
        if plan.anchor:
            yield csv_lines([plan.anchor]).encode()
        copying = not dialect_of(AccessLogEntry._meta.db).sqlite
        for first, last in _runs(plan) if copying else iter([(plan.first_seq, plan.end_seq)]):
            if copying and await _all_shown(plan, first, last):
                yield await _copied(plan, first, last)
                plan.entries += last - first + 1
                continue
            batch: list[dict[str, Any]] = []
            async for record in _records_between(plan, first, last):
                batch.append(record)
                if len(batch) >= CSV_BATCH:
                    yield csv_lines(batch).encode()
                    batch = []
            if batch:
                yield csv_lines(batch).encode()
    yield csv_lines([plan.trailer()]).encode()


CHECKPOINT_PAGE = 1000


async def _checkpoints_between(first_seq: int, last_seq: int | None) -> AsyncIterator[dict[str, Any]]:
    """The checkpoints (not anchors) of first_seq..last_seq in chain order, a page at a time (one every
    5 minutes makes many over the years)."""
    after_seq, last_id = first_seq - 1, -1
    upper = 2**63 - 1 if last_seq is None else last_seq
    while True:
        rows = await AccessLogCheckpoint.raw(
            'SELECT * FROM "access_log_checkpoint" WHERE "kind" = \'checkpoint\' AND "last_seq" <= {} '
            'AND ("last_seq" > {} OR ("last_seq" = {} AND "id" > {})) ORDER BY "last_seq", "id" LIMIT {}',
            upper,
            after_seq,
            after_seq,
            last_id,
            CHECKPOINT_PAGE,
        )
        for row in rows:
            yield checkpoint_record(row)
        if len(rows) < CHECKPOINT_PAGE:
            return
        after_seq, last_id = int(rows[-1]["last_seq"]), int(rows[-1]["id"])


_STORED = (*ENTRY_FIELDS, "at_ms")


async def stored_records() -> AsyncIterator[dict[str, Any]]:
    """The whole kept chain in order, with every checkpoint after the entry it signs. Entries carry
    `at_ms` too (their time as a number, which exports search by and the hash does not cover)."""
    checkpoints = _checkpoints_between(1, None)
    pending = await anext(checkpoints, None)
    seq_at = _STORED.index("seq")
    async for row in _entries_between(1, None, _STORED):
        yield dict(zip(("kind", *_STORED), ("entry", *row), strict=True))
        while pending is not None and pending["last_seq"] <= row[seq_at]:
            if pending["last_seq"] == row[seq_at]:
                yield pending
            pending = await anext(checkpoints, None)


async def verify_stored(
    verifier: CheckpointVerifier,
    *,
    kept: Mapping[str, Any] | None = None,
    witnesses: Sequence[Mapping[str, Any]] = (),
) -> Verdict:
    """Walk the stored chain. `kept` is the checkpoint the server keeps beside its key and `witnesses`
    are copies of checkpoints kept elsewhere: the log must still hold what each of them signed."""
    anchor = await latest_anchor()
    start_seq, start_hash = (int(anchor["last_seq"]), anchor["last_hash"]) if anchor else (0, GENESIS_HASH)
    if anchor and not verifier(anchor):
        return Verdict().fail(start_seq, "anchor signature does not verify")
    seen = [*witnesses, *([kept] if kept else [])]
    walker = ChainWalker(start_seq=start_seq, start_hash=start_hash, signature_ok=verifier, witnesses=seen)
    async for record in stored_records():
        if record["kind"] == "entry" and record["at_ms"] != ms_of_text(record["at"]):
            return walker.verdict.fail(
                record["seq"], "the entry's time as a number differs from its hashed time"
            )
        if not walker.step(record):
            return walker.verdict
    verdict = walker.finish()
    fault = None
    if verdict.ok:
        fault = missing_tail(verdict, seen, start_seq) or await _signed_beyond(verifier, verdict, start_seq)
    if fault or not verdict.ok:
        return verdict.fail(*fault) if fault else verdict
    for checkpoint in seen:
        fault = _unaccounted(checkpoint, walker, anchor, kept)
        if fault:
            return verdict.fail(*fault)
        if int(checkpoint["last_seq"]) <= start_seq:
            verdict.notes.append(f"checkpoint {checkpoint['number']} covers pruned entries only: not checked")
    return verdict


def _unaccounted(
    checkpoint: Mapping[str, Any], walker: ChainWalker, anchor: Mapping[str, Any] | None, kept: Any
) -> tuple[int, str] | None:
    """Why a witness's (or the kept) checkpoint is not accounted for by the stored log, if it is not."""
    number, seq = int(checkpoint["number"]), int(checkpoint["last_seq"])
    whose = "the last this server signed" if checkpoint is kept else "kept by a witness"
    if anchor is None or seq > int(anchor["last_seq"]):
        if number not in walker.seen_numbers:
            return seq, f"checkpoint {number} ({whose}) is missing from the database"
        return None
    if seq == int(anchor["last_seq"]):
        if checkpoint.get("last_hash") != anchor["last_hash"]:
            return seq, f"checkpoint {number} ({whose}) differs from the prune anchor at its seq"
        return None
    # Strictly below the anchor: it was signed when the log ended there, so before the checkpoint the
    # prune cut at; one signed after it shows entries deleted before their time.
    cut_at = ms_of_text(anchor.get("cut_at")) if anchor.get("cut_at") else None
    signed_at = ms_of_text(checkpoint.get("at"))
    if cut_at is not None and (signed_at is None or signed_at > cut_at):
        return seq, (
            f"checkpoint {number} ({whose}) lies below the prune anchor at seq {anchor['last_seq']} but was "
            "signed after the checkpoint the prune cut at: entries were deleted before their time"
        )
    return None


async def _signed_beyond(
    verifier: CheckpointVerifier, verdict: Verdict, start_seq: int
) -> tuple[int, str] | None:
    """A checkpoint this key signed beyond where the log now ends: the log was cut back."""
    last = verdict.last_seq if verdict.last_seq is not None else start_seq
    for row in (
        await AccessLogCheckpoint.select()
        .where((AccessLogCheckpoint.kind == "checkpoint") & (AccessLogCheckpoint.last_seq > last))
        .order_by(AccessLogCheckpoint.last_seq, ascending=False)
        .limit(20)
    ):
        record = checkpoint_record(row)
        if verifier(record):
            return last + 1, (
                f"entries {last + 1}..{record['last_seq']} are missing: a signed checkpoint in the database "
                f"covers the log through seq {record['last_seq']}"
            )
    return None


__all__ = [
    "CONTENT_FIELDS",
    "ExportQuery",
    "export_csv",
    "export_records",
    "sign_checkpoint",
    "verify_stored",
]
