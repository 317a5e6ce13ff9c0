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


class PreferencesUpdate(Strict):
    digest: Literal["none", "daily", "weekly"] | None = None
    language: Literal["da", "en"] | None = None


class MemberInvite(MemberFields):
    pass


class MemberUpdate(MemberPatch):
    pass


__all__ = ["Member", "MemberInvite", "MemberUpdate", "Preferences", "PreferencesUpdate"]
