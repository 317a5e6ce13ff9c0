"""Compliance findings (shared/domain.md §7): each rule fires on its case and stays quiet on the
nearest compliant variant; severities switch from warning to violation on the effective date."""

from __future__ import annotations

import copy
import dataclasses
import random
from datetime import date, timedelta
from typing import Any

import pytest

from api.i18n import translator
from registry.obligations.rules import (
    RULES,
    Change,
    Context,
    Finding,
    Severity,
    evaluate,
    is_high_risk,
    rule_catalogue,
)
from registry.obligations.settings import RuleSettings


def da(finding: Finding) -> str:
    """What the finding says, in Danish, as a reader sees it."""
    return translator("da").message(finding.message.to_json())


def en(finding: Finding) -> str:
    return translator("en").message(finding.message.to_json())


TODAY = date(2026, 6, 1)
SETTINGS = RuleSettings()

# A municipal, high-risk control measure in use that meets every check: the hardest case to keep quiet,
# so every rule has something to look at. It was put into use before the AI Act's high-risk duties
# apply (Art. 111(2)): those duties are recommended good practice for it, reported as information.
BASE: dict[str, Any] = {
    "id": "00000000-0000-0000-0000-000000000001",
    "version": 3,
    "name": "Vagtplanlægning",
    "purpose": "Planlægge vagter",
    "operational_reason": "Bemanding",
    "category": "monitoring",
    "control_measure": True,
    "status": "in_use",
    "unit_ids": [],
    "affected_headcount": 40,
    "data_categories": ["work_performance", "location"],
    "special_categories": [],
    "access": [{"role": "leder", "scope": "individual", "purpose": "opfølgning"}],
    "retention": {"period_days": 365, "description": None},
    "log_retention_days": 200,
    "legal_basis": "public_task",
    "special_category_basis": None,
    "automated_decision": "supports_human",
    "significant_effect": False,
    "human_oversight": {"description": "Leder godkender", "overseer_role": "teamleder", "trained": True},
    "contest_channel": "TR eller HR",
    "ai_act": {
        "risk_class": "high_risk",
        "annex_iii_point": "4(d)",
        "profiling": False,
        "emotion_recognition": False,
        "provider_eu_db_ref": "EU-DB-123",
        "deployer_eu_db_ref": "EU-DB-DEPLOY-9",
        "fria_date": "2025-12-01",
    },
    "dpia": {"status": "done", "date": "2025-12-01", "reference": "DPIA-7"},
    "notice": {
        "given_at": "2026-01-10",
        "audience": "alle ansatte",
        "text_ref": "varsel v1",
        "exception_reason": None,
        "late_notice_at": None,
    },
    "consultation": {
        "committee": "lokal-MED",
        "informed_at": "2025-12-15",
        "discussed_at": "2026-01-05",
        "decided_at": "2026-01-08",
        "minutes_ref": "referat 2026-01",
    },
    "workers_informed_at": "2025-12-15",
    "employee_notice_ref": "privatlivserklæring v2",
    "control_measure_assessment": {
        "proportionality": "Kun vagtplanen",
        "not_offensive": "Ingen private data",
        "no_loss": "Ikke til løn",
    },
    "go_live_at": "2026-03-01",
    "retired_at": None,
    "operated_by": "employer",
    "usage_policy": {
        "expected_use": "altid",
        "guideline_ref": "AI-retningslinje v1",
        "ai_content_labelled": True,
    },
    "training": {"provided": True, "description": "2 timers kursus", "hours_per_employee": 2},
    "apv_last_assessed_at": "2026-02-01",
}

BASE_CONTEXT = Context(
    today=TODAY, sector="public", employer_type="municipal", notice_period_days=42, settings=SETTINGS
)

EXPECTED_IDS = [
    "control_measure.notice_missing",
    "control_measure.notice_late",
    "control_measure.exception_incomplete",
    "control_measure.briefing_missing",
    "control_measure.briefing_late",
    "control_measure.change_without_notice",
    "control_measure.committee_not_informed",
    "control_measure.possibly_control_measure",
    "control_measure.conditions_not_stated",
    "high_risk.workers_not_informed",
    "high_risk.workers_informed_late",
    "high_risk.no_trained_overseer",
    "high_risk.log_retention_short",
    "high_risk.public_fria_missing",
    "high_risk.public_eu_database_missing",
    "ai_act.emotion_recognition",
    "ai_act.prohibited_practice",
    "ai_act.disclosure_missing",
    "ai_act.exposed_persons_not_informed",
    "gdpr.dpia_missing",
    "gdpr.automated_decision_safeguards",
    "gdpr.lawful_basis_missing",
    "gdpr.basis_unfit",
    "gdpr.retention_missing",
    "gdpr.employee_notice_missing",
    "gdpr.employee_notice_late",
    "gdpr.processor_agreement_missing",
    "apv.outdated",
    "apv.reassessment_overdue",
    "apv.reassessment_without_amo",
    "gdpr.dpia_outdated",
    "high_risk.fria_outdated",
    "ai_act.literacy_missing",
    "product.card_changed",
    "gdpr.data_not_deleted",
]


def make(**changes: Any) -> dict[str, Any]:
    """The base document with changes; `notice__given_at=None` sets a nested field."""
    document = copy.deepcopy(BASE)
    for key, value in changes.items():
        *path, last = key.split("__")
        target = document
        for part in path:
            target = target[part]
        target[last] = value
    return document


_NOT_4 = {"ai_act__annex_iii_point": None, "ai_act__profiling": None}
# Not a control measure, and nobody sees single persons (else it may be one: M2).
_NOT_CONTROL = {"control_measure": False, "access": []}
# A high-risk duty that binds: the design changed significantly once the duties applied.
_BOUND = {"ai_act__significant_design_change_at": "2027-12-02"}
_AFTER = date(2027, 12, 2)
_MATERIAL = Change(4, date(2026, 5, 15), ("purpose_changed",))


CARD = "5f0c3c1e-8f7e-4c55-9a55-2d3f9d6e7a10"


def context(**changes: Any) -> Context:
    return dataclasses.replace(BASE_CONTEXT, **changes)


def ids(document: dict[str, Any], ctx: Context = BASE_CONTEXT) -> list[str]:
    return [f.rule_id for f in evaluate(document, ctx)]


def only(rule_id: str, document: dict[str, Any], ctx: Context = BASE_CONTEXT) -> Finding:
    found = [f for f in evaluate(document, ctx) if f.rule_id == rule_id]
    assert len(found) == 1, f"{rule_id} did not fire: {ids(document, ctx)}"
    return found[0]


