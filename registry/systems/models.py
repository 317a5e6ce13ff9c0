"""AI systems: the register's vocabulary and documents (pydantic v2). Field meanings: shared/domain.md.

Every model rejects unknown fields, so a misspelt field is an error and never silently dropped.
"""

from __future__ import annotations

from datetime import date as Day
from enum import StrEnum
from typing import Annotated, Any

from pydantic import EmailStr, Field, StringConstraints, field_validator

from registry.fields import LongText, Strict, Text, UnitId
from registry.organizations.models import Committee


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
