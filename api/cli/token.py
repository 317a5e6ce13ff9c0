"""`airegistry token issue`: a bearer token signed with the embedded key, or a one-time login link."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from api.auth import InvalidToken, TokenIssuer
from api.cli.arguments import CommandError
from api.cli.database import require_database
from api.pages.links import issue_login_url, link_actor
from api.pages.settings import PageSettings
from api.settings import ApiSettings
from registry import Actor, Role
from registry.db.settings import DatabaseSettings
from registry.members.service import memberships
from registry.organizations.service import organization_exists
from registry.organizations.units import unit_parents


def issue(args: argparse.Namespace) -> int:
    what = "link" if args.link else "token"
    if args.role is None:
        # A member's own token or link: their role, organization and units, by `sub`.
        if not args.sub:
            raise CommandError("give --role, or --sub of a member (with --org when they are in several)")
        require_database()
        member = asyncio.run(_membership(args.sub, args.org))
        args.role, args.org = member["role"], member["organization_id"]
        args.units = args.units or member["units"]
        args.name = args.name or member["name"]
    try:
        # The claims first: a token the API would refuse needs no database to say so.
        actor = link_actor(
            role=Role(args.role),
            sub=args.sub or f"cli-{args.role}",
            org=args.org,
            units=args.units,
            name=args.name,
        )
    except InvalidToken as exc:
        raise CommandError(f"cannot issue that {what}: {exc}") from None
    # Then the database the server uses: a token for another register's key (or for an organization
    # it does not hold) would be refused, or would show nothing.
    database = require_database()
    asyncio.run(_check_organization(actor, database))
    if args.link:
        print(asyncio.run(_login_url(actor, args.ttl)))
        return 0
    token = TokenIssuer.from_settings(ApiSettings()).issue(
        role=actor.role,
        sub=actor.sub,
        org=actor.org,
        units=list(actor.units) if actor.units else None,
        name=actor.name,
        ttl_seconds=args.ttl,
    )
    print(token)
    return 0


async def _membership(sub: str, org: str | None) -> dict[str, Any]:
    found = await memberships(sub, org)
    if not found:
        where = f" in organization {org}" if org else ""
        raise CommandError(f"no member with sub {sub!r}{where}: give --role (and --org) to issue one anyway")
    if len(found) > 1:
        orgs = ", ".join(m["organization_id"] for m in found)
        raise CommandError(f"{sub!r} is a member of several organizations ({orgs}): give --org")
    return found[0]


async def _check_organization(actor: Actor, database: DatabaseSettings) -> None:
    if actor.org is None:
        return
    if not await organization_exists(actor.org):
        raise CommandError(f"no organization {actor.org} in the database {database.shown_database()}")
    units = set(await unit_parents(actor.org)) if actor.units else set()
    strangers = [unit for unit in actor.units or () if unit not in units]
    if strangers:
        raise CommandError(f"not a unit of organization {actor.org}: {', '.join(strangers)}")


async def _login_url(actor: Actor, ttl: int | None) -> str:
    return await issue_login_url(
        ApiSettings().public_url, actor, ttl_seconds=ttl or PageSettings().ui_login_link_ttl_seconds
    )