def test_the_base_document_is_compliant_for_every_kind_of_employer() -> None:
    assert evaluate(BASE, BASE_CONTEXT) == []
    for employer_type in ("regional", "state", None):
        assert evaluate(BASE, context(employer_type=employer_type)) == []
    private = make(legal_basis="contract")
    assert evaluate(private, context(sector="private", employer_type="private")) == []


def test_rule_ids_are_unique_and_stable() -> None:
    assert [rule.id for rule in RULES] == EXPECTED_IDS
    assert len(set(EXPECTED_IDS)) == len(EXPECTED_IDS)


def test_every_check_has_a_rule() -> None:
    assert sorted({rule.check_no for rule in RULES}) == list(range(1, 27))


def fires(reason: str, rule_id: str, changes: dict[str, Any], ctx: dict[str, Any], severity: Severity) -> Any:
    return pytest.param(rule_id, changes, ctx, severity, id=f"{rule_id}: {reason}")


def quiet(reason: str, rule_id: str, changes: dict[str, Any], ctx: dict[str, Any]) -> Any:
    return pytest.param(rule_id, changes, ctx, id=f"{rule_id}: {reason}")


# Each case: a document change (and context change) that makes exactly this rule fire, named after the
# legal reason, and the nearest compliant variant that does not. Every rule appears at least once.
FIRES = [
    fires(
        "no notice of a control measure in use",
        "control_measure.notice_missing",
        {"notice__given_at": None},
        {},
        Severity.violation,
    ),
    fires(
        "notice 20 days before the start, 6 weeks are due",
        "control_measure.notice_late",
        {"notice__given_at": "2026-02-09"},
        {},
        Severity.violation,
    ),
    fires(
        "notice only after the start",
        "control_measure.notice_late",
        {"notice__given_at": "2026-03-05"},
        {},
        Severity.violation,
    ),
    fires(
        "late notice under the exception without a reason",
        "control_measure.exception_incomplete",
        {"notice__late_notice_at": "2026-03-10"},
        {},
        Severity.violation,
    ),
    fires(
        "exception without the date of the later notice",
        "control_measure.exception_incomplete",
        {"notice__exception_reason": "Formålet går tabt", "notice__given_at": None},
        {},
        Severity.violation,
    ),
    fires(
        "exception, but notice not as soon as possible",
        "control_measure.exception_incomplete",
        {
            "notice__exception_reason": "Formålet går tabt",
            "notice__given_at": "2026-04-01",
            "notice__late_notice_at": "2026-04-01",
        },
        {},
        Severity.warning,
    ),
    fires(
        "neither the committee nor the steward informed",
        "control_measure.briefing_missing",
        {"consultation__informed_at": None, "ai_act__risk_class": "minimal"} | _NOT_4,
        {},
        Severity.violation,
    ),
    fires(
        "committee informed after the start",
        "control_measure.briefing_late",
        {"consultation__informed_at": "2026-03-02", "ai_act__risk_class": "limited"}
        | {
            "ai_act__annex_iii_point": None,
            "consultation__discussed_at": None,
            "consultation__decided_at": None,
        },
        {},
        Severity.violation,
    ),
    fires(
        "committee informed only at the decision",
        "control_measure.briefing_late",
        {"consultation__informed_at": "2026-01-08"},
        {},
        Severity.warning,
    ),
    fires(
        "material change of a control measure without its own notice",
        "control_measure.change_without_notice",
        {"dpia__date": "2026-05-01", "ai_act__fria_date": "2026-05-01"},
        {"changes": (_MATERIAL,), "latest_material_change": _MATERIAL.effective_at},
        Severity.warning,
    ),
    fires(
        "material change announced too late",
        "control_measure.change_without_notice",
        {"dpia__date": "2026-05-01", "ai_act__fria_date": "2026-05-01"},
        {
            "changes": (_MATERIAL,),
            "latest_material_change": _MATERIAL.effective_at,
            "notices": (
                {"id": "n1", "given_at": "2026-01-10"},
                {"id": "n2", "given_at": "2026-05-01", "covers_version": 4},
            ),
        },
        Severity.warning,
    ),
    fires(
        "an AI system that changes the work, committee not informed",
        "control_measure.committee_not_informed",
        {"consultation": None, "ai_act__risk_class": "limited"} | _NOT_4 | _NOT_CONTROL,
        {},
        Severity.warning,
    ),
    fires(
        "individual location data but not flagged as a control measure",
        "control_measure.possibly_control_measure",
        {"control_measure": False},
        {},
        Severity.info,
    ),
    fires(
        "control measure without its proportionality stated",
        "control_measure.conditions_not_stated",
        {"control_measure_assessment__proportionality": None},
        {},
        Severity.warning,
    ),
    fires(
        "Art. 26(7): neither representatives nor workers informed",
        "high_risk.workers_not_informed",
        {"consultation": None, "workers_informed_at": None, "affected_headcount": None}
        | _NOT_CONTROL
        | _BOUND,
        {"today": _AFTER},
        Severity.violation,
    ),
    fires(
        "Art. 26(7): the workers themselves not informed",
        "high_risk.workers_not_informed",
        {"workers_informed_at": None} | _BOUND,
        {"today": _AFTER},
        Severity.violation,
    ),
    fires(
        "Art. 26(7), put into service before its date: good practice",
        "high_risk.workers_not_informed",
        {"workers_informed_at": None},
        {},
        Severity.info,
    ),
    fires(
        "Art. 26(7): workers informed after go-live",
        "high_risk.workers_informed_late",
        {"workers_informed_at": "2028-01-12", "go_live_at": "2028-01-10"},
        {"today": date(2028, 2, 1)},
        Severity.violation,
    ),
    fires(
        "Art. 26(2): overseer not trained",
        "high_risk.no_trained_overseer",
        {"human_oversight__trained": None} | _BOUND,
        {"today": _AFTER},
        Severity.violation,
    ),
    fires(
        "Art. 26(2): the overseer cannot stop the system",
        "high_risk.no_trained_overseer",
        {"human_oversight__can_stop": False} | _BOUND,
        {"today": _AFTER},
        Severity.violation,
    ),
    fires(
        "Art. 26(2): nobody oversees",
        "high_risk.no_trained_overseer",
        {"human_oversight": None},
        {},
        Severity.info,
    ),
    fires(
        "Art. 26(6): logs kept 90 days",
        "high_risk.log_retention_short",
        {"log_retention_days": 90} | _BOUND,
        {"today": _AFTER},
        Severity.violation,
    ),
    fires(
        "Art. 26(6): logs kept by the vendor, the contract term is asked for",
        "high_risk.log_retention_short",
        {"log_retention_days": None, "operated_by": "vendor", "processor_agreement_ref": "DBA-1"} | _BOUND,
        {"today": _AFTER},
        Severity.warning,
    ),
    fires(
        "Art. 27: public body, Annex III, no FRIA",
        "high_risk.public_fria_missing",
        {"ai_act__fria_date": None} | _BOUND,
        {"today": _AFTER},
        Severity.violation,
    ),
    fires(
        "Art. 49(3): public body has not registered its use",
        "high_risk.public_eu_database_missing",
        {"ai_act__deployer_eu_db_ref": None},
        {},
        Severity.info,
    ),
    fires(
        "Art. 5(1)(f): emotion recognition",
        "ai_act.emotion_recognition",
        {"ai_act__emotion_recognition": True, "employee_notice_ref": "v2"},
        {},
        Severity.violation,
    ),
    fires(
        "Art. 5(1)(g): biometric categorisation of trade-union membership",
        "ai_act.prohibited_practice",
        {
            "ai_act__biometric_categorisation": True,
            "data_categories": ["work_performance", "location", "trade_union_membership"],
        }
        | {
            "special_categories": ["trade_union_membership"],
            "special_category_basis": "employment_obligations",
        },
        {},
        Severity.violation,
    ),
    fires(
        "Art. 50(4): published AI text not marked",
        "ai_act.disclosure_missing",
        {"ai_act__publishes_generated_content": True, "usage_policy__ai_content_labelled": False},
        {"today": date(2026, 8, 2)},
        Severity.violation,
    ),
    fires(
        "Art. 50(1): citizens talk with a chatbot not marked as AI",
        "ai_act.disclosure_missing",
        {"ai_act__interacts_with_public": True, "usage_policy__ai_content_labelled": None},
        {},
        Severity.warning,
    ),
    fires(
        "Art. 26(11): persons decided about are not informed",
        "ai_act.exposed_persons_not_informed",
        {"employee_notice_ref": None} | _BOUND,
        {"today": _AFTER},
        Severity.violation,
    ),
    fires("Art. 35: no DPIA", "gdpr.dpia_missing", {"dpia": None}, {}, Severity.violation),
    fires(
        "Art. 35: DPIA only planned while in use",
        "gdpr.dpia_missing",
        {"dpia": {"status": "planned", "date": None, "reference": None}},
        {},
        Severity.violation,
    ),
    fires(
        "Datatilsynet's list: AI on employee data without a screening",
        "gdpr.dpia_missing",
        {"dpia": None, "category": "analytics", "data_categories": ["employment"]} | _NOT_4 | _NOT_CONTROL,
        {},
        Severity.violation,
    ),
    fires(
        "Art. 22: no basis for a fully automated decision",
        "gdpr.automated_decision_safeguards",
        {
            "automated_decision": "fully_automated",
            "significant_effect": True,
            "legal_basis": "vital_interests",
        },
        {},
        Severity.violation,
    ),
    fires(
        "Art. 22(3): no way to contest",
        "gdpr.automated_decision_safeguards",
        {"automated_decision": "fully_automated", "significant_effect": True, "contest_channel": None}
        | {"ai_act__risk_class": "limited"}
        | _NOT_4,
        {},
        Severity.violation,
    ),
    fires(
        "Art. 22 borderline: work rated automatically person by person",
        "gdpr.automated_decision_safeguards",
        {"automated_decision": "fully_automated"},
        {},
        Severity.info,
    ),
    fires(
        "Art. 6: no legal basis", "gdpr.lawful_basis_missing", {"legal_basis": None}, {}, Severity.violation
    ),
    fires(
        "Art. 9: health data without a basis",
        "gdpr.lawful_basis_missing",
        {"data_categories": ["health"], "special_categories": ["health"]},
        {},
        Severity.violation,
    ),
    fires(
        "Art. 6(1), last subparagraph: an authority's legitimate interests",
        "gdpr.basis_unfit",
        {"legal_basis": "legitimate_interests"},
        {},
        Severity.warning,
    ),
    fires(
        "employees' consent is rarely free",
        "gdpr.basis_unfit",
        {"legal_basis": "consent"},
        {},
        Severity.warning,
    ),
    fires(
        "Art. 5(1)(e): no retention period",
        "gdpr.retention_missing",
        {"retention": None},
        {},
        Severity.warning,
    ),
    fires(
        "Art. 13: no employee information",
        "gdpr.employee_notice_missing",
        {"employee_notice_ref": None, "ai_act__risk_class": "limited"} | _NOT_4,
        {},
        Severity.warning,
    ),
    fires(
        "Art. 13: information after go-live",
        "gdpr.employee_notice_late",
        {"employee_notice_given_at": "2026-03-10"},
        {},
        Severity.warning,
    ),
    fires(
        "Art. 28: a vendor runs it without a processing agreement",
        "gdpr.processor_agreement_missing",
        {"operated_by": "vendor"},
        {},
        Severity.warning,
    ),
    fires(
        "Art. 44: transfer to the USA without a basis",
        "gdpr.processor_agreement_missing",
        {"third_country_transfer": {"countries": ["USA"], "safeguard": None}},
        {},
        Severity.warning,
    ),
    fires(
        "AML § 15 a: APV older than 3 years",
        "apv.outdated",
        {"apv_last_assessed_at": "2023-05-01"},
        {},
        Severity.violation,
    ),
    fires("AML § 15 a: no APV", "apv.outdated", {"apv_last_assessed_at": None}, {}, Severity.warning),
    fires(
        "Art. 26(1): the product card changed after the version reviewed",
        "product.card_changed",
        {"product_card_id": CARD, "product_card_version": 2},
        {"product_cards": {CARD: {"version": 3, "name": "Eksempel A/S PlanAssist"}}},
        Severity.warning,
    ),
    fires(
        "AML § 15 a: APV revision overdue",
        "apv.reassessment_overdue",
        {},
        {"apv_overdue": True},
        Severity.warning,
    ),
    fires(
        "AML § 15 a: APV revised without the AMO",
        "apv.reassessment_without_amo",
        {},
        {"apv_completed_without_amo": True},
        Severity.violation,
    ),
    fires(
        "Art. 35(11): DPIA older than a material change",
        "gdpr.dpia_outdated",
        {"ai_act__fria_date": "2026-05-01"} | _NOT_CONTROL,
        {"latest_material_change": date(2026, 5, 15)},
        Severity.warning,
    ),
    fires(
        "Art. 27(2): FRIA older than a material change",
        "high_risk.fria_outdated",
        {"dpia__date": "2026-05-01"} | _NOT_CONTROL,
        {"latest_material_change": date(2026, 5, 15)},
        Severity.warning,
    ),
    fires(
        "Art. 4: no measure for AI literacy",
        "ai_act.literacy_missing",
        {"training": None},
        {},
        Severity.warning,
    ),
    fires(
        "Art. 4: training not given",
        "ai_act.literacy_missing",
        {"training__provided": False},
        {},
        Severity.warning,
    ),
    fires(
        "Art. 4: training to agree with the company that runs it",
        "ai_act.literacy_missing",
        {"training": None, "operated_by": "third_party", "processor_agreement_ref": "DBA-1"},
        {},
        Severity.info,
    ),
    fires(
        "Art. 5(1)(e), 17: retired, data not deleted",
        "gdpr.data_not_deleted",
        {"status": "retired", "retired_at": "2026-05-01"},
        {},
        Severity.warning,
    ),
]

