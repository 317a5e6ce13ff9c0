"""Export files of the access log, JSON Lines or CSV, and reading them back for offline verification.

Both carry the same records: a header, entries, stubs, checkpoints, a trailer. In CSV a text cell that
a spreadsheet would run as a formula (starting with = + - @, a tab, a carriage return or ') is written
with one leading ' that readers remove, so the file is safe to open and still verifies.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import msgspec

from registry.accesslog.chain import ENTRY_FIELDS, ChainWalker, Verdict, record_message
from registry.accesslog.signing import CheckpointSigner, CheckpointVerifier

FORMAT = "airegistry-access-log/2"
FORMAT_1 = "airegistry-access-log/1"
"""The export format: header and trailer are signed (format 1, before, signed only checkpoints)."""

CSV_COLUMNS = (
    "kind",
    *ENTRY_FIELDS,
    "digest",
    "number",
    "last_seq",
    "last_hash",
    "entries",
    "prev",
    "key_id",
    "signature",
    "cut_at",
    "detail",
)
INTEGER_COLUMNS = frozenset({"seq", "status", "last_seq", "number", "entries"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # each is one character


# msgspec (Litestar's own encoder) writes what json.dumps(ensure_ascii=False, separators=(",", ":"))
# does, several times faster: an export is mostly this (a unit test compares the two).
_JSON = msgspec.json.Encoder()


def jsonl_line(record: Mapping[str, Any]) -> str:
    return _JSON.encode(record).decode() + "\n"


def jsonl_lines(records: Iterable[Mapping[str, Any]]) -> bytes:
    """Records as JSON Lines, UTF-8."""
    return _JSON.encode_lines(records)


def _csv_cells(record: Mapping[str, Any]) -> list[Any]:
    """One CSV row. A text that a spreadsheet would run as a formula gets a leading quote; csv writes
    None as an empty cell."""
    return [
        "'" + value if value.__class__ is str and value[:1] in _FORMULA_FIRST else value
        for value in map(record.get, CSV_COLUMNS)
    ]


# Every text cell is quoted, numbers are not. Minimal quoting would leave a carriage return inside a
# cell unquoted (the writer only quotes what is in its line terminator, "\n"), and a reader would end
# the row there. PostgreSQL's COPY quotes the same cells (service.py's CSV export).
def _csv_writer(buffer: io.StringIO) -> Any:
    return csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)


def csv_header() -> str:
    buffer = io.StringIO()
    _csv_writer(buffer).writerow(CSV_COLUMNS)
    return buffer.getvalue()


def _csv_record(record: Mapping[str, Any]) -> Mapping[str, Any]:
    if record["kind"] in ("header", "trailer"):
        return {"kind": record["kind"], "detail": json.dumps(dict(record), ensure_ascii=False)}
    return record


def csv_lines(records: Iterable[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    _csv_writer(buffer).writerows(_csv_cells(_csv_record(record)) for record in records)
    return buffer.getvalue()


def _cell(text: str, integer: bool) -> Any:
    if text == "":
        return None
    if text[0] == "'":
        return text[1:]
    if integer and text.lstrip("-").isdigit():
        return int(text)
    return text


CHECKPOINT_COLUMNS = (
    "kind",
    "number",
    "last_seq",
    "last_hash",
    "entries",
    "at",
    "key_id",
    "prev",
    "signature",
)


def _csv_records(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    try:
        yield from _csv_rows(lines)
    except csv.Error as exc:  # a NUL byte, a runaway quoted cell: the file is not the CSV we write
        raise ValueError(f"the CSV cannot be read: {exc}") from exc


def _csv_rows(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    rows = csv.reader(lines)
    header = next(rows, None)
    if header is None:
        return
    where = {name: i for i, name in enumerate(header)}
    missing = [name for name in CSV_COLUMNS if name not in where]
    if missing:
        raise ValueError(f"the CSV has no column {missing[0]!r}")
    entry_at = [(name, where[name], name in INTEGER_COLUMNS) for name in ENTRY_FIELDS]
    checkpoint_at = [(name, where[name], name in INTEGER_COLUMNS) for name in CHECKPOINT_COLUMNS]
    kind_at, detail_at, seq_at, digest_at = where["kind"], where["detail"], where["seq"], where["digest"]
    for row in rows:
        if len(row) != len(header):
            seq = row[seq_at] if len(row) > seq_at else "?"
            raise ValueError(f"row {rows.line_num} (seq {seq or '?'}) is cut off or has cells of more")
        kind = row[kind_at]
        if kind in ("header", "trailer"):
            detail = json.loads(row[detail_at] or "{}")
            if not isinstance(detail, dict):
                raise ValueError(f"row {rows.line_num}: the {kind}'s detail is not a record")
            yield detail
        elif kind == "entry":
            yield {"kind": "entry", **{name: _cell(row[i], integer) for name, i, integer in entry_at}}
        elif kind == "stub":
            yield {"kind": "stub", "seq": _cell(row[seq_at], True), "digest": _cell(row[digest_at], False)}
        else:
            record = {name: _cell(row[i], integer) for name, i, integer in checkpoint_at}
            if kind == "anchor":
                record["cut_at"] = _cell(row[where["cut_at"]], False)
            yield record


def read_records(lines: Iterable[str], fmt: str) -> Iterator[dict[str, Any]]:
    if fmt == "csv":
        yield from _csv_records(lines)
        return
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number} is not JSON") from exc
            if not isinstance(record, dict):
                raise ValueError(f"line {number} is not a record")
            yield record


def detect_format(first_line: str) -> str:
    return "jsonl" if first_line.lstrip().startswith("{") else "csv"


def verify_export(
    records: Iterable[Mapping[str, Any]],
    verifier: CheckpointVerifier,
    witnesses: Sequence[Mapping[str, Any]] = (),
    *,
    accept_format_1: bool = False,
) -> Verdict:
    """An export verifies when its header and trailer are signed and belong together, its chain holds
    from the start hash in its header through a signed checkpoint at its last record, and what the
    trailer states (counts, first and last seq, the head, the stubbed seqs) is what the file holds.
    Witnesses' checkpoints inside the export's range must match it."""
    iterator = iter(records)
    header = next(iterator, None)
    if header is None or header.get("kind") != "header":
        return Verdict().fail(None, "the file does not start with an export header")
    legacy = accept_format_1 and header.get("format") in (None, FORMAT_1)
    fault = None if legacy else next(_header_faults(header, verifier), None)
    if fault:
        return Verdict().fail(None, fault)
    walker = ChainWalker(
        start_seq=int(header.get("start_seq") or 0),
        start_hash=str(header.get("start_hash") or ""),
        signature_ok=verifier,
        witnesses=witnesses,
    )
    trailer = _walk_to_trailer(walker, iterator)
    verdict = walker.finish()
    if not verdict.ok:
        return verdict
    fault = next(
        (_legacy_ending_faults if legacy else _ending_faults)(walker, header, trailer, verifier), None
    )
    if fault is None and next(iterator, None) is not None:
        fault = "records follow the trailer"
    if fault:
        return verdict.fail(verdict.last_seq, fault)
    if legacy:
        verdict.notes.append(
            "an export of format 1 (before 2026-12-06): its header and trailer are not signed, so only "
            "its chain and checkpoints were checked"
        )
    for witness in witnesses:
        if not (verdict.first_seq or 0) <= int(witness["last_seq"]) <= (verdict.last_seq or -1):
            verdict.notes.append(f"checkpoint {witness['number']} lies outside this export: not checked")
    return verdict


def _walk_to_trailer(walker: ChainWalker, records: Iterator[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """Step through the records up to the trailer (returned), or to the first fault."""
    for record in records:
        if record.get("kind") == "trailer":
            return record
        try:
            stepped = walker.step(record)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # A record of the right kind with values no export holds: found, at its place.
            walker.verdict.fail(walker.expected_seq, f"a record cannot be read ({type(exc).__name__})")
            return None
        if not stepped:
            return None
    return None


def signed_trailer(
    signer: CheckpointSigner,
    header: Mapping[str, Any],
    *,
    entries: int,
    stubs: int,
    first_seq: int | None,
    last_seq: int | None,
    head: str | None,
    stubbed: str,
) -> dict[str, Any]:
    """The last record of an export, signed like its header: what the file holds, from the hash
    before it to the head after it, bound to its header. A file cut back, extended or given another
    header no longer verifies."""
    return signer.signed(
        {
            "kind": "trailer",
            "entries": entries,
            "stubs": stubs,
            "first_seq": first_seq,
            "last_seq": last_seq,
            "head": head,
            "stubbed": stubbed,
            "header": hashlib.sha256(record_message(header)).hexdigest(),
            "key_id": signer.key_id,
        }
    )


def _legacy_ending_faults(
    walker: ChainWalker, header: Mapping[str, Any], trailer: Mapping[str, Any] | None, _: CheckpointVerifier
) -> Iterator[str]:
    """The end of an export of format 1, as it was checked then."""
    verdict = walker.verdict
    if trailer is None:
        yield "the export is cut off: no trailer"
    elif (trailer.get("entries"), trailer.get("stubs")) != (verdict.entries, verdict.stubs):
        yield "the trailer counts other records than the file holds"
    elif verdict.last_seq is not None and verdict.signed_through_seq != verdict.last_seq:
        yield "the last records are not covered by a signed checkpoint"


def _header_faults(header: Mapping[str, Any], verifier: CheckpointVerifier) -> Iterator[str]:
    if header.get("format") in (None, FORMAT_1):
        yield (
            "the export is of format 1, whose header and trailer are not signed: export the range "
            "again, or check what it can show with --accept-format-1"
        )
    elif header.get("format") != FORMAT:
        yield f"the export is in format {header.get('format')!r}, not {FORMAT!r}"
    elif not verifier.envelope_ok(header):
        yield "the export header's signature does not verify (edited, or the wrong key)"
    start_seq = header.get("start_seq")
    if start_seq is not None and (isinstance(start_seq, bool) or not isinstance(start_seq, int)):
        yield "the export header's start_seq is not a number"


def _ending_faults(
    walker: ChainWalker,
    header: Mapping[str, Any],
    trailer: Mapping[str, Any] | None,
    verifier: CheckpointVerifier,
) -> Iterator[str]:
    """What is wrong with the end of an export, first fault first (a generator: checked lazily)."""
    verdict = walker.verdict
    if trailer is None:
        yield "the export is cut off: no trailer"
        return
    if not verifier.envelope_ok(trailer):
        yield "the export trailer's signature does not verify (edited, or the wrong key)"
    if trailer.get("header") != hashlib.sha256(record_message(header)).hexdigest():
        yield "the trailer belongs to another export"
    if (trailer.get("entries"), trailer.get("stubs")) != (verdict.entries, verdict.stubs):
        yield "the trailer counts other records than the file holds"
    if (trailer.get("first_seq"), trailer.get("last_seq")) != (verdict.first_seq, verdict.last_seq):
        yield (
            f"the export was signed for seq {trailer.get('first_seq')}..{trailer.get('last_seq')}, "
            f"but the file holds {verdict.first_seq}..{verdict.last_seq}"
        )
    if verdict.last_seq is not None and trailer.get("head") != walker.prev_hash:
        yield "the chain ends at another head than the export was signed for"
    if trailer.get("stubbed") != walker.stub_digest.hexdigest():
        yield "other entries are stubs than when the export was signed"
    unfiltered = header.get("organization_id") is None and not any((header.get("filters") or {}).values())
    if unfiltered and verdict.stubs:
        yield "an export without filters or organization scope holds stubs: entries were hidden"
    if verdict.last_seq is not None and verdict.signed_through_seq != verdict.last_seq:
        yield "the last records are not covered by a signed checkpoint"
