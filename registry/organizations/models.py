"""Employers and their units: the fields they are registered with (shared/domain.md)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from registry.fields import Count, Strict, Text, UnitId


class Sector(StrEnum):
    private = "private"
    public = "public"


class EmployerType(StrEnum):
    """Which cooperation agreements and agreements on control measures apply: private employers
    (DA/FH), municipalities (KL/FF), regions (Danske Regioner/FF) or the state."""

    private = "private"
    municipal = "municipal"
    regional = "regional"
    state = "state"


def sector_of(employer_type: str) -> str:
    return Sector.private.value if employer_type == EmployerType.private else Sector.public.value


class CooperationBody(StrEnum):
    SU = "SU"
    MED = "MED"
    state_SU = "state-SU"
    TR = "TR"  # no cooperation committee (e.g. fewer than 35 employees): the shop steward alone


class MaturityLevel(StrEnum):
    """HK / Digital Dogme AI Impact Barometer 2025 scale."""

    ai_observer = "ai_observer"  # AI-Observatør
    ai_explorer = "ai_explorer"  # AI-Udforsker
    ai_practitioner = "ai_practitioner"  # AI-Praktiker
    ai_accelerator = "ai_accelerator"  # AI-Accelerator
    ai_frontrunner = "ai_frontrunner"  # AI-Frontløber


class Committee(StrEnum):
    hoved_MED = "hoved-MED"
    lokal_MED = "lokal-MED"
    SU = "SU"
    state_SU = "state-SU"


CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def cvr_is_valid(cvr: str) -> bool:
    """Danish CVR number: 8 digits, first not 0, weighted digit sum divisible by 11."""
    if len(cvr) != 8 or not cvr.isdigit() or cvr[0] == "0":
        return False
    return sum(int(d) * w for d, w in zip(cvr, CVR_WEIGHTS, strict=True)) % 11 == 0


def _check_cvr(value: str) -> str:
    if not (len(value) == 8 and value.isdigit()):
        raise ValueError("CVR must be exactly 8 digits")
    if not cvr_is_valid(value):
        raise ValueError("CVR fails the modulus-11 check; check the number")
    return value


NOTICE_PERIOD_DEFAULT_DAYS = 42  # DA/LO: no later than 6 weeks before; configurable per organization


class OrganizationFields(Strict):
    name: Text
    cvr: str = Field(description="Danish CVR number: 8 digits with a modulus-11 check digit.")
    employer_type: EmployerType | None = Field(
        default=None,
        description="private, municipal, regional or state: which agreements the register cites. State it, "
        "or at least `sector`: a public employer that states only its sector is of unknown kind, and is "
        "cited the agreements of public employers in general.",
    )
    sector: Sector | None = Field(
        default=None,
        description="private or public; follows from employer_type (kept for clients of before).",
    )
    cooperation_body: CooperationBody
    notice_period_days: Count = Field(default=NOTICE_PERIOD_DEFAULT_DAYS, ge=0, le=365)
    maturity_level: MaturityLevel | None = None

    @field_validator("cvr")
    @classmethod
    def _valid_cvr(cls, value: str) -> str:
        return _check_cvr(value)

    @model_validator(mode="after")
    def _type_and_sector_agree(self) -> OrganizationFields:
        if self.employer_type is None:
            if self.sector is None:
                raise ValueError("state employer_type (private, municipal, regional or state)")
            if self.sector == Sector.private:
                self.employer_type = EmployerType.private
        elif self.sector is not None and self.sector != sector_of(self.employer_type):
            raise ValueError(f"sector {self.sector} contradicts employer_type {self.employer_type}")
        else:
            self.sector = Sector(sector_of(self.employer_type))
        return self


class OrganizationPatch(Strict):
    name: Text | None = None
    employer_type: EmployerType | None = None
    sector: Sector | None = None
    cooperation_body: CooperationBody | None = None
    notice_period_days: Count | None = Field(default=None, ge=0, le=365)
    maturity_level: MaturityLevel | None = None


class UnitFields(Strict):
    name: Text
    parent_id: str | None = Field(
        default=None, description="Id of the enclosing unit in the same organization."
    )
    committee: Committee | None = None
    headcount: Count | None = Field(default=None, ge=0, le=1_000_000)


class UnitPatch(Strict):
    name: Text | None = None
    parent_id: UnitId | None = None
    committee: Committee | None = None
    headcount: Count | None = Field(default=None, ge=0, le=1_000_000)