QUIET = [
    quiet("not a control measure", "control_measure.notice_missing", {"notice": None} | _NOT_CONTROL, {}),
    quiet(
        "the exception is claimed with its reason and date",
        "control_measure.notice_missing",
        {"notice__given_at": None, "notice__exception_reason": "Formålet går tabt"}
        | {"notice__late_notice_at": "2026-03-03"},
        {},
    ),
    quiet("exactly 6 weeks", "control_measure.notice_late", {"notice__given_at": "2026-01-18"}, {}),
    quiet(
        "late under the exception",
        "control_measure.notice_late",
        {"notice__given_at": "2026-02-20", "notice__exception_reason": "Formålet går tabt"}
        | {"notice__late_notice_at": "2026-03-03"},
        {},
    ),
    quiet("no start to compare", "control_measure.notice_late", {"go_live_at": None}, {}),
    quiet(
        "a later notice for a change does not make the start late",
        "control_measure.notice_late",
        {},
        {
            "notices": (
                {"id": "n1", "given_at": "2026-01-10"},
                {"id": "n2", "given_at": "2026-04-01", "covers_version": 4},
            )
        },
    ),
    quiet(
        "exception with reason and a prompt late notice",
        "control_measure.exception_incomplete",
        {"notice__exception_reason": "Formålet går tabt", "notice__late_notice_at": "2026-03-03"},
        {},
    ),
    quiet(
        "the shop steward was informed directly",
        "control_measure.briefing_missing",
        {"consultation": None},
        {
            "worker_information": (
                {"party": "representatives", "informed_at": "2025-12-15"},
                {"party": "workers", "informed_at": "2025-12-15"},
            )
        },
    ),
    quiet(
        "informed on the day of the start, before the decision",
        "control_measure.briefing_late",
        {"consultation__informed_at": "2026-01-01"},
        {},
    ),
    quiet(
        "the change has its own notice in time",
        "control_measure.change_without_notice",
        {},
        {
            "changes": (_MATERIAL,),
            "notices": (
                {"id": "n1", "given_at": "2026-01-10"},
                {"id": "n2", "given_at": "2026-04-01", "covers_version": 4},
            ),
        },
    ),
    quiet(
        "a change before the start is part of what was announced",
        "control_measure.change_without_notice",
        {},
        {"changes": (Change(2, date(2026, 2, 1), ("purpose_changed",)),)},
    ),
    quiet(
        "the committee was informed",
        "control_measure.committee_not_informed",
        {"ai_act__risk_class": "limited"} | _NOT_4 | _NOT_CONTROL,
        {},
    ),
    quiet("it is flagged as a control measure", "control_measure.possibly_control_measure", {}, {}),
    quiet(
        "nobody sees single persons",
        "control_measure.possibly_control_measure",
        {"control_measure": False, "access": [{"role": "ledelse", "scope": "aggregate"}]},
        {},
    ),
    quiet(
        "not a control measure",
        "control_measure.conditions_not_stated",
        {"control_measure_assessment": None} | _NOT_CONTROL,
        {},
    ),
    quiet(
        "representatives and workers both informed", "high_risk.workers_not_informed", {}, {"today": _AFTER}
    ),
    quiet(
        "not high-risk",
        "high_risk.workers_not_informed",
        {
            "consultation": None,
            "workers_informed_at": None,
            "ai_act__risk_class": "limited",
            "ai_act__annex_iii_point": "1",
        }
        | _NOT_CONTROL,
        {},
    ),
    quiet(
        "informed on the day of go-live",
        "high_risk.workers_informed_late",
        {"workers_informed_at": "2026-03-01"},
        {},
    ),
    quiet(
        "no AI Act data at all",
        "high_risk.no_trained_overseer",
        {"ai_act": None, "human_oversight": None},
        {},
    ),
    quiet("6 months of logs", "high_risk.log_retention_short", {"log_retention_days": 183}, {}),
    quiet(
        "not high-risk",
        "high_risk.log_retention_short",
        {"log_retention_days": 10, "ai_act__risk_class": "minimal"} | _NOT_4,
        {},
    ),
    quiet(
        "a private employer owes no FRIA",
        "high_risk.public_fria_missing",
        {"ai_act__fria_date": None},
        {"sector": "private", "employer_type": "private"},
    ),
    quiet(
        "an Annex I medical device is not registered by its user",
        "high_risk.public_eu_database_missing",
        {"ai_act__deployer_eu_db_ref": None, "ai_act__annex_i_product": True} | _NOT_4,
        {},
    ),
    quiet("no emotion recognition", "ai_act.emotion_recognition", {"ai_act__emotion_recognition": None}, {}),
    quiet(
        "biometric data, but no categorisation",
        "ai_act.prohibited_practice",
        {"ai_act__biometric_categorisation": False},
        {},
    ),
    quiet(
        "an internal drafting assistant whose drafts are reviewed",
        "ai_act.disclosure_missing",
        {"category": "generative_assistant", "usage_policy": None},
        {"today": date(2026, 8, 2)},
    ),
    quiet(
        "the chatbot says it is AI",
        "ai_act.disclosure_missing",
        {"ai_act__interacts_with_public": True},
        {},
    ),
    quiet("information and a way to object", "ai_act.exposed_persons_not_informed", {}, {"today": _AFTER}),
    quiet(
        "documented screening",
        "gdpr.dpia_missing",
        {"dpia": {"status": "screened", "date": "2025-12-01", "reference": None}},
        {},
    ),
    quiet(
        "not required, with the reasons",
        "gdpr.dpia_missing",
        {"dpia": {"status": "not_required", "date": None, "reference": "Screening 3"}},
        {},
    ),
    quiet(
        "planned and not yet in use",
        "gdpr.dpia_missing",
        {"dpia": {"status": "planned", "date": None, "reference": None}, "status": "planned"},
        {},
    ),
    quiet(
        "no data about employees",
        "gdpr.dpia_missing",
        {"dpia": None, "category": "analytics", "data_categories": ["images_video"]}
        | {"data_subjects": {"images_video": ["citizens"]}}
        | _NOT_4
        | _NOT_CONTROL,
        {},
    ),
    quiet(
        "contract as basis and a way to contest",
        "gdpr.automated_decision_safeguards",
        {"automated_decision": "fully_automated", "significant_effect": True, "legal_basis": "contract"},
        {},
    ),
    quiet(
        "fully automated without single-person ratings",
        "gdpr.automated_decision_safeguards",
        {
            "automated_decision": "fully_automated",
            "access": [],
            "control_measure": False,
            "data_categories": ["location"],
        },
        {},
    ),
    quiet(
        "health data with its Art. 9 basis",
        "gdpr.lawful_basis_missing",
        {"data_categories": ["health"], "special_categories": ["health"]}
        | {"special_category_basis": "employment_obligations"},
        {},
    ),
    quiet(
        "no personal data",
        "gdpr.lawful_basis_missing",
        {"legal_basis": None, "data_categories": [], "category": "analytics"} | _NOT_CONTROL,
        {},
    ),
    quiet(
        "a private employer's legitimate interests",
        "gdpr.basis_unfit",
        {"legal_basis": "legitimate_interests"},
        {"sector": "private", "employer_type": "private"},
    ),
    quiet(
        "retention described",
        "gdpr.retention_missing",
        {"retention": {"period_days": None, "description": "Slettes efter 1 år"}},
        {},
    ),
    quiet("information referred to", "gdpr.employee_notice_missing", {"employee_notice_ref": "v1"}, {}),
    quiet(
        "information before go-live",
        "gdpr.employee_notice_late",
        {"employee_notice_given_at": "2026-02-20"},
        {},
    ),
    quiet(
        "the vendor has a processing agreement",
        "gdpr.processor_agreement_missing",
        {"operated_by": "vendor", "processor_agreement_ref": "DBA-2"},
        {},
    ),
    quiet("exactly 3 years", "apv.outdated", {"apv_last_assessed_at": "2023-06-02"}, {}),
    quiet(
        "revised since",
        "apv.outdated",
        {"apv_last_assessed_at": "2023-05-01"},
        {"last_apv_completed": date(2026, 1, 1)},
    ),
    quiet(
        "a revision completed",
        "apv.outdated",
        {"apv_last_assessed_at": None},
        {"last_apv_completed": date(2026, 1, 1)},
    ),
    quiet("none overdue", "apv.reassessment_overdue", {}, {"apv_overdue": False}),
    quiet("the AMO took part", "apv.reassessment_without_amo", {}, {"apv_completed_without_amo": False}),
    quiet(
        "made within 90 days before the change",
        "gdpr.dpia_outdated",
        {},
        {"latest_material_change": date(2026, 2, 28)},
    ),
    quiet(
        "no DPIA date",
        "gdpr.dpia_outdated",
        {"dpia__date": None},
        {"latest_material_change": date(2027, 1, 1)},
    ),
    quiet(
        "FRIA made after the change",
        "high_risk.fria_outdated",
        {"ai_act__fria_date": "2026-05-20"},
        {"latest_material_change": date(2026, 5, 15)},
    ),
    quiet("training given", "ai_act.literacy_missing", {}, {}),
    quiet(
        "reviewed against the card's current version",
        "product.card_changed",
        {"product_card_id": CARD, "product_card_version": 3},
        {"product_cards": {CARD: {"version": 3, "name": "Eksempel A/S PlanAssist"}}},
    ),
    quiet(
        "retired and deleted",
        "gdpr.data_not_deleted",
        {"status": "retired", "retired_at": "2026-05-01", "data_deleted_at": "2026-05-20"},
        {},
    ),
]


