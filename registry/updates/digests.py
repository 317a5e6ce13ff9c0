"""Digests: each member who chose one (or whose role's default is one) gets, once a day or once a week,
a mail of what happened that they may see. A round sends every digest that is due and nothing else.

- A digest is due when the member's period has passed since the end of the last one (or there never
  was one). A round may count a digest due a little early (`early`): the served rounds come once an
  hour, so a daily digest keeps its hour instead of creeping later each day.
- Its content is the member's view of their organization's activity since the last one (at most one
  period back for the first), read once per organization (registry/updates/activity.py).
- Nothing is sent when nothing happened; the period counts as covered all the same.
- The mails are written to the outbox and the members' periods moved on in one transaction per
  organization: a round that stops half-way has sent each organization's digests whole or not at all,
  and the next round takes up the rest. A member whose period another round moved on meanwhile is
  skipped, so two rounds at once never send the same digest twice."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from registry.clock import WORKPLACE_ZONE, utcnow
from registry.db import write_transaction
from registry.mail import Mail, queue_mail
from registry.members.service import digest_of, member_actor, member_by_secret, member_view, new_secret
from registry.members.tables import Member
from registry.schedules import Claim, Job
from registry.updates.activity import MemberView, organization_activity

log = logging.getLogger("airegistry.digests")

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
DIGEST_RUN = "digests"
"""The digest rounds' name in the scheduled_run table (registry/schedules/service.py)."""


@dataclass(frozen=True)
class Digest:
    """One member's digest: who (as `member_view` gives them, with the secret of their unsubscribe
    address), which period, and what they hear about."""

    member: dict[str, Any]
    unsubscribe_secret: str
    period: str  # daily | weekly
    view: MemberView


ComposeDigest = Callable[[Digest], Mail]


@dataclass
class DigestRound:
    organizations: int = 0  # with a member whose digest was due
    due: int = 0
    sent: int = 0
    quiet: int = 0  # due, but nothing happened: no mail

    def result(self) -> str:
        return f"{self.sent} sent, {self.quiet} quiet, {self.organizations} organization(s)"


def _wants_digest() -> Any:
    chosen = Member.digest.is_in(list(PERIODS))
    by_default = Member.digest.is_null() & (Member.role == "steward")
    return chosen | by_default


def digest_due(row: dict[str, Any], now: datetime, early: timedelta = timedelta(0)) -> bool:
    period = PERIODS.get(digest_of(row))
    if period is None:
        return False
    last = row["digest_until"]
    return last is None or last + period <= now + early


def _since(row: dict[str, Any], now: datetime) -> datetime:
    """Where the member's digest starts: the end of the last one; the first reaches one period back
    (not before they became a member)."""
    if row["digest_until"] is not None:
        return row["digest_until"]
    return max(row["created_at"], now - PERIODS[digest_of(row)])


async def send_digests(
    now: datetime,
    compose: ComposeDigest,
    *,
    early: timedelta = timedelta(0),
    between: Callable[[], Awaitable[None]] | None = None,
) -> DigestRound:
    """Send every digest due at `now`; `between` is awaited after each organization (a scheduled
    round renews its claim there)."""
    done = DigestRound()
    today = now.astimezone(WORKPLACE_ZONE).date()
    org_keys = sorted(
        {row["organization"] for row in await Member.select(Member.organization).where(_wants_digest())},
        key=str,
    )
    for org_key in org_keys:
        rows = await Member.select().where((Member.organization == org_key) & _wants_digest())
        due = [row for row in rows if digest_due(row, now, early)]
        if due:
            done.organizations += 1
            await _send_organization(str(org_key), due, now, today, compose, done)
        if between is not None:
            await between()
    return done


async def _send_organization(
    org_id: str,
    due: list[dict[str, Any]],
    now: datetime,
    today: Any,
    compose: ComposeDigest,
    done: DigestRound,
) -> None:
    starts = {row["id"]: _since(row, now) for row in due}
    activity = await organization_activity(org_id, min(starts.values()), now, today)
    async with write_transaction(Member._meta.db):
        # Another round may have covered some of them since they were read: theirs stands.
        current = {
            row["id"]: row["digest_until"]
            for row in await Member.select(Member.id, Member.digest_until).where(
                Member.id.is_in([row["id"] for row in due])
            )
        }
        mails = []
        covered = []
        for row in due:
            if row["id"] not in current or current[row["id"]] != row["digest_until"]:
                continue
            covered.append(row["id"])
            done.due += 1
            member = member_view(row)
            view = activity.for_member(member_actor(member), starts[row["id"]])
            if view.quiet:
                done.quiet += 1
                continue
            secret = row["unsubscribe_secret"]
            if not secret:  # a member from before digests had no unsubscribe address yet
                secret = new_secret()
                await Member.update({Member.unsubscribe_secret: secret}).where(Member.id == row["id"])
            mails.append(compose(Digest(member, secret, digest_of(row), view)))
        if mails:
            await queue_mail(*mails)
        if covered:
            await Member.update({Member.digest_until: now}).where(Member.id.is_in(covered))
        done.sent += len(mails)


def round_job(compose: ComposeDigest, *, round_seconds: float) -> Job:
    """The served rounds, once per deployment each `round_seconds` (the scheduled-run table): a
    digest due before the next round is sent in this one, so its time of day does not creep."""

    async def job(claim: Claim) -> str:
        done = await send_digests(
            utcnow(), compose, early=timedelta(seconds=round_seconds), between=claim.renew
        )
        return done.result()

    return job


async def unsubscribe(member_id: str, secret: str) -> dict[str, Any] | None:
    """The digest's unsubscribe address was used: the member gets no more digests. None when the
    address is not (or no longer) a member's."""
    row = await member_by_secret(member_id, secret, "unsubscribe")
    if row is None:
        return None
    await Member.update({Member.digest: "none", Member.updated_at: utcnow()}).where(Member.id == row["id"])
    return member_view({**row, "digest": "none"})


__all__ = [
    "DIGEST_RUN",
    "PERIODS",
    "ComposeDigest",
    "Digest",
    "DigestRound",
    "digest_due",
    "round_job",
    "send_digests",
    "unsubscribe",
]
