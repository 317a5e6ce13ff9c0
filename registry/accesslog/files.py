"""Export files of the access log, JSON Lines or CSV, and reading them back for offline verification.

Both carry the same records: a header, entries, stubs, checkpoints, a trailer. In CSV a text cell that
a spreadsheet would run as a formula (starting with = + - @, a tab, a carriage return or ') is written
with one leading ' that readers remove, so the file is safe to open and still verifies.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from registry.accesslog.chain import ENTRY_FIELDS, ChainWalker, SignatureCheck, Verdict

CSV_COLUMNS = (
    "kind",
    *ENTRY_FIELDS,
    "digest",
    "last_seq",
    "last_hash",
    "key_id",
    "signature",
    "detail",
)
INTEGER_COLUMNS = frozenset({"seq", "status", "last_seq"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
FORMATS = ("jsonl", "csv")


def jsonl_line(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(CSV_COLUMNS)
    return buffer.getvalue()


def csv_lines(records: Iterable[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for record in records:
        if record["kind"] in ("header", "trailer"):
            row = {"kind": record["kind"], "detail": json.dumps(dict(record), ensure_ascii=False)}
        else:
            row = dict(record)
        writer.writerow([_csv_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()


def _from_csv(row: dict[str, str]) -> dict[str, Any]:
    kind = row.get("kind", "")
    if kind in ("header", "trailer"):
        return dict(json.loads(row.get("detail") or "{}"))
    record: dict[str, Any] = {"kind": kind}
    for column in CSV_COLUMNS[1:]:
        text = row.get(column, "")
        if text == "":
            value: Any = None
        elif text.startswith("'"):
            value = text[1:]
        elif column in INTEGER_COLUMNS:
            value = int(text) if text.lstrip("-").isdigit() else text
        else:
            value = text
        record[column] = value
    if kind == "stub":
        return {"kind": "stub", "seq": record["seq"], "digest": record["digest"]}
    if kind in ("checkpoint", "anchor"):
        return {name: record[name] for name in ("kind", "last_seq", "last_hash", "at", "key_id", "signature")}
    return {"kind": kind, **{name: record[name] for name in ENTRY_FIELDS}}


def read_records(lines: Iterable[str], fmt: str) -> Iterator[dict[str, Any]]:
    if fmt == "csv":
        for row in csv.DictReader(lines):
            yield _from_csv(row)
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


def verify_export(records: Iterable[Mapping[str, Any]], signature_ok: SignatureCheck) -> Verdict:
    """An export verifies when its chain holds from the start hash in its header through a signed
    checkpoint at its last record, and its trailer is there and agrees (a cut-off file does not)."""
    iterator = iter(records)
    header = next(iterator, None)
    if header is None or header.get("kind") != "header":
        return Verdict().fail(None, "the file does not start with an export header")
    start_seq, start_hash = header.get("start_seq"), header.get("start_hash")
    walker = ChainWalker(
        start_seq=int(start_seq or 0), start_hash=str(start_hash or ""), signature_ok=signature_ok
    )
    trailer = None
    for record in iterator:
        if record.get("kind") == "trailer":
            trailer = record
            break
        if not walker.step(record):
            return walker.verdict
    verdict = walker.verdict
    fault = _ending_fault(verdict, trailer)
    return verdict.fail(verdict.last_seq, fault) if fault else verdict


def _ending_fault(verdict: Verdict, trailer: Mapping[str, Any] | None) -> str | None:
    if trailer is None:
        return "the export is cut off: no trailer"
    if (trailer.get("entries"), trailer.get("stubs")) != (verdict.entries, verdict.stubs):
        return "the trailer counts other records than the file holds"
    if verdict.last_seq is not None and verdict.signed_through_seq != verdict.last_seq:
        return "the last records are not covered by a signed checkpoint"
    return None
