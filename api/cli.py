"""`airegistry`: the command line of the workplace AI register."""

from __future__ import annotations

import argparse
import asyncio
import copy
import getpass
import json
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.settings import ApiSettings
from registry.errors import ConfigurationError

ROLES = ("platform_admin", "employer_admin", "steward", "auditor")
DEFAULT_OPENAPI = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
TTL_PATTERN = re.compile(r"^(\d+)([smhd]?)$")
TTL_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_ttl(text: str) -> int:
    match = TTL_PATTERN.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError("use a duration such as 3600, 90m, 8h or 30d")
    seconds = int(match.group(1)) * TTL_UNITS[match.group(2)]
    if seconds > 366 * 86400:
        raise argparse.ArgumentTypeError("at most 366 days")
    return seconds


def openapi_document(settings: ApiSettings | None = None) -> str:
    from api.app import create_app

    with tempfile.TemporaryDirectory() as scratch:
        # The schema does not depend on keys; a scratch data dir keeps the real one untouched.
        app = create_app((settings or ApiSettings()).model_copy(update={"data_dir": Path(scratch)}))
        schema = app.openapi_schema.to_schema()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def cmd_openapi(args: argparse.Namespace) -> int:
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(openapi_document())
    print(f"wrote {args.output}")
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    from registry.db.migrate import migrate

    applied = asyncio.run(migrate())
    print(f"database is up to date ({len(applied)} migration(s) applied now)")
    return 0


def _issue_link(args: argparse.Namespace) -> int:
    """`token issue --link`: a one-time login link to the web interface instead of a token."""
    from api.auth import InvalidToken
    from api.pages.links import issue_login_url, link_actor
    from api.pages.settings import PageSettings
    from registry import Role
    from registry.db.migrate import pending_migrations

    try:
        actor = link_actor(
            role=Role(args.role),
            sub=args.sub or f"cli-{args.role}",
            org=args.org,
            units=args.units,
            name=args.name,
        )
    except InvalidToken as exc:
        print(f"airegistry: cannot issue that link: {exc}", file=sys.stderr)
        return 2

    async def run() -> str | None:
        if await pending_migrations():
            return None
        ttl = args.ttl or PageSettings().ui_login_link_ttl_seconds
        return await issue_login_url(ApiSettings().public_url, actor, ttl_seconds=ttl)

    url = asyncio.run(run())
    if url is None:
        print("airegistry: the database is not up to date; run `airegistry migrate` first", file=sys.stderr)
        return 2
    print(url)
    return 0