@pytest.mark.parametrize(("rule_id", "changes", "context_changes", "severity"), FIRES)
def test_rule_fires(
    rule_id: str, changes: dict[str, Any], context_changes: dict[str, Any], severity: Severity
) -> None:
    finding = only(rule_id, make(**changes), context(**context_changes))
    assert finding.severity is severity
    assert da(finding).strip()
    assert en(finding).strip()
    assert da(finding) != en(finding)
    assert finding.source.strip()
    assert finding.fields
    assert all(isinstance(name, str) and name for name in finding.fields)


@pytest.mark.parametrize(("rule_id", "changes", "context_changes"), QUIET)
def test_rule_stays_quiet_on_the_compliant_variant(
    rule_id: str, changes: dict[str, Any], context_changes: dict[str, Any]
) -> None:
    assert rule_id not in ids(make(**changes), context(**context_changes))


def test_every_rule_has_a_firing_and_a_quiet_case() -> None:
    assert {case.values[0] for case in FIRES} == set(EXPECTED_IDS)
    assert {case.values[0] for case in QUIET} == set(EXPECTED_IDS)


def test_each_firing_case_fires_its_rule_alone() -> None:
    """The builders change one thing at a time: a case fires its own rule and nothing else."""
    for case in FIRES:
        rule_id, changes, context_changes, _ = case.values
        expected = sorted([rule_id, *ALSO.get(rule_id, ())], key=EXPECTED_IDS.index)
        assert ids(make(**changes), context(**context_changes)) == expected, case.id


