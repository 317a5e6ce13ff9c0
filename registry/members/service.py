"""Members: an employer admin (or a platform admin) invites people of the organization by e-mail; the
invitee gets a one-time login link in their language. A member's role and units can change; removing
a member ends their sessions at once. Every invitation, change and removal is a webhook event (and,
as a request, an entry of the access log).

The wording of the invitation is the caller's (`compose`): this package knows nothing of languages."""

from __future__ import annotations

import hmac
import json
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from registry.access import ORG_ROLES, Actor, Role
from registry.accesslog import context as audit
from registry.clock import iso, utcnow
from registry.db import write_transaction
from registry.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from registry.events import Event, EventType, emit
from registry.mail import Mail, queue_mail
from registry.members.models import MemberFields, MemberPatch
from registry.members.tables import Member
from registry.organizations.service import organization_exists
from registry.organizations.units import unit_parents
from registry.sessions.service import issue_login_link
from registry.sessions.tables import BrowserSession, LoginLink

INVITABLE = frozenset({Role.employer_admin.value, Role.steward.value, Role.auditor.value})
Compose = Callable[[dict[str, Any], str], Mail]
"""Builds the invitation mail from the member (as `member_view` gives it) and its login token."""


def new_secret() -> str:
    """A secret for a member's feed or unsubscribe address: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def member_view(row: dict[str, Any]) -> dict[str, Any]:
    units = row["units"]
    return {
        "id": str(row["id"]),
        "organization_id": str(row["organization"]),
        "sub": row["sub"],
        "email": row["email"],
        "name": row["name"],
        "role": row["role"],
        "units": (json.loads(units) if isinstance(units, str) else units) or None,
        "title": row["title"],
        "language": row["language"],
        "digest": digest_of(row),
        "created_at": iso(row["created_at"]),
        "last_login_at": iso(row["last_login_at"]) if row["last_login_at"] else None,
    }


def member_actor(member: dict[str, Any]) -> Actor:
    """The member (as `member_view` gives it) as the register's rules see them: their role,
    organization and units."""
    units = member["units"]
    return Actor(
        sub=member["sub"],
        role=Role(member["role"]),
        org=member["organization_id"],
        units=tuple(units) if units is not None else None,
        name=member["name"],
    )


async def _managed(actor: Actor, org_id: str) -> uuid.UUID:
    """The organization whose members the actor manages: a platform admin any, an employer admin
    their own; another organization is not found, like an unknown one."""
    if actor.role is Role.platform_admin:
        pass
    elif actor.role is Role.employer_admin:
        if actor.org != org_id:
            raise NotFound("Organization not found.")
    else:
        raise Forbidden("Only employer admins and platform admins manage members.")
    try:
        key = uuid.UUID(org_id)
    except ValueError as exc:
        raise NotFound("Organization not found.") from exc
    if not await organization_exists(org_id):
        raise NotFound("Organization not found.")
    return key


def _check_role(role: str) -> None:
    if role == Role.platform_admin.value:
        raise Forbidden("Platform roles are not granted by invitation.")
    if role not in INVITABLE:
        raise InvalidInput(
            "Unknown role.",
            problems=[FieldProblem("role", f"must be one of: {', '.join(sorted(INVITABLE))}")],
        )


async def _check_units(org_id: str, role: str, units: list[str] | None) -> None:
    if units is None:
        return
    if role != Role.steward.value:
        raise InvalidInput(
            "Only a steward is limited to units.",
            problems=[FieldProblem("units", "only a steward is limited to units")],
        )
    known = await unit_parents(org_id)
    unknown = [
        FieldProblem(f"units[{i}]", "is not a unit of this organization")
        for i, u in enumerate(units)
        if u not in known
    ]
    if unknown:
        raise InvalidInput("Some units are not units of this organization.", problems=unknown)


def _event(kind: EventType, org_id: str, member: dict[str, Any]) -> Event:
    return Event(
        type=kind,
        organization_id=org_id,
        data={
            "member_id": member["id"],
            "role": member["role"],
            "units": member["units"],
            "title": member["title"],
        },
    )


async def _add(key: uuid.UUID, fields: MemberFields, *, created_by: str) -> dict[str, Any]:
    """Insert the member (in the caller's transaction); 409 when the `sub` is a member already."""
    sub = fields.sub or str(fields.email).lower()
    if await Member.exists().where((Member.organization == key) & (Member.sub == sub)):
        raise Conflict("This person is already a member of the organization.")
    now = utcnow()
    member_id = uuid.uuid4()
    audit.note(organization_id=str(key), resource_id=str(member_id))
    await Member.insert(
        Member(
            id=member_id,
            organization=key,
            sub=sub,
            email=str(fields.email).lower(),  # found again by address, whatever its case
            name=fields.name,
            role=fields.role,
            units=json.dumps(fields.units) if fields.units is not None else None,
            title=fields.title,
            language=fields.language,
            created_at=now,
            created_by=created_by,
            updated_at=now,
            last_login_at=None,
            feed_secret=new_secret(),
            unsubscribe_secret=new_secret(),
        )
    )
    row = await Member.select().where(Member.id == member_id).first()
    assert row is not None
    return member_view(row)


async def invite_member(
    actor: Actor, org_id: str, fields: MemberFields, *, link_ttl_seconds: int, compose: Compose
) -> dict[str, Any]:
    """Add a member and queue their invitation (a one-time login link) in the same transaction."""
    key = await _managed(actor, org_id)
    _check_role(fields.role)
    await _check_units(org_id, fields.role, fields.units)
    async with write_transaction(Member._meta.db):
        member = await _add(key, fields, created_by=actor.sub)
        token = await issue_login_link(member_actor(member), ttl_seconds=link_ttl_seconds)
        await queue_mail(compose(member, token))
        await emit(_event(EventType.member_invited, org_id, member))
    return member


async def enroll_member(org_id: str, fields: MemberFields, *, created_by: str) -> dict[str, Any]:
    """Add a member without an invitation (the demo's people, who log in by the links `airegistry
    demo` prints)."""
    key = uuid.UUID(org_id)
    _check_role(fields.role)
    await _check_units(org_id, fields.role, fields.units)
    async with write_transaction(Member._meta.db):
        member = await _add(key, fields, created_by=created_by)
        await emit(_event(EventType.member_invited, org_id, member))
    return member


async def list_members(actor: Actor, org_id: str) -> list[dict[str, Any]]:
    key = await _managed(actor, org_id)
    rows = await Member.select().where(Member.organization == key).order_by(Member.name).order_by(Member.id)
    return [member_view(row) for row in rows]


async def _member(key: uuid.UUID, member_id: str) -> dict[str, Any]:
    try:
        member_key = uuid.UUID(member_id)
    except ValueError as exc:
        raise NotFound("Member not found.") from exc
    row = await Member.select().where((Member.id == member_key) & (Member.organization == key)).first()
    if row is None:
        raise NotFound("Member not found.")
    return dict(row)


async def update_member(actor: Actor, org_id: str, member_id: str, patch: MemberPatch) -> dict[str, Any]:
    """Change role, units, title, name or language; the member's open sessions take the new role and
    units at once."""
    key = await _managed(actor, org_id)
    changes = patch.model_dump(exclude_unset=True)
    audit.note(organization_id=org_id, resource_id=member_id)
    async with write_transaction(Member._meta.db):
        row = await _member(key, member_id)
        role = changes.get("role") or row["role"]
        _check_role(role)
        current_units = json.loads(row["units"]) if isinstance(row["units"], str) else row["units"]
        units = changes.get("units", current_units if role == Role.steward.value else None)
        await _check_units(org_id, role, units)
        values: dict[Any, Any] = {
            Member.role: role,
            Member.units: json.dumps(units) if units is not None else None,
            Member.updated_at: utcnow(),
        }
        for name in ("title", "name", "language"):
            if name in changes and changes[name] is not None:
                values[getattr(Member, name)] = changes[name]
        await Member.update(values).where(Member.id == row["id"])
        await BrowserSession.update(
            {
                BrowserSession.role: role,
                BrowserSession.units: json.dumps(units) if units is not None else None,
            }
        ).where((BrowserSession.sub == row["sub"]) & (BrowserSession.organization_id == org_id))
        updated = await Member.select().where(Member.id == row["id"]).first()
        assert updated is not None
        member = member_view(updated)
        await emit(_event(EventType.member_changed, org_id, member))
    return member


async def remove_member(actor: Actor, org_id: str, member_id: str) -> None:
    """Remove a member: their sessions end at once and links not yet used stop working."""
    key = await _managed(actor, org_id)
    audit.note(organization_id=org_id, resource_id=member_id)
    async with write_transaction(Member._meta.db):
        row = await _member(key, member_id)
        member = member_view(row)
        await Member.delete().where(Member.id == row["id"])
        await BrowserSession.delete().where(
            (BrowserSession.sub == row["sub"]) & (BrowserSession.organization_id == org_id)
        )
        await LoginLink.delete().where(
            (LoginLink.sub == row["sub"])
            & (LoginLink.organization_id == org_id)
            & LoginLink.used_us.is_null()
        )
        await emit(_event(EventType.member_removed, org_id, member))


DIGESTS = ("none", "daily", "weekly")


def digest_of(row: dict[str, Any]) -> str:
    """A member's digest: their choice, or their role's default (weekly for stewards, none for others)."""
    return str(row["digest"] or ("weekly" if row["role"] == Role.steward.value else "none"))


async def _own_membership(actor: Actor) -> dict[str, Any]:
    if actor.org is None:
        raise NotFound("You are not a member of an organization.")
    row = (
        await Member.select()
        .where((Member.organization == uuid.UUID(actor.org)) & (Member.sub == actor.sub))
        .first()
    )
    if row is None:
        raise NotFound("You are not a member of an organization: ask its employer admin for an invitation.")
    return dict(row)


async def get_preferences(actor: Actor) -> dict[str, Any]:
    """The caller's own preferences, as a member of their organization."""
    row = await _own_membership(actor)
    return {"digest": digest_of(row), "language": row["language"]}


async def update_preferences(
    actor: Actor, *, digest: str | None = None, language: str | None = None
) -> dict[str, Any]:
    row = await _own_membership(actor)
    values: dict[Any, Any] = {Member.updated_at: utcnow()}
    if digest is not None:
        if digest not in DIGESTS:
            raise InvalidInput(
                "Unknown digest.", problems=[FieldProblem("digest", "must be none, daily or weekly")]
            )
        values[Member.digest] = digest
        if digest_of(row) == "none" and digest != "none":
            # Turned on again: the next digest reaches one period back, not back to the last one.
            values[Member.digest_until] = None
    if language is not None:
        values[Member.language] = language
    await Member.update(values).where(Member.id == row["id"])
    return await get_preferences(actor)


SECRETS = {"feed": Member.feed_secret, "unsubscribe": Member.unsubscribe_secret}


async def member_by_secret(member_id: str, secret: str, kind: str) -> dict[str, Any] | None:
    """The member whose feed or unsubscribe address this is (their id and secret); None otherwise."""
    try:
        key = uuid.UUID(member_id)
    except ValueError:
        return None
    row = await Member.select().where(Member.id == key).first()
    if row is None:
        return None
    stored = row[SECRETS[kind]._meta.name]
    if not stored or not secret or not hmac.compare_digest(stored.encode(), secret.encode()):
        return None
    return dict(row)


async def own_feed_secret(actor: Actor, *, rotate: bool = False) -> tuple[str, str]:
    """The caller's member id and the secret of their feeds' addresses, made on first use; `rotate`
    replaces it, so the addresses given before stop working at once."""
    row = await _own_membership(actor)
    if rotate:
        await Member.update({Member.feed_secret: new_secret()}).where(Member.id == row["id"])
    elif not row["feed_secret"]:
        # Made on first use; of two first requests at once, the first one's secret stands.
        await Member.update({Member.feed_secret: new_secret()}).where(
            (Member.id == row["id"]) & Member.feed_secret.is_null()
        )
    else:
        return str(row["id"]), str(row["feed_secret"])
    stored = await Member.select(Member.feed_secret).where(Member.id == row["id"]).first()
    if stored is None:
        raise NotFound("You are not a member of an organization.")
    return str(row["id"]), str(stored["feed_secret"])


REQUEST_PAUSE_SECONDS = 120
"""A new link for the same member at most this often: a form anyone can send cannot flood a mailbox."""


async def request_login_links(email: str, *, ttl_seconds: int, compose: Compose) -> int:
    """A person who lost their link asks by e-mail address: each membership of that address gets a
    new one-time link by mail. Returns how many were sent; the caller answers the same either way."""
    address = email.strip().lower()
    if not address or len(address) > 320:
        return 0
    sent = 0
    async with write_transaction(Member._meta.db):
        rows = await Member.select().where(Member.email == address)
        for row in rows:
            member = member_view(row)
            recent = utcnow().timestamp() - REQUEST_PAUSE_SECONDS
            if await LoginLink.exists().where(
                (LoginLink.sub == row["sub"])
                & (LoginLink.organization_id == member["organization_id"])
                & (LoginLink.created_at > datetime.fromtimestamp(recent, tz=UTC))
            ):
                continue
            token = await issue_login_link(member_actor(member), ttl_seconds=ttl_seconds)
            await queue_mail(compose(member, token))
            sent += 1
    return sent


async def memberships(sub: str, org_id: str | None = None) -> list[dict[str, Any]]:
    """The memberships of one `sub` (in one organization, when given): for the operator's CLI."""
    query = Member.select().where(Member.sub == sub)
    if org_id is not None:
        try:
            query = query.where(Member.organization == uuid.UUID(org_id))
        except ValueError:
            return []
    return [member_view(row) for row in await query]


async def record_login(actor: Actor) -> None:
    """A member logged in (a one-time link redeemed): when, for the list of members."""
    if actor.org is None or actor.role not in ORG_ROLES:
        return
    await Member.update({Member.last_login_at: utcnow()}).where(
        (Member.organization == uuid.UUID(actor.org)) & (Member.sub == actor.sub)
    )


__all__ = [
    "digest_of",
    "enroll_member",
    "get_preferences",
    "invite_member",
    "list_members",
    "member_actor",
    "member_by_secret",
    "member_view",
    "memberships",
    "new_secret",
    "own_feed_secret",
    "record_login",
    "remove_member",
    "request_login_links",
    "update_member",
    "update_preferences",
]
