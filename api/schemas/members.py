"""Members of an organization and their invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from registry.fields import Strict
from registry.members.models import MemberFields, MemberPatch


class Member(BaseModel):
    """A member: how they log in (`sub`), their role (and units), and when they last logged in."""

    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    sub: str
    email: str
    name: str
    role: str
    units: list[str] | None
    title: str | None
    language: Literal["da", "en"]
    digest: Literal["none", "daily", "weekly"] = Field(
        description="The member's digest: their choice, or their role's default (weekly for stewards)"
    )
    created_at: datetime
    last_login_at: datetime | None


class Preferences(BaseModel):
    """What a member chooses for themselves."""

    model_config = ConfigDict(extra="forbid")

    digest: Literal["none", "daily", "weekly"]
    language: Literal["da", "en"]


class Feeds(BaseModel):
    """A member's secret feed addresses. They work without logging in and show what the member may
    see; rotating them makes new ones and the old ones stop working at once."""

    model_config = ConfigDict(extra="forbid")

    atom: str = Field(description="An Atom feed of the changes of the last 60 days.")
    calendar: str = Field(description="An iCalendar (RFC 5545) calendar of the deadlines ahead.")
    webcal: str = Field(description="The calendar's address as webcal://, which subscribes in one click.")


class PreferencesUpdate(Strict):
    digest: Literal["none", "daily", "weekly"] | None = None
    language: Literal["da", "en"] | None = None


class MemberInvite(MemberFields):
    pass


class MemberUpdate(MemberPatch):
    pass


__all__ = ["Feeds", "Member", "MemberInvite", "MemberUpdate", "Preferences", "PreferencesUpdate"]
