"""The register's vocabulary and documents (pydantic v2). Field meanings: shared/domain.md.

Every model rejects unknown fields, so a misspelt field is an error and never silently dropped.
"""

from __future__ import annotations

import uuid
from datetime import date as Day
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text or JSON, and no person means one: refuse it everywhere.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _unit_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise ValueError("is not a unit id") from exc


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_no_nul)
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), AfterValidator(_no_nul)
]
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_no_nul)]
UnitId = Annotated[str, StringConstraints(max_length=64), AfterValidator(_unit_id)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)


# --- organizations and units --------------------------------------------------------------------


class Sector(StrEnum):
    private = "private"
    public = "public"


class CooperationBody(StrEnum):
    SU = "SU"
    MED = "MED"
    state_SU = "state-SU"


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
    sector: Sector
    cooperation_body: CooperationBody
    notice_period_days: int = Field(default=NOTICE_PERIOD_DEFAULT_DAYS, ge=0, le=365)
    maturity_level: MaturityLevel | None = None

    @field_validator("cvr")
    @classmethod
    def _valid_cvr(cls, value: str) -> str:
        return _check_cvr(value)


class OrganizationPatch(Strict):
    name: Text | None = None
    sector: Sector | None = None
    cooperation_body: CooperationBody | None = None
    notice_period_days: int | None = Field(default=None, ge=0, le=365)
    maturity_level: MaturityLevel | None = None


class UnitFields(Strict):
    name: Text
    parent_id: str | None = Field(
        default=None, description="Id of the enclosing unit in the same organization."
    )
    committee: Committee | None = None
    headcount: int | None = Field(default=None, ge=0, le=1_000_000)


class UnitPatch(Strict):
    name: Text | None = None
    parent_id: UnitId | None = None
    committee: Committee | None = None
    headcount: int | None = Field(default=None, ge=0, le=1_000_000)


# --- AI systems -----------------------------------------------------------------------------------


class Category(StrEnum):
    decision_support = "decision_support"
    monitoring = "monitoring"
    automation = "automation"
    generative_assistant = "generative_assistant"
    analytics = "analytics"
    other = "other"


class Status(StrEnum):
    planned = "planned"
    pilot = "pilot"
    in_use = "in_use"
    suspended = "suspended"
    retired = "retired"


SPECIAL_CATEGORIES = (
    "health",
    "biometric",
    "trade_union_membership",
    "ethnic_origin",
    "religion",
    "sexual_orientation",
    "political_opinion",
    "genetic",
)


class DataCategory(StrEnum):
    """GDPR data categories; the last eight are Art. 9 special categories."""

    identification = "identification"
    contact_details = "contact_details"
    employment = "employment"
    work_performance = "work_performance"
    location = "location"
    communications = "communications"
    device_usage = "device_usage"
    images_video = "images_video"
    voice = "voice"
    behaviour = "behaviour"
    financial = "financial"
    criminal_offences = "criminal_offences"
    health = "health"
    biometric = "biometric"
    trade_union_membership = "trade_union_membership"
    ethnic_origin = "ethnic_origin"
    religion = "religion"
    sexual_orientation = "sexual_orientation"
    political_opinion = "political_opinion"
    genetic = "genetic"


class AccessScope(StrEnum):
    aggregate = "aggregate"
    individual = "individual"


class LegalBasis(StrEnum):
    """GDPR Art. 6(1)."""

    consent = "consent"
    contract = "contract"
    legal_obligation = "legal_obligation"
    vital_interests = "vital_interests"
    public_task = "public_task"
    legitimate_interests = "legitimate_interests"


class SpecialCategoryBasis(StrEnum):
    """GDPR Art. 9(2) (a)-(j)."""

    explicit_consent = "explicit_consent"
    employment_obligations = "employment_obligations"
    vital_interests = "vital_interests"
    not_for_profit_body = "not_for_profit_body"
    made_public = "made_public"
    legal_claims = "legal_claims"
    substantial_public_interest = "substantial_public_interest"
    health_or_social_care = "health_or_social_care"
    public_health = "public_health"
    archiving_research_statistics = "archiving_research_statistics"


class AutomatedDecision(StrEnum):
    none = "none"
    supports_human = "supports_human"
    fully_automated = "fully_automated"


class RiskClass(StrEnum):
    prohibited = "prohibited"
    high_risk = "high_risk"
    limited = "limited"
    minimal = "minimal"
    unknown = "unknown"


class DpiaStatus(StrEnum):
    not_required = "not_required"
    screened = "screened"
    planned = "planned"
    done = "done"