# Rules that read the same missing fact as another rule, each for its own law: the information of the
# persons a high-risk system decides about is also the employees' GDPR information.
ALSO = {"ai_act.exposed_persons_not_informed": ("gdpr.employee_notice_missing",)}


# --- messages name the concrete dates and values ----------------------------------------------------


def test_late_notice_message_names_dates_and_period() -> None:
    finding = only("control_measure.notice_late", make(notice__given_at="2026-02-09"))
    assert da(finding) == (
        "Kontrolforanstaltningen blev taget i brug 1. marts 2026, kun 20 dage efter varslingen den "
        "9. februar 2026; varslingsfristen er 6 uger (42 dage)."
    )
    assert "1 March 2026" in en(finding)
    assert "20 days" in en(finding)
    assert finding.message.to_json() == {
        "key": "finding.control_measure.notice_late.went_live",
        "params": {"days": 20, "go_live": "2026-03-01", "given": "2026-02-09", "period": 42},
    }
    assert finding.fields == ("go_live_at", "notice.given_at")


def test_the_sources_cited_fit_the_employer() -> None:
    document = make(notice__given_at=None)

    def source(employer_type: str | None, sector: str = "public") -> str:
        ctx = context(sector=sector, employer_type=employer_type)
        return only("control_measure.notice_missing", document, ctx).source

    assert source("private", "private") == "DA/LO-aftalen om kontrolforanstaltninger"
    assert source("municipal") == "Aftale om kontrolforanstaltninger (KL/Forhandlingsfællesskabet)"
    assert "Danske Regioner" in source("regional")
    assert source("state") == "Aftale om samarbejde og samarbejdsudvalg i statens institutioner"
    assert "KL" not in source(None)  # a public employer of unknown kind gets no municipal source
    briefing = make(consultation=None)
    regional = only("control_measure.briefing_missing", briefing, context(employer_type="regional"))
    assert "MED-rammeaftalen (Danske Regioner/Forhandlingsfællesskabet)" in regional.source
    state = only("control_measure.briefing_missing", briefing, context(employer_type="state"))
    assert "samarbejdsudvalget (SU)" in da(state)
    assert "State-SU" not in da(state)


