"""Logging in to the web interface with one-time links, and the browser sessions they open.

A link is issued to one person with one role (as a token would be), is good for one use before it
expires, and opens a session that expires on the server. Only SHA-256 hashes of the link token and
of the session id are stored. Opening the page of a link uses nothing: mail scanners fetch links;
only redeeming it (a form post) does."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from registry.access import Actor, Role
from registry.accesslog import context as audit
from registry.clock import to_micros, utcnow
from registry.db import write_transaction
from registry.errors import DomainError
from registry.sessions.tables import BrowserSession, LoginLink

TOKEN_BYTES = 32  # 256 bits of randomness in every link token and session id
# Links are kept this long past their expiry, so a late click still says "expired" (410), not
# "unknown" (404); then they are cleared away when a new link is issued.
EXPIRED_LINKS_KEPT_DAYS = 30
MAX_SECRET_LENGTH = 100  # longer values are not ours; they are refused without a lookup


class LinkState(StrEnum):
    valid = "valid"
    used = "used"
    expired = "expired"
    unknown = "unknown"


class LoginLinkRefused(DomainError):
    """The link cannot log anyone in: it was used, it expired, or it never existed."""

    def __init__(self, state: LinkState) -> None:
        super().__init__(f"The login link is {state.value}.")
        self.state = state


@dataclass(frozen=True)
class OpenedSession:
    session_id: str  # the secret for the cookie; never stored
    actor: Actor
    expires_us: int


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _units(value: Any) -> tuple[str, ...] | None:
    loaded = json.loads(value) if isinstance(value, str) else value
    return None if loaded is None else tuple(str(unit) for unit in loaded)


def _actor(row: dict[str, Any]) -> Actor:
    return Actor(
        sub=row["sub"],
        role=Role(row["role"]),
        org=row["organization_id"],
        units=_units(row["units"]),
        name=row["name"],
    )


def _claims(actor: Actor) -> dict[str, Any]:
    return {
        "sub": actor.sub,
        "role": actor.role.value,
        "organization_id": actor.org,
        "units": json.dumps(list(actor.units)) if actor.units is not None else None,
        "name": actor.name,
    }


async def issue_login_link(actor: Actor, *, ttl_seconds: int) -> str:
    """Store a new link for `actor` (already validated by the caller, as a token's claims would be)
    and return its token, which is shown once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    async with write_transaction(LoginLink._meta.db):
        await LoginLink.delete().where(
            LoginLink.expires_us < to_micros(now - timedelta(days=EXPIRED_LINKS_KEPT_DAYS))
        )
        await LoginLink.insert(
            LoginLink(
                id=uuid.uuid4(),
                token_hash=secret_hash(token),
                created_at=now,
                expires_us=to_micros(now + timedelta(seconds=ttl_seconds)),
                used_us=None,
                **_claims(actor),
            )
        )
    return token


async def _link_row(token: str) -> dict[str, Any] | None:
    if not token or len(token) > MAX_SECRET_LENGTH:
        return None
    return await LoginLink.select().where(LoginLink.token_hash == secret_hash(token)).first()


def _state(row: dict[str, Any] | None, now_us: int) -> LinkState:
    if row is None:
        return LinkState.unknown
    if row["used_us"] is not None:
        return LinkState.used
    if row["expires_us"] <= now_us:
        return LinkState.expired
    return LinkState.valid


async def login_link_state(token: str) -> LinkState:
    """What the link would do if redeemed now. Reading it changes nothing."""
    return _state(await _link_row(token), to_micros(utcnow()))


async def redeem_login_link(token: str, *, session_ttl_seconds: int) -> OpenedSession:
    """Use the link (once) and open a session for the person it was issued to."""
    now = utcnow()
    now_us = to_micros(now)
    row = await _link_row(token)
    state = _state(row, now_us)
    if row is None or state is not LinkState.valid:
        raise LoginLinkRefused(state)
    actor = _actor(row)
    audit.note(organization_id=actor.org)
    session_id = secrets.token_urlsafe(TOKEN_BYTES)
    expires_us = to_micros(now + timedelta(seconds=session_ttl_seconds))
    key = uuid.uuid4()
    async with write_transaction(LoginLink._meta.db):
        # Whoever sets used_us first wins; a second redemption racing the first updates nothing.
        claimed = (
            await LoginLink.update({LoginLink.used_us: now_us})
            .where((LoginLink.id == row["id"]) & LoginLink.used_us.is_null())
            .returning(LoginLink.id)
        )
        if not claimed:
            raise LoginLinkRefused(LinkState.used)
        # Sessions past their time are of no use to anyone; this is where they are cleared away.
        await BrowserSession.delete().where(BrowserSession.expires_us <= now_us)
        await BrowserSession.insert(
            BrowserSession(
                id=key,
                session_hash=secret_hash(session_id),
                created_at=now,
                expires_us=expires_us,
                **_claims(actor),
            )
        )
    audit.note(resource_id=str(key))
    return OpenedSession(session_id=session_id, actor=actor, expires_us=expires_us)


async def session_actor(session_id: str) -> Actor | None:
    """The person a session cookie speaks for, while the session lasts; None otherwise."""
    if not session_id or len(session_id) > MAX_SECRET_LENGTH:
        return None
    row = (
        await BrowserSession.select(
            BrowserSession.sub,
            BrowserSession.role,
            BrowserSession.organization_id,
            BrowserSession.units,
            BrowserSession.name,
            BrowserSession.expires_us,
        )
        .where(BrowserSession.session_hash == secret_hash(session_id))
        .first()
    )
    if row is None or row["expires_us"] <= to_micros(utcnow()):
        return None
    return _actor(row)


async def end_session(session_id: str) -> None:
    if not session_id or len(session_id) > MAX_SECRET_LENGTH:
        return
    async with write_transaction(BrowserSession._meta.db):
        await BrowserSession.delete().where(BrowserSession.session_hash == secret_hash(session_id))


__all__ = [
    "LinkState",
    "LoginLinkRefused",
    "OpenedSession",
    "end_session",
    "issue_login_link",
    "login_link_state",
    "redeem_login_link",
    "secret_hash",
    "session_actor",
]
