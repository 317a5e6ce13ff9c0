"""A member's secret feeds: who a feed address belongs to, and what its feed holds. The address holds
the member's id and a random secret (no token: it works on nothing but the feeds); a removed member's
addresses, and addresses replaced by rotating them, find nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from registry.access import Actor
from registry.clock import WORKPLACE_ZONE
from registry.members.service import member_actor, member_by_secret, member_view
from registry.updates.activity import Activity, organization_activity
from registry.updates.deadlines import Deadline


@dataclass(frozen=True)
class Feed:
    member: dict[str, Any]  # as member_view gives it
    actor: Actor
    activity: Activity


async def member_feed(member_id: str, secret: str, now: datetime, *, days: int) -> Feed | None:
    """The activity of the member's organization in the last `days` days, for the member's view of
    it; None when the address is not (or no longer) a member's."""
    row = await member_by_secret(member_id, secret, "feed")
    if row is None:
        return None
    member = member_view(row)
    today = now.astimezone(WORKPLACE_ZONE).date()
    activity = await organization_activity(member["organization_id"], now - timedelta(days=days), now, today)
    return Feed(member, member_actor(member), activity)


def visible_deadlines(feed: Feed) -> list[Deadline]:
    """The open deadlines of the systems the member may see."""
    return feed.activity.news_for(feed.actor, feed.activity.since)[3]


__all__ = ["Feed", "member_feed", "visible_deadlines"]
