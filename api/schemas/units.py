"""Unit schemas: read, create, update."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from registry.organizations.models import Committee, UnitFields, UnitPatch


class Unit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    name: str
    parent_id: str | None
    committee: Committee | None
    headcount: int | None
    created_at: datetime
    updated_at: datetime


class UnitCreate(UnitFields):
    """A workplace or MED/SU area; `parent_id` places it below another unit of the organization."""


class UnitUpdate(UnitPatch):
    """Fields to change."""
