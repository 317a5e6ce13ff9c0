"""Digests: each member who chose one (or whose role's default is one) gets, once a day or once a week,
a mail of what happened that they may see. A round sends every digest that is due and nothing else.

- A digest is due when the member's period has passed since the end of the last one (or there never
  was one). A served round counts a digest due up to half a round early (`early`): the round nearest
  to its time sends it, so a daily digest keeps its time of day instead of creeping.
- Its content is the member's view of their organization's activity since the last one (at most one
  period back for the first), up to SETTLE before the round, read once per organization
  (registry/updates/activity.py).
- Nothing is sent when nothing happened; the period counts as covered all the same.
- The mails are written to the outbox and the members' periods moved on in one transaction per
  organization: a round that stops half-way has sent each organization's digests whole or not at all,
  and the next round takes up the rest. A member whose period another round moved on meanwhile is
  skipped (their row is locked while it is checked), so two rounds at once never send the same digest
  twice. An organization whose digests cannot be made does not stop the others'."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from registry.clock import WORKPLACE_ZONE, utcnow
from registry.db import dialect_of, write_transaction
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
    """Due when the period has passed since the end of the last digest, or there never was one; a
    served round counts it due up to `early` before."""
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


SETTLE = timedelta(minutes=5)
"""A digest covers the time up to this long before the round: a change is stamped when its transaction
starts and seen when it commits, and an import of thousands of rows takes a minute or more, so a change
still being saved during a round comes in the next digest instead of in none."""


async def send_digests(
    now: datetime,
    compose: ComposeDigest,
    *,
    early: timedelta = timedelta(0),
    settle: timedelta = SETTLE,
    between: Callable[[], Awaitable[None]] | None = None,
) -> DigestRound:
    """Send every digest due at `now`, each covering up to `now - settle` (the demo, which has just
    seeded an empty database and knows nothing else is being saved, passes 0); `between` is awaited after
    each organization (a scheduled round renews its claim there). An organization whose digests
    cannot be made (its data, or its mail refused) is logged and skipped; the others are sent, and the
    round then fails naming how many were skipped, so the next round tries them again."""
    done = DigestRound()
    today = now.astimezone(WORKPLACE_ZONE).date()
    org_keys = sorted(
        {row["organization"] for row in await Member.select(Member.organization).where(_wants_digest())},
        key=str,
    )
    failed: list[str] = []
    for org_key in org_keys:
        rows = await Member.select().where((Member.organization == org_key) & _wants_digest())
        due = [row for row in rows if digest_due(row, now, early)]
        if due:
            try:
                sent, quiet = await _send_organization(str(org_key), due, now - settle, today, compose)
            except Exception:
                log.exception("the digests of organization %s could not be made; the round goes on", org_key)
                failed.append(str(org_key))
            else:
                done.organizations += 1
                done.due += sent + quiet
                done.sent += sent
                done.quiet += quiet
        if between is not None:
            await between()
    if failed:
        raise DigestsFailed(failed, done)
    return done


class DigestsFailed(Exception):
    """Some organizations' digests could not be made; the others were sent."""

    def __init__(self, organizations: list[str], done: DigestRound) -> None:
        super().__init__(
            f"the digests of {len(organizations)} organization(s) could not be made: "
            f"{', '.join(organizations)}; the others were ({done.result()})"
        )
        self.organizations = organizations
        self.done = done


async def _send_organization(
    org_id: str, due: list[dict[str, Any]], until: datetime, today: Any, compose: ComposeDigest
) -> tuple[int, int]:
    """One organization's due digests, covering up to `until`, in one transaction; (sent, quiet)."""
    starts = {row["id"]: min(_since(row, until), until) for row in due}
    activity = await organization_activity(org_id, min(starts.values()), until, today)
    db = Member._meta.db
    async with write_transaction(db):
        # Another round may have covered some of them since they were read: theirs stands. The rows
        # are locked (PostgreSQL; SQLite's write lock already holds them), so that round waits.
        query = Member.select(Member.id, Member.digest_until).where(
            Member.id.is_in([row["id"] for row in due])
        )
        if not dialect_of(db).sqlite:
            query = query.lock_rows()
        current = {row["id"]: row["digest_until"] for row in await query}
        mails = []
        covered = []
        quiet = 0
        for row in due:
            if row["id"] not in current or current[row["id"]] != row["digest_until"]:
                continue
            covered.append(row["id"])
            member = member_view(row)
            view = activity.for_member(member_actor(member), starts[row["id"]])
            if view.quiet:
                quiet += 1
                continue
            secret = row["unsubscribe_secret"]
            if not secret:  # a member from before digests had no unsubscribe address yet
                secret = new_secret()
                await Member.update({Member.unsubscribe_secret: secret}).where(Member.id == row["id"])
            mails.append(compose(Digest(member, secret, digest_of(row), view)))
        if mails:
            await queue_mail(*mails)
        if covered:
            await Member.update({Member.digest_until: until}).where(Member.id.is_in(covered))
    return len(mails), quiet


def round_job(compose: ComposeDigest, *, round_seconds: float) -> Job:
    """The served rounds, once per deployment each `round_seconds` (the scheduled-run table): a
    digest due before the next round is sent in this one, so its time of day does not creep."""

    async def job(claim: Claim) -> str:
        # Half a round early at most: the round nearest to a digest's time sends it, so its time of
        # day neither creeps later nor earlier.
        done = await send_digests(
            utcnow(), compose, early=timedelta(seconds=round_seconds / 2), between=claim.renew
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
    "SETTLE",
    "ComposeDigest",
    "Digest",
    "DigestRound",
    "DigestsFailed",
    "digest_due",
    "round_job",
    "send_digests",
    "unsubscribe",
]
