"""One-time login links for the web interface, as the command line issues them.

A link speaks for one person with one role, exactly as a token would: its claims are checked by the
same rules (`api.auth.actor_from_claims`), so no link can hold what no token may."""

from __future__ import annotations

import time
from collections.abc import Sequence

from api.auth import actor_from_claims
from registry import Actor, Role
from registry.sessions.service import issue_login_link


def link_actor(
    *,
    role: Role,
    sub: str,
    org: str | None = None,
    units: Sequence[str] | None = None,
    name: str | None = None,
) -> Actor:
    """The person a link is for; InvalidToken when a token with these claims would be refused."""
    now = int(time.time())
    claims: dict[str, object] = {
        # Only the claims that say who it is matter here; the rest make the set a token's.
        "iss": "login-link",
        "aud": "login-link",
        "exp": now + 60,
        "iat": now,
        "jti": "login-link",
        "sub": sub,
        "role": role.value,
    }
    if org:
        claims["org"] = org
    if units:
        claims["units"] = list(units)
    if name:
        claims["name"] = name
    return actor_from_claims(claims)


def login_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/login/{token}"


async def issue_login_url(public_url: str, actor: Actor, *, ttl_seconds: int) -> str:
    """Store a new one-time link for `actor` and return its address (shown once)."""
    return login_url(public_url, await issue_login_link(actor, ttl_seconds=ttl_seconds))


__all__ = ["issue_login_url", "link_actor", "login_url"]
