"""What an invitation and a change of a member state (shared/domain.md: roles as the API's)."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field

from registry.fields import Strict, Text, UnitId

ShortText = Field(default=None, max_length=64)


class MemberFields(Strict):
    email: EmailStr
    name: Text
    role: str = Field(description="employer_admin, steward or auditor")
    units: list[UnitId] | None = Field(
        default=None, max_length=1000, description="A steward limited to these units (and those below)."
    )
    title: Text | None = Field(default=None, max_length=64, description="E.g. TR or AMR.")
    language: Literal["da", "en"] = Field(default="da", description="The language of the member's mail.")
    sub: Text | None = Field(
        default=None,
        description="How the member logs in: an identity provider's subject. Default: the e-mail address.",
    )


class MemberPatch(Strict):
    role: str | None = None
    units: list[UnitId] | None = Field(default=None, max_length=1000)
    title: Text | None = Field(default=None, max_length=64)
    name: Text | None = None
    language: Literal["da", "en"] | None = None


__all__ = ["MemberFields", "MemberPatch"]