def cmd_token_issue(args: argparse.Namespace) -> int:
    from api.auth import InvalidToken, TokenIssuer
    from registry import Role

    if args.link:
        return _issue_link(args)
    issuer = TokenIssuer.from_settings(ApiSettings())
    try:
        token = issuer.issue(
            role=Role(args.role),
            sub=args.sub or f"cli-{args.role}",
            org=args.org,
            units=args.units or None,
            name=args.name,
            ttl_seconds=args.ttl,
        )
    except InvalidToken as exc:
        print(f"airegistry: cannot issue that token: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


def _demo_tokens(organizations: list[dict[str, Any]], settings: ApiSettings) -> list[tuple[str, str, str]]:
    """(who, role, token) for every role: platform-wide first, then per organization."""
    from api.auth import TokenIssuer
    from registry import Role

    issuer = TokenIssuer.from_settings(settings)
    tokens = [
        (
            "alle organisationer",
            "platform_admin",
            issuer.issue(role=Role.platform_admin, sub="demo-platform"),
        ),
        ("alle organisationer", "auditor", issuer.issue(role=Role.auditor, sub="demo-revisor")),
    ]
    for org in organizations:
        short = org["id"][:8]
        tokens.append(
            (
                org["name"],
                "employer_admin",
                issuer.issue(role=Role.employer_admin, sub=f"hr-{short}", org=org["id"]),
            )
        )
        tokens.append(
            (org["name"], "steward", issuer.issue(role=Role.steward, sub=f"tr-{short}", org=org["id"]))
        )
        if org.get("steward_units"):
            limited = issuer.issue(
                role=Role.steward, sub=f"tr-enhed-{short}", org=org["id"], units=org["steward_units"]
            )
            tokens.append((org["name"], "steward (units)", limited))
        tokens.append(
            (org["name"], "auditor", issuer.issue(role=Role.auditor, sub=f"revisor-{short}", org=org["id"]))
        )
    return tokens


async def _demo_login_links(tokens: list[tuple[str, str, str]], settings: ApiSettings) -> dict[str, str]:
    """A one-time login link to the web interface for each demo token (by token), for the same
    person and role. Platform admins manage organizations through the API only: no link."""
    from api.auth import TokenVerifier
    from api.pages.links import issue_login_url
    from api.pages.settings import PageSettings
    from registry import Role

    verifier = TokenVerifier.from_settings(settings)
    ttl = PageSettings().ui_login_link_ttl_seconds
    links = {}
    for _, _, token in tokens:
        actor = verifier.verify(token)
        if actor.role is not Role.platform_admin:
            links[token] = await issue_login_url(settings.public_url, actor, ttl_seconds=ttl)
    return links


def _print_demo_tokens(organizations: list[dict[str, Any]], settings: ApiSettings) -> None:
    from api.pages.settings import PageSettings

    base = settings.public_url.rstrip("/") + "/api/v1"
    hours = settings.jwt_default_ttl_seconds // 3600
    link_hours = PageSettings().ui_login_link_ttl_seconds // 3600
    tokens = _demo_tokens(organizations, settings)
    links = asyncio.run(_demo_login_links(tokens, settings))
    print(f"\nAdgangsnøgler / bearer tokens (gyldige {hours} timer / valid {hours} hours):")
    print(
        f"Under hver: et link til at logge ind på web-siderne (kan bruges én gang i {link_hours} timer) / "
        f"below each: a one-time login link to the web pages (valid {link_hours} hours)"
    )
    current = None
    for who, role, token in tokens:
        if who != current:
            org = next((o for o in organizations if o["name"] == who), None)
            link = f"  {base}/organizations/{org['id']}/systems" if org else f"  {base}/organizations"
            print(f"\n{who}\n{link}")
            current = who
        print(f"  {role:<16} {token}")
        if token in links:
            print(f"  {'':<16} log ind / log in: {links[token]}")
    print(f"\nPrøv / try:  curl -H 'Authorization: Bearer <token>' {base}/organizations")
    print(f"Web: åbn et log ind-link / open a login link, e.g. {settings.public_url.rstrip('/')}/login/...")
    print(f"API-dokumentation / API docs: {settings.public_url.rstrip('/')}/schema/swagger")


def cmd_demo(_: argparse.Namespace) -> int:
    from registry import Actor, Role
    from registry.composition import compose
    from registry.demo import database_is_empty, seed_demo
    from registry.organizations.service import list_organizations
    from webhooks.outbox import OutboxSink

    settings = ApiSettings()
    compose(OutboxSink(public_base_url=settings.public_url))

    async def run() -> list[dict[str, Any]]:
        if await database_is_empty():
            data = await seed_demo()
            print(f"seeded the demo data set: {len(data.organizations)} organizations")
            return [
                {"id": o.id, "name": o.name, "steward_units": o.steward_units} for o in data.organizations
            ]
        print("the database already holds data; demo data not added")
        everyone = Actor(sub="demo", role=Role.platform_admin)
        return (await list_organizations(everyone))[:5]

    _print_demo_tokens(asyncio.run(run()), settings)
    return 0


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            "use an ISO 8601 time such as 2026-01-01 or 2026-01-01T08:00:00Z"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def cmd_access_log_export(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from registry import Actor, Role
    from registry.accesslog.files import csv_header, csv_lines, jsonl_line
    from registry.accesslog.service import ExportQuery, check_range, export_records, records_in_range
    from registry.accesslog.settings import AccessLogSettings
    from registry.accesslog.signing import CheckpointSigner
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
        print(f"airegistry: {exc.message}", file=sys.stderr)
        return 2
    signer = CheckpointSigner.from_data_dir(settings.data_dir)
    output = sys.stdout if args.output is None else args.output.open("w", encoding="utf-8", newline="")

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


def cmd_access_log_verify(args: argparse.Namespace) -> int:
    from registry.accesslog.files import detect_format, read_records, verify_export
    from registry.accesslog.signing import CheckpointVerifier

    try:
        verifier = CheckpointVerifier.from_pem(args.public_key.read_bytes())
    except (OSError, ValueError) as exc:
        print(f"airegistry: cannot read the public key: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        with args.file.open(encoding="utf-8", newline="") as handle:
            first = handle.readline()
            handle.seek(0)
            verdict = verify_export(read_records(handle, detect_format(first)), verifier)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(f"airegistry: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
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


def cmd_access_log_verify_database(_: argparse.Namespace) -> int:
    from registry.accesslog.service import verify_stored
    from registry.accesslog.settings import AccessLogSettings
    from registry.accesslog.signing import CheckpointSigner, CheckpointVerifier

    signer = CheckpointSigner.from_data_dir(AccessLogSettings().data_dir)
    started = time.perf_counter()
    verdict = asyncio.run(verify_stored(CheckpointVerifier(keys={signer.key_id: signer.public_key})))
    return _report(verdict.as_dict(), time.perf_counter() - started)


def cmd_access_log_checkpoint(_: argparse.Namespace) -> int:
    from registry.accesslog.service import sign_checkpoint
    from registry.accesslog.settings import AccessLogSettings
    from registry.accesslog.signing import CheckpointSigner

    record = asyncio.run(sign_checkpoint(CheckpointSigner.from_data_dir(AccessLogSettings().data_dir)))
    print(
        "the access log is empty; nothing to sign"
        if record is None
        else f"signed checkpoint at seq {record['last_seq']} (key {record['key_id']})"
    )
    return 0


def cmd_access_log_public_key(args: argparse.Namespace) -> int:
    from registry.accesslog.settings import AccessLogSettings
    from registry.accesslog.signing import CheckpointSigner, public_key_pem

    pem = public_key_pem(CheckpointSigner.from_data_dir(AccessLogSettings().data_dir).public_key)
    if args.output:
        args.output.write_text(pem)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(pem, end="")
    return 0


def cmd_access_log_prune(_: argparse.Namespace) -> int:
    from registry.accesslog.service import prune
    from registry.accesslog.settings import AccessLogSettings
    from registry.accesslog.signing import CheckpointSigner

    settings = AccessLogSettings()
    signer = CheckpointSigner.from_data_dir(settings.data_dir)
    removed = asyncio.run(prune(signer, retention_days=settings.access_log_retention_days))
    print(f"pruned {removed} entries older than {settings.access_log_retention_days} days")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = ApiSettings()
    host, port = args.host or settings.host, args.port or settings.port
    # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise: without trusted proxies,
    # proxy headers are off, so a client on this host cannot put another address in the access log.
    proxies: dict[str, Any] = (
        {"proxy_headers": True, "forwarded_allow_ips": settings.forwarded_allow_ips}
        if settings.forwarded_allow_ips
        else {"proxy_headers": False}
    )
    # The register's own messages (the daily recompute's start and result, failures) in uvicorn's
    # format, next to its lines; other libraries stay at uvicorn's defaults.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["airegistry"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    print(f"serving the workplace AI register on http://{host}:{port}/api/v1 (API docs: /schema)")
    uvicorn.run(
        "api.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        log_level="info",
        log_config=log_config,
        **proxies,
    )
    return 0


def cmd_findings_recompute(_: argparse.Namespace) -> int:
    from registry.clock import utcnow
    from registry.composition import compose
    from registry.obligations.findings import RECOMPUTE_RUN, recompute_all, recompute_result
    from registry.schedules import record_finished
    from webhooks.outbox import OutboxSink

    compose(OutboxSink(public_base_url=ApiSettings().public_url))  # opened and resolved findings are events

    async def run() -> str:
        started = utcnow()
        result = recompute_result(*await recompute_all())
        # The serve processes' daily timers count from this run, so they do not repeat it at once.
        await record_finished(RECOMPUTE_RUN, result, started=started)
        return result

    print(f"findings recomputed: {asyncio.run(run())}")
    return 0


def cmd_worker(_: argparse.Namespace) -> int:
    from webhooks.runtime import WebhookRuntime
    from webhooks.worker import run_worker

    settings = ApiSettings()
    runtime = WebhookRuntime.from_settings()
    print(
        f"webhook relay running ({runtime.settings.webhooks_concurrency} deliveries at a time); Ctrl-C stops",
        flush=True,  # a process manager (and the fault-injection script) sees the start at once
    )
    asyncio.run(run_worker(runtime, public_base_url=settings.public_url))
    return 0


def _verify_dispatch(args: argparse.Namespace) -> int:
    if args.database:
        return cmd_access_log_verify_database(args)
    if args.file is None or args.public_key is None:
        print("airegistry: give an export FILE and --public-key KEY, or --database", file=sys.stderr)
        return 2
    return cmd_access_log_verify(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="airegistry", description="The workplace AI register.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", help="address to bind (default AIREG_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default AIREG_PORT or 8000)")
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(func=cmd_migrate)
    commands.add_parser("worker", help="deliver webhooks (the relay alone, without the API)").set_defaults(
        func=cmd_worker
    )
    findings = commands.add_parser("findings", help="compliance findings")
    findings.add_subparsers(dest="findings_command", required=True).add_parser(
        "recompute", help="recompute every finding now (`serve` does it daily)"
    ).set_defaults(func=cmd_findings_recompute)
    commands.add_parser(
        "demo", help="seed the demo data set when the database is empty; print tokens and login links"
    ).set_defaults(func=cmd_demo)

    token = commands.add_parser("token", help="tokens signed with the embedded key")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    issue = token_commands.add_parser("issue", help="print a new bearer token")
    issue.add_argument("--role", required=True, choices=ROLES)
    issue.add_argument("--org", help="organization id (required for employer_admin and steward)")
    issue.add_argument("--sub", help="subject: who the token speaks for (default cli-<role>)")
    issue.add_argument(
        "--units", action="append", metavar="UNIT_ID", help="limit a steward to this unit; repeat"
    )
    issue.add_argument("--name", help="display name")
    issue.add_argument("--ttl", type=parse_ttl, help="lifetime: 3600, 90m, 8h, 30d (default 8h)")
    issue.add_argument(
        "--link",
        action="store_true",
        help="print a one-time login link to the web interface instead (<AIREG_PUBLIC_URL>/login/...; "
        "--ttl is how long it can be used, default AIREG_UI_LOGIN_LINK_TTL_SECONDS)",
    )
    issue.set_defaults(func=cmd_token_issue)

    access_log = commands.add_parser("access-log", help="export, verify and maintain the access log")
    log_commands = access_log.add_subparsers(dest="log_command", required=True)
    export = log_commands.add_parser("export", help="write a verifiable export of [from, to)")
    export.add_argument("--from", dest="start", type=_moment, required=True, help="inclusive, ISO 8601")
    export.add_argument("--to", dest="end", type=_moment, required=True, help="exclusive, ISO 8601")
    export.add_argument("--org", help="only this organization's entries (others become stubs)")
    export.add_argument("--actor", help="only entries of this actor (sub)")
    export.add_argument("--action", help="only entries of this action (read, list, update, export, ...)")
    export.add_argument("--resource-id", dest="resource_id", help="only entries about this resource")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    export.set_defaults(func=cmd_access_log_export)
    verify = log_commands.add_parser("verify", help="verify an export file offline, or the stored chain")
    verify.add_argument("file", type=Path, nargs="?", help="an export (JSON Lines or CSV)")
    verify.add_argument("--public-key", dest="public_key", type=Path, help="PEM file of the signing key")
    verify.add_argument("--database", action="store_true", help="verify the stored chain instead of a file")
    verify.set_defaults(func=_verify_dispatch)
    log_commands.add_parser("checkpoint", help="sign the current head of the chain now").set_defaults(
        func=cmd_access_log_checkpoint
    )
    public_key = log_commands.add_parser("public-key", help="print the public key that verifies checkpoints")
    public_key.add_argument("--output", type=Path)
    public_key.set_defaults(func=cmd_access_log_public_key)
    log_commands.add_parser("prune", help="delete entries past the retention period").set_defaults(
        func=cmd_access_log_prune
    )

    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", type=Path, default=DEFAULT_OPENAPI)
    openapi.set_defaults(func=cmd_openapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigurationError as exc:
        print(f"airegistry: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
