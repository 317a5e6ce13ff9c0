"""Organization schemas: read, create, update."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from registry.organizations.models import (
    CooperationBody,
    EmployerType,
    MaturityLevel,
    OrganizationFields,
    OrganizationPatch,
    Sector,
)


class Organization(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    cvr: str
    employer_type: EmployerType | None = Field(
        description="null: a public employer registered before the register asked which kind it is."
    )
    sector: Sector
    cooperation_body: CooperationBody
    notice_period_days: int
    maturity_level: MaturityLevel | None
    created_at: datetime
    updated_at: datetime


class OrganizationCreate(OrganizationFields):
    """A new employer. `notice_period_days` defaults to 42 (DA/LO: 6 weeks)."""


class OrganizationUpdate(OrganizationPatch):
    """Fields to change; the CVR number cannot change."""
