"""AI systems: the register's vocabulary and documents (pydantic v2). Field meanings: shared/domain.md.

Every model rejects unknown fields, so a misspelt field is an error and never silently dropped.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import EmailStr, Field, StringConstraints, field_validator

from registry.fields import Amount, Count, Day, LongText, RecordId, Strict, Text, UnitId
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


class DataSubject(StrEnum):
    """Whose data a category is (the written account says "about whom")."""

    employees = "employees"
    applicants = "applicants"
    citizens = "citizens"
    patients = "patients"
    customers = "customers"
    others = "others"


class AccessScope(StrEnum):
    aggregate = "aggregate"
    individual = "individual"  # sees data about each person
    own = "own"  # each person sees only their own data


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
    period_days: Count | None = Field(default=None, ge=0, le=36_500)
    description: LongText | None = None


class HumanOversight(Strict):
    description: LongText | None = None
    overseer_role: Text | None = None
    trained: bool | None = None
    can_stop: bool | None = Field(
        default=None,
        description="Has the overseer the authority and support to override or stop the system (Art. 26(2))?",
    )


class AiAct(Strict):
    risk_class: RiskClass = RiskClass.unknown
    annex_iii_point: Annotated[str, StringConstraints(pattern=r"^[1-8](\([a-d]\))?$")] | None = Field(
        default=None, description="Annex III point, e.g. '4' or '4(a)'."
    )
    profiling: bool | None = None
    emotion_recognition: bool | None = None
    biometric_categorisation: bool | None = Field(
        default=None,
        description="Does it sort people into categories from biometric data (Art. 5(1)(g), 50(3))?",
    )
    annex_i_product: bool | None = Field(
        default=None,
        description="Is the AI, or is it a safety component of, a product under the Union law of Annex I "
        "(e.g. a medical device)? Such a system is high-risk under Art. 6(1), on Annex I's date.",
    )
    interacts_with_public: bool | None = Field(
        default=None, description="Do citizens or customers talk or write with it directly (Art. 50(1))?"
    )
    publishes_generated_content: bool | None = Field(
        default=None,
        description="Does the employer publish text, images or sound it generated to inform the public, "
        "without human editorial review (Art. 50(4))?",
    )
    significant_design_change_at: Day | None = Field(
        default=None,
        description="When the system's design last changed significantly (Art. 111(2)): a high-risk "
        "system put into service before its date is covered from such a change.",
    )
    provider_eu_db_ref: Text | None = None
    deployer_eu_db_ref: Text | None = Field(
        default=None,
        description="The employer's own registration of its use in the EU database (Art. 49(3)).",
    )
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


class ControlMeasureAssessment(Strict):
    """The four conditions of a control measure (the control-measure agreements), in the employer's words."""

    proportionality: LongText | None = Field(
        default=None, description="Why the measure is in reasonable proportion to its purpose."
    )
    less_intrusive_alternatives: LongText | None = None
    not_offensive: LongText | None = Field(
        default=None, description="Why it is not offensive (ikke krænkende)."
    )
    no_loss: LongText | None = Field(default=None, description="Why it causes the employees no loss.")
    not_used_for: LongText | None = Field(
        default=None, description="What the data is never used for (e.g. pay, bonus, dismissal)."
    )


class TransferSafeguard(StrEnum):
    """GDPR Art. 45-49."""

    adequacy_decision = "adequacy_decision"
    standard_contractual_clauses = "standard_contractual_clauses"
    binding_corporate_rules = "binding_corporate_rules"
    derogation = "derogation"
    none = "none"


class ThirdCountryTransfer(Strict):
    countries: list[Text] = Field(default_factory=list, max_length=50)
    safeguard: TransferSafeguard | None = None


class UsagePolicy(Strict):
    expected_use: LongText | None = None
    guideline_ref: Text | None = None
    ai_content_labelled: bool | None = None


class Training(Strict):
    provided: bool
    description: LongText | None = None
    hours_per_employee: Amount | None = Field(default=None, ge=0, le=10_000)


class TimeSavings(Strict):
    expected_hours_per_week: Amount | None = Field(default=None, ge=0, le=1_000_000)
    realised_hours_per_week: Amount | None = Field(default=None, ge=0, le=1_000_000)
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
    product_card_id: RecordId | None = Field(
        default=None, description="The product card of the shared catalogue the system was filled in from."
    )
    product_card_version: Count | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="The version of the product card the employer last reviewed the system against: a "
        "later version of the card is a finding until the employer reviews the system and states it here.",
    )
    description: LongText | None = None
    purpose: LongText
    operational_reason: LongText | None = None
    category: Category
    control_measure: bool = Field(description="Is it a control measure (kontrolforanstaltning)?")
    status: Status
    unit_ids: list[UnitId] = Field(default_factory=list, max_length=1000)
    affected_groups: list[Text] = Field(default_factory=list, max_length=100)
    affected_headcount: Count | None = Field(default=None, ge=0, le=10_000_000)
    data_categories: list[DataCategory] = Field(default_factory=list)
    data_subjects: dict[DataCategory, list[DataSubject]] = Field(
        default_factory=dict,
        description="Whose data each category is; a category not named here is about employees.",
    )
    data_sources: list[Text] = Field(default_factory=list, max_length=100)
    access: list[Access] = Field(default_factory=list, max_length=100)
    retention: Retention | None = None
    log_retention_days: Count | None = Field(default=None, ge=0, le=36_500)
    legal_basis: LegalBasis | None = None
    legitimate_interest: LongText | None = Field(
        default=None, description="The legitimate interest pursued, where that is the basis (Art. 13(1)(d))."
    )
    special_category_basis: SpecialCategoryBasis | None = None
    automated_decision: AutomatedDecision | None = None
    significant_effect: bool | None = None
    human_oversight: HumanOversight | None = None
    contest_channel: LongText | None = None
    decision_logic: LongText | None = Field(
        default=None,
        description="Meaningful information about the logic of automated decisions or profiling, their "
        "significance and consequences (GDPR Art. 13(2)(f)).",
    )
    ai_act: AiAct | None = None
    dpia: Dpia | None = None
    notice: Notice | None = None
    consultation: Consultation | None = None
    workers_informed_at: Day | None = None
    employee_notice_ref: Text | None = None
    employee_notice_given_at: Day | None = Field(
        default=None, description="When the employees got the information of GDPR Art. 13/14."
    )
    dpo_contact: Contact | None = Field(
        default=None, description="The data protection officer (Art. 13(1)(b))."
    )
    processors: list[Text] = Field(default_factory=list, max_length=100)
    processor_agreement_ref: Text | None = Field(
        default=None, description="The data processing agreement (GDPR Art. 28)."
    )
    third_country_transfer: ThirdCountryTransfer | None = None
    control_measure_assessment: ControlMeasureAssessment | None = None
    go_live_at: Day | None = None
    retired_at: Day | None = None
    data_deleted_at: Day | None = Field(
        default=None, description="When the data of a retired system was deleted (GDPR Art. 5(1)(e), 17)."
    )
    operated_by: OperatedBy | None = None
    operator_name: Text | None = None
    usage_policy: UsagePolicy | None = None
    training: Training | None = None
    time_savings: TimeSavings | None = None
    apv_last_assessed_at: Day | None = None
    contact: Contact | None = None
    accountable_manager: Text | None = Field(
        default=None, description="Who in management stands behind the system and its written account."
    )

    @field_validator("data_categories", "unit_ids", "affected_groups", "data_sources", "processors")
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