def test_the_notice_period_is_the_organizations() -> None:
    document = make(notice__given_at="2026-01-18")  # 42 days before go-live
    assert "control_measure.notice_late" not in ids(document)
    finding = only("control_measure.notice_late", document, context(notice_period_days=60))
    assert "60 dage" in da(finding)


def test_notice_after_go_live_says_so() -> None:
    finding = only("control_measure.notice_late", make(notice__given_at="2026-03-05"))
    assert "4 dage før varslingen" in da(finding)
    assert "4 days before the notice" in en(finding)


def test_a_planned_go_live_too_soon_after_notice_is_a_warning_with_the_earliest_start() -> None:
    document = make(status="pilot", go_live_at="2026-06-20", notice__given_at="2026-05-20")
    finding = only("control_measure.notice_late", document)
    assert finding.severity is Severity.warning
    assert "1. juli 2026" in da(finding)


def test_special_categories_are_named() -> None:
    document = make(data_categories=["biometric"], special_categories=[], dpia=None)
    assert "biometriske data" in da(only("gdpr.dpia_missing", document))
    assert "biometric data" in en(only("gdpr.lawful_basis_missing", document))


def test_log_retention_message_names_both_values() -> None:
    finding = only("high_risk.log_retention_short", make(log_retention_days=90))
    assert "90 dage" in da(finding)
    assert "mindst 6 måneder" in da(finding)  # the law says six months
    assert "at least 6 months" in en(finding)


def test_apv_message_names_the_date_and_the_period() -> None:
    finding = only("apv.outdated", make(apv_last_assessed_at="2023-05-01"))
    assert "1. maj 2023" in da(finding)
    assert "3 år" in da(finding)
    assert "3 years" in en(finding)


def test_to_dict() -> None:
    finding = only("apv.reassessment_overdue", BASE, context(apv_overdue=True))
    assert finding.to_dict() == {
        "rule_id": "apv.reassessment_overdue",
        "severity": "warning",
        "message": {"key": "finding.apv.reassessment_overdue.overdue", "params": {}},
        "source": "Arbejdsmiljøloven § 15 a",
        "fields": ["apv_last_assessed_at"],
    }


# --- effective dates ------------------------------------------------------------------------------

_BOUND_AT = "2027-12-02"
DATED: list[tuple[str, dict[str, Any], str]] = [
    ("ai_act.emotion_recognition", {"ai_act__emotion_recognition": True}, "rules_ai_act_prohibitions_from"),
    (
        "ai_act.disclosure_missing",
        {"ai_act__publishes_generated_content": True, "usage_policy": None},
        "rules_ai_act_transparency_from",
    ),
    (
        "high_risk.workers_not_informed",
        {"workers_informed_at": None} | _BOUND,
        "rules_ai_act_high_risk_from",
    ),
    (
        "high_risk.no_trained_overseer",
        {"human_oversight__trained": False} | _BOUND,
        "rules_ai_act_high_risk_from",
    ),
    ("high_risk.log_retention_short", {"log_retention_days": 30} | _BOUND, "rules_ai_act_high_risk_from"),
    ("high_risk.public_fria_missing", {"ai_act__fria_date": None} | _BOUND, "rules_ai_act_high_risk_from"),
    (
        "high_risk.public_eu_database_missing",
        {"ai_act__deployer_eu_db_ref": None} | _BOUND,
        "rules_ai_act_high_risk_from",
    ),
    (
        "high_risk.no_trained_overseer",
        {"human_oversight__trained": False, "ai_act__annex_i_product": True}
        | {"ai_act__significant_design_change_at": "2028-08-02"},
        "rules_ai_act_annex_i_from",
    ),
]


@pytest.mark.parametrize(("rule_id", "changes", "setting"), DATED, ids=[f"{c[0]}-{c[2]}" for c in DATED])
def test_warning_before_the_effective_date_violation_from_it(
    rule_id: str, changes: dict[str, Any], setting: str
) -> None:
    effective: date = getattr(SETTINGS, setting)
    document = make(**changes)
    day_before = only(rule_id, document, context(today=effective - timedelta(days=1)))
    on_the_day = only(rule_id, document, context(today=effective))
    assert day_before.severity is Severity.warning
    assert f"Kravet gælder fra {translator('da').date(effective)}" in da(day_before)
    assert f"The duty applies from {translator('en').date(effective)}" in en(day_before)
    assert on_the_day.severity is Severity.violation
    assert "Kravet gælder fra" not in da(on_the_day)


def test_effective_dates_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert SETTINGS.rules_ai_act_prohibitions_from == date(2025, 2, 2)
    assert SETTINGS.rules_ai_act_transparency_from == date(2026, 8, 2)
    assert SETTINGS.rules_ai_act_high_risk_from == date(2027, 12, 2)
    assert SETTINGS.rules_ai_act_annex_i_from == date(2028, 8, 2)
    assert SETTINGS.rules_ai_act_public_legacy_by == date(2030, 8, 2)
    assert SETTINGS.rules_apv_max_age_days == 1095
    assert SETTINGS.rules_min_log_retention_days == 183
    monkeypatch.setenv("AIREG_RULES_AI_ACT_HIGH_RISK_FROM", "2026-01-01")
    monkeypatch.setenv("AIREG_RULES_MIN_LOG_RETENTION_DAYS", "365")
    moved = RuleSettings()
    finding = only("high_risk.log_retention_short", make(log_retention_days=200), context(settings=moved))
    assert finding.severity is Severity.violation  # 2026-06-01 is after the moved date
    assert "high_risk.log_retention_short" not in ids(make(log_retention_days=200))
    assert "12 måneder" in da(finding)


def test_every_setting_is_described() -> None:
    for name, field in RuleSettings.model_fields.items():
        assert field.description, name


# --- applicability --------------------------------------------------------------------------------


def test_retired_systems_are_only_asked_to_delete_their_data() -> None:
    worst = make(
        notice=None,
        consultation=None,
        workers_informed_at=None,
        ai_act__emotion_recognition=True,
        dpia=None,
        legal_basis=None,
        training=None,
        apv_last_assessed_at=None,
    )
    assert len(evaluate(worst, BASE_CONTEXT)) > 5
    retired = {**worst, "status": "retired", "retired_at": "2026-05-01"}
    # What is left to do once a system is retired: delete its data.
    left = evaluate(retired, context(apv_overdue=True, apv_completed_without_amo=True))
    assert [f.rule_id for f in left] == ["gdpr.data_not_deleted"]
    assert "1. maj 2026" in da(left[0])
    assert evaluate({**retired, "data_deleted_at": "2026-05-02"}, BASE_CONTEXT) == []


