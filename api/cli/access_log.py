"""`airegistry access-log ...`: export, verify and maintain the access log.

`verify FILE --public-key KEY` needs only the file and the key; every other subcommand reads the
database, and the signing key in the data dir beside it."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import time
from typing import Any

from api.cli.arguments import CommandError
from api.cli.database import require_database
from registry.accesslog.settings import AccessLogSettings
from registry.accesslog.signing import CheckpointSigner, CheckpointVerifier, public_key_pem


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def export(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from registry import Actor, Role
    from registry.accesslog.files import csv_header, csv_lines, jsonl_line
    from registry.accesslog.service import ExportQuery, check_range, export_records, records_in_range
    from registry.accesslog.writer import AccessLogWriter, EntryDraft
    from registry.errors import DomainError

    settings = AccessLogSettings()
    actor = Actor(sub=_operator(), role=Role.auditor, org=args.org)
    query = ExportQuery(
        start=args.start, end=args.end, actor=args.actor, action=args.action, resource_id=args.resource_id
    )
    try:
        check_range(query, settings.access_log_max_export_days)
    except DomainError as exc:
        raise CommandError(exc.message) from None
    require_database()
    signer = CheckpointSigner.from_data_dir(settings.data_dir)
    try:
        output = sys.stdout if args.output is None else args.output.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None

    async def run() -> int:
        writer = AccessLogWriter()
        try:
            # The export is itself an access to the log, recorded before any entry leaves.
            await writer.append(
                EntryDraft(
                    action="export",
                    outcome="allowed",
                    organization_id=args.org,
                    actor_sub=actor.sub,
                    actor_role="operator",
                    resource_type="access_log",
                )
            )
        finally:
            await writer.close()
        total = await records_in_range(query)
        written = 0
        with tqdm(total=total, unit=" entries", file=sys.stderr, disable=args.output is None) as progress:
            if args.format == "csv":
                output.write(csv_header())
            async for record in export_records(
                actor, query, signer, max_days=settings.access_log_max_export_days
            ):
                output.write(csv_lines([record]) if args.format == "csv" else jsonl_line(record))
                if record["kind"] in ("entry", "stub"):
                    written += 1
                    progress.update(1)
        return written

    try:
        count = asyncio.run(run())
    finally:
        if output is not sys.stdout:
            output.close()
    if args.output is not None:
        print(f"exported {count} records to {args.output}", file=sys.stderr)
    return 0


def verify(args: argparse.Namespace) -> int:
    if args.database:
        return _verify_database()
    if args.file is None or args.public_key is None:
        raise CommandError("give an export FILE and --public-key KEY, or --database")
    return _verify_file(args)


def _verify_file(args: argparse.Namespace) -> int:
    from registry.accesslog.files import detect_format, read_records, verify_export

    try:
        verifier = CheckpointVerifier.from_pem(args.public_key.read_bytes())
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read the public key: {exc}") from None
    started = time.perf_counter()
    try:
        with args.file.open(encoding="utf-8", newline="") as handle:
            first = handle.readline()
            handle.seek(0)
            verdict = verify_export(read_records(handle, detect_format(first)), verifier)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {args.file}: {exc}") from None
    return _report(verdict.as_dict(), time.perf_counter() - started)


def _verify_database() -> int:
    from registry.accesslog.service import verify_stored

    require_database()
    signer = CheckpointSigner.from_data_dir(AccessLogSettings().data_dir)
    started = time.perf_counter()
    verdict = asyncio.run(verify_stored(CheckpointVerifier(keys={signer.key_id: signer.public_key})))
    return _report(verdict.as_dict(), time.perf_counter() - started)


def _report(result: dict[str, Any], seconds: float) -> int:
    if result["ok"]:
        print(
            f"OK: {result['entries']} entries and {result['stubs']} stubs verified through seq "
            f"{result['last_seq']} ({result['checkpoints']} signed checkpoints) in {seconds:.2f} s"
        )
        if result.get("unsigned_tail"):
            print(f"note: the last {result['unsigned_tail']} entries are not yet under a signed checkpoint")
        return 0
    print(f"FAILED at seq {result['first_bad_seq']}: {result['reason']}")
    return 1


def checkpoint(_: argparse.Namespace) -> int:
    from registry.accesslog.service import sign_checkpoint

    require_database()
    record = asyncio.run(sign_checkpoint(CheckpointSigner.from_data_dir(AccessLogSettings().data_dir)))
    print(
        "the access log is empty; nothing to sign"
        if record is None
        else f"signed checkpoint at seq {record['last_seq']} (key {record['key_id']})"
    )
    return 0


def public_key(args: argparse.Namespace) -> int:
    # The key is made on first use beside the database; without one, a new key would verify nothing.
    require_database()
    pem = public_key_pem(CheckpointSigner.from_data_dir(AccessLogSettings().data_dir).public_key)
    if args.output:
        try:
            args.output.write_text(pem)
        except OSError as exc:
            raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(pem, end="")
    return 0


def prune(_: argparse.Namespace) -> int:
    from registry.accesslog.service import prune as prune_entries

    require_database()
    settings = AccessLogSettings()
    signer = CheckpointSigner.from_data_dir(settings.data_dir)
    removed = asyncio.run(prune_entries(signer, retention_days=settings.access_log_retention_days))
    print(f"pruned {removed} entries older than {settings.access_log_retention_days} days")
    return 0
