"""`airegistry`: the command line of the workplace AI register."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
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
    from registry.schema import migrate

    applied = asyncio.run(migrate())
    print(f"database is up to date ({len(applied)} migration(s) applied now)")
    return 0


def cmd_token_issue(args: argparse.Namespace) -> int:
    from api.auth import InvalidToken, TokenIssuer
    from registry import Role

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


def _print_demo_tokens(organizations: list[dict[str, Any]], settings: ApiSettings) -> None:
    base = settings.public_url.rstrip("/") + "/api/v1"
    hours = settings.jwt_default_ttl_seconds // 3600
    print(f"\nAdgangsnøgler / bearer tokens (gyldige {hours} timer / valid {hours} hours):")
    current = None
    for who, role, token in _demo_tokens(organizations, settings):
        if who != current:
            org = next((o for o in organizations if o["name"] == who), None)
            link = f"  {base}/organizations/{org['id']}/systems" if org else f"  {base}/organizations"
            print(f"\n{who}\n{link}")
            current = who
        print(f"  {role:<16} {token}")
    print(f"\nPrøv / try:  curl -H 'Authorization: Bearer <token>' {base}/organizations")
    print(f"API-dokumentation / API docs: {settings.public_url.rstrip('/')}/schema/swagger")


def cmd_demo(_: argparse.Namespace) -> int:
    from registry import Actor, Role
    from registry.demo import database_is_empty, seed_demo
    from registry.services.organizations import list_organizations

    settings = ApiSettings()

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


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = ApiSettings()
    host, port = args.host or settings.host, args.port or settings.port
    print(f"serving the workplace AI register on http://{host}:{port}/api/v1 (API docs: /schema)")
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level="info")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="airegistry", description="The workplace AI register.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", help="address to bind (default AIREG_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default AIREG_PORT or 8000)")
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(func=cmd_migrate)
    commands.add_parser(
        "demo", help="seed the demo data set when the database is empty; print tokens"
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
    issue.set_defaults(func=cmd_token_issue)

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