def test_a_planned_system_gets_preparation_findings_and_never_a_violation() -> None:
    planned = make(
        status="planned",
        go_live_at=None,
        notice=None,
        consultation=None,
        workers_informed_at=None,
        ai_act__emotion_recognition=True,
        training=None,
        apv_last_assessed_at=None,
    )
    findings = evaluate(planned, context(today=date(2028, 1, 1)))
    by_id = {f.rule_id: f for f in findings}
    assert by_id["ai_act.literacy_missing"].severity is Severity.info  # train before go-live
    assert by_id["apv.outdated"].severity is Severity.info  # revise the APV before the work changes
    assert "control_measure.notice_late" not in by_id  # no go-live date: nothing to compare
    assert by_id["control_measure.notice_missing"].severity is Severity.info
    assert by_id["control_measure.briefing_missing"].severity is Severity.info
    assert by_id["ai_act.emotion_recognition"].severity is Severity.warning
    assert all(f.severity is not Severity.violation for f in findings)


def test_a_planned_control_measure_is_told_when_to_give_notice() -> None:
    planned = make(status="planned", go_live_at="2026-09-01", notice=None)
    finding = only("control_measure.notice_missing", planned)
    assert finding.severity is Severity.info
    assert "21. juli 2026" in da(finding)  # 42 days before 2026-09-01
    late = only("control_measure.notice_missing", planned, context(today=date(2026, 7, 22)))
    assert late.severity is Severity.warning
    assert "2 September 2026" in en(late)  # earliest start if notice is given today


def test_planned_high_risk_system_must_inform_workers_before_go_live() -> None:
    planned = make(status="planned", go_live_at="2026-09-01", consultation=None, workers_informed_at=None)
    assert only("high_risk.workers_not_informed", planned).severity is Severity.info
    after = context(today=date(2026, 9, 2))
    assert only("high_risk.workers_not_informed", planned, after).severity is Severity.warning


def test_pilot_and_suspended_systems_are_in_operation() -> None:
    for status in ("pilot", "suspended"):
        # Art. 4 is a duty to take measures (Regulation (EU) 2026/1744), without a fine of its own.
        assert (
            only("ai_act.literacy_missing", make(status=status, training=None)).severity is Severity.warning
        )


def test_high_risk_means_class_annex_i_point_4_or_an_annex_iii_system_that_profiles() -> None:
    plain = {"ai_act": {"risk_class": "minimal", "annex_iii_point": None, "profiling": None}}
    assert not is_high_risk(plain)
    assert not is_high_risk({})
    assert is_high_risk({"ai_act": {"risk_class": "high_risk"}})
    assert is_high_risk({"ai_act": {"risk_class": "minimal", "annex_iii_point": "4"}})
    assert is_high_risk({"ai_act": {"risk_class": "minimal", "annex_iii_point": "4(a)"}})
    assert is_high_risk({"ai_act": {"annex_i_product": True}})
    assert is_high_risk({"ai_act": {"annex_iii_point": "5(b)", "profiling": True}})  # Art. 6(3)
    assert not is_high_risk({"ai_act": {"risk_class": "limited", "profiling": True}})  # no Annex III use
    assert not is_high_risk({"ai_act": {"annex_iii_point": "5(b)"}})


def test_an_annex_i_medical_device_is_high_risk_from_its_own_date_and_not_registered_by_its_user() -> None:
    device = make(ai_act__annex_i_product=True, ai_act__annex_iii_point=None, ai_act__deployer_eu_db_ref=None)
    device["ai_act"]["significant_design_change_at"] = "2028-08-02"
    late_2027 = context(today=date(2028, 1, 1))
    device["human_oversight"]["trained"] = False
    finding = only("high_risk.no_trained_overseer", device, late_2027)
    assert finding.severity is Severity.warning  # Annex III duties apply; Annex I ones not yet
    assert "2. august 2028" in da(finding)
    assert "high_risk.public_eu_database_missing" not in ids(device, late_2027)
    assert "high_risk.public_fria_missing" not in ids(
        {**device, "ai_act": {**device["ai_act"], "fria_date": None}}, late_2027
    )


def test_a_public_authoritys_legacy_high_risk_system_must_comply_by_2030() -> None:
    document = make(human_oversight__trained=False)  # put into use 2026-03-01, never changed
    assert (
        only("high_risk.no_trained_overseer", document, context(today=date(2029, 1, 1))).severity
        is Severity.info
    )
    assert (
        only("high_risk.no_trained_overseer", document, context(today=date(2030, 8, 2))).severity
        is Severity.violation
    )
    private = context(today=date(2031, 1, 1), sector="private", employer_type="private")
    finding = only(
        "high_risk.no_trained_overseer", make(human_oversight__trained=False, legal_basis="contract"), private
    )
    assert finding.severity is Severity.info
    assert "Anbefalet god praksis" in da(finding)
    assert "art. 111, stk. 2" in da(finding)


def test_each_notice_is_judged_against_what_it_covers() -> None:
    """The route planner's story: notice 42 days before go-live; a later change (a new district) with
    its own notice. Neither rule contradicts the other, whatever order the notices come in."""
    document = make(notice__given_at="2025-02-10", go_live_at="2025-03-24", dpia__date="2025-06-01")
    document["ai_act"]["fria_date"] = "2025-06-01"
    document["workers_informed_at"] = "2025-01-15"
    document["consultation"] |= {
        "informed_at": "2025-01-15",
        "discussed_at": "2025-01-20",
        "decided_at": "2025-01-25",
    }
    change = Change(2, date(2025, 8, 1), ("new_units_affected",))
    first = {"id": "n1", "given_at": "2025-02-10", "takes_effect_at": "2025-03-24"}
    second = {"id": "n2", "given_at": "2025-06-16", "takes_effect_at": "2025-08-01", "covers_version": 2}
    told = context(changes=(change,), latest_material_change=change.effective_at, notices=(first, second))
    assert ids(document, told) == []
    # Recorded before the change was (so it could not name its version): the day it takes effect links it.
    ahead_of_it = {**second, "covers_version": None}
    recorded_first = context(
        changes=(change,), latest_material_change=change.effective_at, notices=(first, ahead_of_it)
    )
    assert ids(document, recorded_first) == []
    untold = context(changes=(change,), latest_material_change=change.effective_at, notices=(first,))
    assert ids(document, untold) == ["control_measure.change_without_notice"]
    assert "1. august 2025" in da(only("control_measure.change_without_notice", document, untold))
    # A wrong first notice corrected by one that replaces it: the correction counts.
    wrong = {"id": "n0", "given_at": "2025-03-20"}
    corrected = {**first, "id": "n3", "replaces": "n0"}
    fixed = context(
        changes=(change,), latest_material_change=change.effective_at, notices=(wrong, second, corrected)
    )
    assert ids(document, fixed) == []
    only_wrong = context(
        changes=(change,), latest_material_change=change.effective_at, notices=(wrong, second)
    )
    assert ids(document, only_wrong) == ["control_measure.notice_late"]


