"""`airegistry`: the command line of the workplace AI register.

This module builds the parser (argparse: in the standard library, and quick to import) and runs a
command. Building the parser and printing help import nothing but the standard library; a command's
module (`api/cli/<command>.py`), and with it Litestar, pydantic, Piccolo and the registry, is imported
only when that command runs, so `airegistry --help` answers at once."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

from api.cli.arguments import ROLES, CommandError, configuration_problem, moment, parse_ttl

DEFAULT_OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"

__all__ = ["build_parser", "main", "parse_ttl"]


def _command(commands: Any, name: str, summary: str, handler: str | None = None) -> argparse.ArgumentParser:
    """A subcommand with its one-line summary (in its parent's list and atop its own help); `handler`
    is `module:function` in this package, imported when the command runs."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=summary, description=summary)
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="airegistry",
        description="The workplace AI register. The data dir (AIREG_DATA_DIR, by default the user's data "
        "folder, e.g. ~/.local/share/airegistry) is the same for every command, wherever it runs.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = _command(commands, "serve", "serve the HTTP API and the web pages", "serve:run")
    serve.add_argument("--host", help="address to bind (default AIREG_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default AIREG_PORT or 8000)")
    serve.add_argument(
        "--mail-sink",
        action="store_true",
        help="keep the register's mail on this machine: print each mail and save it under <data dir>/mail "
        "(make run uses it; nothing is sent)",
    )

    _command(commands, "migrate", "create the database or bring its schema up to date", "migrate:run")
    _command(commands, "worker", "deliver webhooks (the relay alone, without the API)", "worker:run")

    findings = _command(commands, "findings", "compliance findings: recompute them now")
    _command(
        findings.add_subparsers(dest="findings_command", required=True, metavar="COMMAND"),
        "recompute",
        "recompute every finding now (`serve` does it daily)",
        "findings:recompute",
    )
    digest = _command(commands, "digest", "the members' e-mail digests")
    _command(
        digest.add_subparsers(dest="digest_command", required=True, metavar="COMMAND"),
        "send",
        "send every digest that is due now, and nothing else (`serve` does it every hour)",
        "digest:send",
    )
    _command(
        commands,
        "demo",
        "seed the demo data set when the database is empty; print tokens and login links",
        "demo:run",
    )

    token = _command(commands, "token", "tokens signed with the embedded key, and login links")
    issue = _command(
        token.add_subparsers(dest="token_command", required=True, metavar="COMMAND"),
        "issue",
        "print a new bearer token (or, with --link, a one-time login link)",
        "token:issue",
    )
    issue.add_argument(
        "--role",
        choices=ROLES,
        help="the role the token carries (default: the role of the member with --sub, in --org)",
    )
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

    access_log = _command(commands, "access-log", "export, verify and maintain the access log")
    log_commands = access_log.add_subparsers(dest="log_command", required=True, metavar="COMMAND")
    export = _command(log_commands, "export", "write a verifiable export of [from, to)", "access_log:export")
    export.add_argument("--from", dest="start", type=moment, required=True, help="inclusive, ISO 8601")
    export.add_argument("--to", dest="end", type=moment, required=True, help="exclusive, ISO 8601")
    export.add_argument("--org", help="only this organization's entries (others become stubs)")
    export.add_argument("--actor", help="only entries of this actor (sub)")
    export.add_argument("--action", help="only entries of this action (read, list, update, export, ...)")
    export.add_argument("--resource-id", dest="resource_id", help="only entries about this resource")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="default jsonl")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    verify = _command(
        log_commands, "verify", "verify an export file offline, or the stored chain", "access_log:verify"
    )
    verify.add_argument("file", type=Path, nargs="?", help="an export (JSON Lines or CSV)")
    verify.add_argument("--public-key", dest="public_key", type=Path, help="PEM file of the signing key")
    verify.add_argument("--database", action="store_true", help="verify the stored chain instead of a file")
    verify.add_argument(
        "--witness",
        dest="witnesses",
        type=Path,
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="checkpoints kept elsewhere (JSON, or JSON Lines of several): the log must still hold them",
    )
    verify.add_argument(
        "--allow-unsigned-tail",
        dest="allow_unsigned_tail",
        action="store_true",
        help="exit 0 even when the last entries are not yet under a signed checkpoint",
    )
    verify.add_argument(
        "--accept-format-1",
        dest="accept_format_1",
        action="store_true",
        help="check an export made before 2026-12-06 (unsigned header and trailer) as far as it can be",
    )
    _command(log_commands, "checkpoint", "sign the current head of the chain now", "access_log:checkpoint")
    accept = _command(
        log_commands,
        "accept-database",
        "after a deliberate restore: keep the database's last checkpoint as the signer's own",
        "access_log:accept_database",
    )
    accept.add_argument(
        "--yes", action="store_true", help="confirm: entries the old checkpoint covered are given up"
    )
    public_key = _command(
        log_commands, "public-key", "print the public key that verifies checkpoints", "access_log:public_key"
    )
    public_key.add_argument("--output", type=Path, help="file to write (default: standard output)")
    _command(log_commands, "prune", "delete entries past the retention period", "access_log:prune")

    openapi = _command(commands, "openapi", "write the OpenAPI document", "openapi:run")
    openapi.add_argument(
        "--output", type=Path, default=DEFAULT_OPENAPI, help="file to write (default openapi/openapi.json)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module, _, function = args.handler.partition(":")
    try:
        return int(getattr(importlib.import_module(f"api.cli.{module}"), function)(args))
    except CommandError as exc:
        print(f"airegistry: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        problem = configuration_problem(exc)
        if problem is None:
            raise
        print(f"airegistry: {problem}", file=sys.stderr)
        return 2