class OperatedBy(StrEnum):
    employer = "employer"
    vendor = "vendor"
    third_party = "third_party"


class Access(Strict):
    role: Text
    scope: AccessScope
    purpose: LongText | None = None


class Retention(Strict):
    period_days: int | None = Field(default=None, ge=0, le=36_500)
    description: LongText | None = None


class HumanOversight(Strict):
    description: LongText | None = None
    overseer_role: Text | None = None
    trained: bool | None = None


class AiAct(Strict):
    risk_class: RiskClass = RiskClass.unknown
    annex_iii_point: Annotated[str, StringConstraints(pattern=r"^[1-8](\([a-d]\))?$")] | None = Field(
        default=None, description="Annex III point, e.g. '4' or '4(a)'."
    )
    profiling: bool | None = None
    emotion_recognition: bool | None = None
    provider_eu_db_ref: Text | None = None
    fria_date: Day | None = None


class Dpia(Strict):
    status: DpiaStatus
    date: Day | None = None
    reference: Text | None = None


class Notice(Strict):
    given_at: Day | None = None
    audience: Text | None = None
    text_ref: Text | None = None
    exception_reason: LongText | None = None
    late_notice_at: Day | None = None


class Consultation(Strict):
    committee: Committee | None = None
    informed_at: Day | None = None
    discussed_at: Day | None = None
    decided_at: Day | None = None
    minutes_ref: Text | None = None


class UsagePolicy(Strict):
    expected_use: LongText | None = None
    guideline_ref: Text | None = None
    ai_content_labelled: bool | None = None


class Training(Strict):
    provided: bool
    description: LongText | None = None
    hours_per_employee: float | None = Field(default=None, ge=0, le=10_000)


class TimeSavings(Strict):
    expected_hours_per_week: float | None = Field(default=None, ge=0, le=1_000_000)
    realised_hours_per_week: float | None = Field(default=None, ge=0, le=1_000_000)
    realised_at: Day | None = None
    freed_time_use: LongText | None = None


class Contact(Strict):
    name: Text
    email: EmailStr | None = None


class SystemFields(Strict):
    """Everything an employer states about one AI system. Read-only fields live in the API schema."""

    name: Text
    vendor: Text | None = None
    product: Text | None = None
    description: LongText | None = None
    purpose: LongText
    operational_reason: LongText | None = None
    category: Category
    control_measure: bool = Field(description="Is it a control measure (kontrolforanstaltning)?")
    status: Status
    unit_ids: list[UnitId] = Field(default_factory=list, max_length=1000)
    affected_groups: list[Text] = Field(default_factory=list, max_length=100)
    affected_headcount: int | None = Field(default=None, ge=0, le=10_000_000)
    data_categories: list[DataCategory] = Field(default_factory=list)
    data_sources: list[Text] = Field(default_factory=list, max_length=100)
    access: list[Access] = Field(default_factory=list, max_length=100)
    retention: Retention | None = None
    log_retention_days: int | None = Field(default=None, ge=0, le=36_500)
    legal_basis: LegalBasis | None = None
    special_category_basis: SpecialCategoryBasis | None = None
    automated_decision: AutomatedDecision | None = None
    significant_effect: bool | None = None
    human_oversight: HumanOversight | None = None
    contest_channel: LongText | None = None
    ai_act: AiAct | None = None
    dpia: Dpia | None = None
    notice: Notice | None = None
    consultation: Consultation | None = None
    workers_informed_at: Day | None = None
    employee_notice_ref: Text | None = None
    go_live_at: Day | None = None
    retired_at: Day | None = None
    operated_by: OperatedBy | None = None
    operator_name: Text | None = None
    usage_policy: UsagePolicy | None = None
    training: Training | None = None
    time_savings: TimeSavings | None = None
    apv_last_assessed_at: Day | None = None
    contact: Contact | None = None

    @field_validator("data_categories", "unit_ids", "affected_groups", "data_sources")
    @classmethod
    def _no_duplicates(cls, value: list[Any]) -> list[Any]:
        seen: list[Any] = []
        for item in value:
            if item not in seen:
                seen.append(item)
        return seen


def special_categories_of(data_categories: list[str]) -> list[str]:
    """The GDPR Art. 9 special categories among the data categories, in vocabulary order."""
    present = set(data_categories)
    return [c for c in SPECIAL_CATEGORIES if c in present]


def risk_class_of(document: dict[str, Any]) -> str:
    ai_act = document.get("ai_act") or {}
    return str(ai_act.get("risk_class") or RiskClass.unknown.value)


SYSTEM_FIELD_NAMES: tuple[str, ...] = tuple(SystemFields.model_fields)