def test_a_system_that_became_a_control_measure_needs_notice_for_that_change() -> None:
    became = Change(3, date(2026, 5, 1), ("control_measure_turned_on",))
    document = make(dpia__date="2026-05-01", ai_act__fria_date="2026-05-01")
    covering = {"id": "n1", "given_at": "2026-04-20", "covers_version": 3}
    late = context(changes=(became,), notices=(covering,))
    finding = only("control_measure.notice_late", document, late)
    assert "1. maj 2026" in da(finding)  # judged against the day it became one, not the first go-live
    in_time = context(changes=(became,), notices=({**covering, "given_at": "2026-03-10"},))
    assert ids(document, in_time) == []


# --- catalogue and volume -------------------------------------------------------------------------


def test_rule_catalogue_lists_every_rule_with_source_and_both_languages() -> None:
    catalogue = rule_catalogue()
    assert [entry["id"] for entry in catalogue] == EXPECTED_IDS
    for entry in catalogue:
        assert entry["source"]
        description_da, description_en = (translator(lang)(f"rule.{entry['id']}") for lang in ("da", "en"))
        assert description_da != description_en
        assert 1 <= entry["check"] <= 26


def _varied(rng: random.Random, n: int) -> dict[str, Any]:
    document = make()
    document["id"] = f"system-{n}"
    document["status"] = rng.choice(["planned", "pilot", "in_use", "in_use", "suspended", "retired"])
    document["category"] = rng.choice(["decision_support", "monitoring", "generative_assistant", "analytics"])
    document["control_measure"] = rng.random() < 0.5
    document["data_categories"] = rng.sample(
        ["location", "health", "biometric", "work_performance", "voice"], 2
    )
    document["special_categories"] = [c for c in document["data_categories"] if c in {"health", "biometric"}]
    document["automated_decision"] = rng.choice([None, "none", "supports_human", "fully_automated"])
    document["significant_effect"] = rng.choice([None, True, False])
    document["ai_act"] = rng.choice([None, {"risk_class": "minimal"}, BASE["ai_act"]])
    document["notice"] = rng.choice([None, BASE["notice"], {"given_at": "2026-02-20"}])
    document["go_live_at"] = rng.choice([None, "2026-03-01", "2026-08-01"])
    document["dpia"] = rng.choice([None, BASE["dpia"], {"status": "planned"}])
    document["training"] = rng.choice([None, BASE["training"]])
    document["log_retention_days"] = rng.choice([None, 30, 400])
    if document["status"] == "retired":
        document["retired_at"] = "2026-05-01"
    return document


def test_evaluate_handles_500_varied_systems() -> None:
    rng = random.Random(5)
    documents = [_varied(rng, n) for n in range(500)]
    ctx = context(latest_material_change=date(2026, 5, 1), apv_overdue=True)
    results = [evaluate(document, ctx) for document in documents]
    assert len(results) == 500
    known = set(EXPECTED_IDS)
    for document, findings in zip(documents, results, strict=True):
        if document["status"] == "retired":
            assert {f.rule_id for f in findings} <= {"gdpr.data_not_deleted"}
        assert all(f.rule_id in known and da(f) and en(f) for f in findings)
    assert sum(len(findings) for findings in results) > 500


def test_a_planned_system_needs_its_dpia_before_processing_starts() -> None:
    planned = make(status="planned", dpia=None)
    assert only("gdpr.dpia_missing", planned).severity is Severity.warning
    in_preparation = make(status="planned", dpia={"status": "planned", "date": None, "reference": None})
    assert "gdpr.dpia_missing" not in ids(in_preparation)


# --- every kind of message, read as a steward reads it ---------------------------------------------


def test_planned_systems_are_told_by_when_to_brief_and_inform() -> None:
    planned = make(
        status="planned", go_live_at="2026-09-01", consultation__informed_at=None, workers_informed_at=None
    )
    briefing = only("control_measure.briefing_missing", planned)
    assert da(briefing) == (
        "Systemet er en planlagt kontrolforanstaltning. Husk at orientere lokal-MED-udvalget, før den "
        "tages i brug (senest 1. september 2026)."
    )
    assert en(briefing) == (
        "The system is a planned control measure. Remember to inform the local MED committee (lokal-MED) "
        "before it is put into use (by 1 September 2026)."
    )
    undated = only("control_measure.briefing_missing", {**planned, "go_live_at": None})
    assert da(undated).endswith("før den tages i brug.")
    workers = only("high_risk.workers_not_informed", planned)
    assert da(workers).endswith("skal orienteres, før det tages i brug (senest 1. september 2026).")
    assert en(workers).endswith("must be informed before it is put into use (by 1 September 2026).")


def test_the_briefing_names_the_sectors_representatives_when_no_committee_is_stated() -> None:
    document = make(consultation=None, workers_informed_at=None)
    public = only("control_measure.briefing_missing", document)
    assert "at MED-udvalget eller tillidsrepræsentanten er orienteret" in da(public)
    private = only(
        "control_measure.briefing_missing", document, context(sector="private", employer_type="private")
    )
    assert "recorded that the cooperation committee (SU) or, where there is none, the shop steward was" in en(
        private
    )


def test_a_dpia_said_to_be_unnecessary_must_be_documented() -> None:
    finding = only(
        "gdpr.dpia_missing", make(dpia={"status": "not_required", "date": None, "reference": None})
    )
    assert da(finding).endswith(
        "dokumenteret vurdering af, om der skal laves en. Der står, at en analyse ikke er nødvendig, men "
        "vurderingen er ikke dokumenteret."
    )
    assert "  " not in da(finding)
    assert "  " not in en(finding)


def test_an_apv_completed_without_the_amo_says_when() -> None:
    ctx = context(apv_completed_without_amo=True, last_apv_completed=date(2026, 4, 2))
    finding = only("apv.reassessment_without_amo", BASE, ctx)
    assert da(finding).startswith(
        "Den seneste revision af APV'en for systemet blev afsluttet den 2. april 2026, uden"
    )
    assert en(finding).startswith(
        "The latest revision of the workplace assessment (APV) of the system was completed on "
        "2 April 2026 without"
    )
    undated = only("apv.reassessment_without_amo", BASE, context(apv_completed_without_amo=True))
    assert da(undated).startswith("Den seneste revision af APV'en for systemet blev afsluttet, uden")
