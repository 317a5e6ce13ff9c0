"""`airegistry access-log ...`: export, verify and maintain the access log.

`verify FILE --public-key KEY` needs only the file and the key; every other subcommand reads the
database, and the signing key in the data dir beside it."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli.arguments import CommandError
from api.cli.database import require_database
from registry.accesslog.settings import AccessLogSettings
from registry.accesslog.signing import CheckpointSigner, CheckpointVerifier, public_key_pem

if TYPE_CHECKING:
    from registry.accesslog.chain import Verdict


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _signer(settings: AccessLogSettings | None = None) -> CheckpointSigner:
    settings = settings or AccessLogSettings()
    return CheckpointSigner.from_data_dir(settings.data_dir, settings.access_log_kept_checkpoint_file)


def export(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from api.settings import ApiSettings
    from registry import Actor, Role
    from registry.accesslog.files import csv_header, csv_lines, jsonl_line
    from registry.accesslog.service import ExportQuery, check_range, export_records, records_in_range
    from registry.accesslog.writer import AccessLogWriter, EntryDraft
    from registry.composition import compose
    from registry.errors import DomainError
    from webhooks.outbox import OutboxSink

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
    signer = _signer(settings)
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

    compose(OutboxSink(public_base_url=ApiSettings().public_url))  # a closing checkpoint is an event
    try:
        count = asyncio.run(run())
    except DomainError as exc:  # the log failed its check: no checkpoint closes the export
        raise CommandError(exc.message, exit_code=1) from None
    finally:
        if output is not sys.stdout:
            output.close()
    if args.output is not None:
        print(f"exported {count} records to {args.output}", file=sys.stderr)
    return 0


UNSIGNED_TAIL = 3
"""Exit code of a verification that found nothing wrong but entries not yet under a signed checkpoint."""


def verify(args: argparse.Namespace) -> int:
    if args.database:
        return _verify_database(args)
    if args.file is None or args.public_key is None:
        raise CommandError("give an export FILE and --public-key KEY, or --database")
    return _verify_file(args)


def _witnesses(paths: list[Path], verifier: CheckpointVerifier) -> list[dict[str, Any]]:
    from registry.accesslog.witnesses import WitnessesDisagree, WitnessUnreadable, read_witnesses

    try:
        return read_witnesses(paths, verifier)
    except WitnessUnreadable as exc:
        raise CommandError(str(exc)) from None
    except WitnessesDisagree as exc:
        print(f"FAILED: {exc}")
        raise CommandError("the witnesses disagree", exit_code=1) from None


def _verify_file(args: argparse.Namespace) -> int:
    from registry.accesslog.files import detect_format, read_records, verify_export

    try:
        verifier = CheckpointVerifier.from_pem(args.public_key.read_bytes())
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read the public key: {exc}") from None
    witnesses = _witnesses(args.witnesses, verifier)
    started = time.perf_counter()
    try:
        with args.file.open(encoding="utf-8", newline="") as handle:
            first = handle.readline()
            handle.seek(0)
            verdict = verify_export(
                read_records(handle, detect_format(first)),
                verifier,
                witnesses,
                accept_format_1=args.accept_format_1,
            )
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {args.file}: {exc}") from None
    return _report(verdict, time.perf_counter() - started, allow_unsigned_tail=args.allow_unsigned_tail)


def _verify_database(args: argparse.Namespace) -> int:
    from registry.accesslog.kept import KeptCheckpointUnreadable
    from registry.accesslog.service import verify_stored

    require_database()
    signer = _signer()
    verifier = CheckpointVerifier(keys={signer.key_id: signer.public_key})
    witnesses = _witnesses(args.witnesses, verifier)
    try:
        kept = signer.kept.read() if signer.kept else None
    except KeptCheckpointUnreadable as exc:
        raise CommandError(str(exc)) from None
    started = time.perf_counter()
    verdict = asyncio.run(verify_stored(verifier, kept=kept, witnesses=witnesses))
    return _report(verdict, time.perf_counter() - started, allow_unsigned_tail=args.allow_unsigned_tail)


def _report(verdict: Verdict, seconds: float, *, allow_unsigned_tail: bool) -> int:
    if not verdict.ok:
        print(f"FAILED at seq {verdict.first_bad_seq}: {verdict.reason}")
        return 1
    print(
        f"OK: {verdict.entries} entries and {verdict.stubs} stubs verified through seq "
        f"{verdict.last_seq} ({verdict.checkpoints} signed checkpoints) in {seconds:.2f} s"
    )
    for note in verdict.notes:
        print(f"note: {note}")
    if verdict.unsigned_tail:
        print(
            f"UNSIGNED: the last {verdict.unsigned_tail} entries "
            f"(after seq {verdict.signed_through_seq or 0}) "
            "are not yet under a signed checkpoint"
            + (
                ""
                if allow_unsigned_tail
                else "; run `airegistry access-log checkpoint`, or pass --allow-unsigned-tail"
            )
        )
        return 0 if allow_unsigned_tail else UNSIGNED_TAIL
    return 0


def checkpoint(_: argparse.Namespace) -> int:
    from api.settings import ApiSettings
    from registry.accesslog.checkpoints import IntegrityFailure, report_failure, sign_checkpoint
    from registry.composition import compose
    from webhooks.outbox import OutboxSink

    require_database()
    signer = _signer()

    async def run() -> dict[str, Any] | None:
        try:
            return await sign_checkpoint(signer)
        except IntegrityFailure as failure:
            await report_failure(failure)
            raise

    compose(OutboxSink(public_base_url=ApiSettings().public_url))  # checkpoints go out as events
    try:
        record = asyncio.run(run())
    except IntegrityFailure as failure:
        print(f"REFUSED: nothing signed. {failure.message}")
        return 1
    print(
        "the access log is empty; nothing to sign"
        if record is None
        else f"signed checkpoint {record['number']} at seq {record['last_seq']} (key {record['key_id']})"
    )
    return 0


def accept_database(args: argparse.Namespace) -> int:
    """After a deliberate restore of an older backup: the chain in the database verifies on its own,
    and its last checkpoint becomes the one kept beside the key. Witnesses still show the loss."""
    from registry.accesslog.checkpoints import latest_chained
    from registry.accesslog.service import verify_stored
    from registry.accesslog.writer import AccessLogWriter, EntryDraft

    require_database()
    if not args.yes:
        raise CommandError(
            "this gives up what the kept checkpoint covered beyond the database; run again with --yes"
        )
    signer = _signer()
    verifier = CheckpointVerifier(keys={signer.key_id: signer.public_key})

    async def run() -> tuple[Verdict, dict[str, Any] | None]:
        verdict = await verify_stored(verifier)
        if not verdict.ok:
            return verdict, None
        latest = await latest_chained()
        writer = AccessLogWriter()
        try:
            await writer.append(
                EntryDraft(
                    action="accept_database",
                    outcome="allowed",
                    actor_sub=_operator(),
                    actor_role="operator",
                    resource_type="access_log",
                    resource_id=str(latest["number"]) if latest else None,
                )
            )
        finally:
            await writer.close()
        return verdict, latest

    verdict, latest = asyncio.run(run())
    if not verdict.ok:
        print(
            "REFUSED: the database's own chain does not verify: "
            f"FAILED at seq {verdict.first_bad_seq}: {verdict.reason}"
        )
        return 1
    assert signer.kept is not None
    if latest is None:
        signer.kept.forget()
        print("no signed checkpoint in the database; the next checkpoint starts the chain of checkpoints")
    else:
        signer.kept.replace_with(latest)
        print(f"kept checkpoint {latest['number']} (seq {latest['last_seq']}) as the signer's own")
    return 0


def public_key(args: argparse.Namespace) -> int:
    # The key is made on first use beside the database; without one, a new key would verify nothing.
    require_database()
    pem = public_key_pem(_signer().public_key)
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
    from registry.accesslog.checkpoints import prune as prune_entries

    require_database()
    settings = AccessLogSettings()
    signer = _signer(settings)
    removed = asyncio.run(prune_entries(signer, retention_days=settings.access_log_retention_days))
    print(f"pruned {removed} entries older than {settings.access_log_retention_days} days")
    return 0
