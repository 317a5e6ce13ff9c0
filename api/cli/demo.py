"""`airegistry demo`: seed the demo data set into an empty database; print tokens and login links."""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
from typing import Any

from api.auth import TokenIssuer, TokenVerifier
from api.cli.database import require_database
from api.mails import digests
from api.pages.links import issue_login_url
from api.pages.settings import PageSettings
from api.settings import ApiSettings
from registry import Actor, Role
from registry.clock import utcnow
from registry.composition import compose
from registry.demo import database_is_empty, seed_demo
from registry.members.service import list_members
from registry.organizations.service import list_organizations
from registry.updates.digests import send_digests
from webhooks.outbox import OutboxSink


def run(_: argparse.Namespace) -> int:
    require_database()
    settings = ApiSettings()
    compose(OutboxSink(public_base_url=settings.public_url))

    async def seed() -> list[dict[str, Any]]:
        everyone = Actor(sub="demo", role=Role.platform_admin)
        if await database_is_empty():
            data = await seed_demo()
            print(f"seeded the demo data set: {len(data.organizations)} organizations")
            # The demo's stewards hear the story at once: their first digests go to the outbox now
            # (nothing else is being saved into the database just seeded, so no margin is needed).
            done = await send_digests(utcnow(), digests(settings.public_url), settle=timedelta(0))
            print(f"the stewards' first digests: {done.sent} in the outbox; `airegistry serve` sends them")
            organizations: list[dict[str, Any]] = [
                {"id": o.id, "name": o.name, "steward_units": o.steward_units} for o in data.organizations
            ]
        else:
            print("the database already holds data; demo data not added")
            organizations = (await list_organizations(everyone))[:5]
        for org in organizations:  # the demo's people are members: their tokens are theirs
            org["members"] = await list_members(everyone, org["id"])
        return organizations

    _print_demo_tokens(asyncio.run(seed()), settings)
    return 0


def _demo_tokens(organizations: list[dict[str, Any]], settings: ApiSettings) -> list[tuple[str, str, str]]:
    """(who, role, token) for every role: platform-wide first, then per organization."""
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
        if org.get("members"):
            for member in org["members"]:
                notes = [part for part in (member["title"], "units" if member["units"] else None) if part]
                label = member["role"] + (f" ({', '.join(notes)})" if notes else "")
                token = issuer.issue(
                    role=Role(member["role"]),
                    sub=member["sub"],
                    org=org["id"],
                    units=member["units"],
                    name=member["name"],
                )
                tokens.append((org["name"], label, token))
            continue
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
    verifier = TokenVerifier.from_settings(settings)
    ttl = PageSettings().ui_login_link_ttl_seconds
    links = {}
    for _, _, token in tokens:
        actor = verifier.verify(token)
        if actor.role is not Role.platform_admin:
            links[token] = await issue_login_url(settings.public_url, actor, ttl_seconds=ttl)
    return links


def _print_demo_tokens(organizations: list[dict[str, Any]], settings: ApiSettings) -> None:
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
        print(f"  {role:<20} {token}")
        if token in links:
            print(f"  {'':<20} log ind / log in: {links[token]}")
    print(f"\nPrøv / try:  curl -H 'Authorization: Bearer <token>' {base}/organizations")
    print(f"Web: åbn et log ind-link / open a login link, e.g. {settings.public_url.rstrip('/')}/login/...")
    print(f"API-dokumentation / API docs: {settings.public_url.rstrip('/')}/schema/openapi.json")
