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

# A public-sector, high-risk control measure in use that meets every check: the hardest case to keep
# quiet, so every rule has something to look at.
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
    "contest_channel": None,
    "ai_act": {
        "risk_class": "high_risk",
        "annex_iii_point": "4(d)",
        "profiling": False,
        "emotion_recognition": False,
        "provider_eu_db_ref": "EU-DB-123",
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

BASE_CONTEXT = Context(today=TODAY, sector="public", notice_period_days=42, settings=SETTINGS)

EXPECTED_IDS = [
    "control_measure.notice_missing",
    "control_measure.notice_late",
    "control_measure.exception_incomplete",
    "control_measure.briefing_missing",
    "control_measure.briefing_late",
    "control_measure.change_without_notice",
    "high_risk.workers_not_informed",
    "high_risk.workers_informed_late",
    "high_risk.no_trained_overseer",
    "high_risk.log_retention_short",
    "high_risk.public_fria_missing",
    "high_risk.public_eu_database_missing",
    "ai_act.emotion_recognition",
    "ai_act.disclosure_missing",
    "gdpr.dpia_missing",
    "gdpr.automated_decision_safeguards",
    "gdpr.lawful_basis_missing",
    "gdpr.retention_missing",
    "gdpr.employee_notice_missing",
    "apv.outdated",
    "apv.reassessment_overdue",
    "apv.reassessment_without_amo",
    "gdpr.dpia_outdated",
    "high_risk.fria_outdated",
    "ai_act.literacy_missing",
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


def context(**changes: Any) -> Context:
    return dataclasses.replace(BASE_CONTEXT, **changes)


def ids(document: dict[str, Any], ctx: Context = BASE_CONTEXT) -> list[str]:
    return [f.rule_id for f in evaluate(document, ctx)]


def only(rule_id: str, document: dict[str, Any], ctx: Context = BASE_CONTEXT) -> Finding:
    found = [f for f in evaluate(document, ctx) if f.rule_id == rule_id]
    assert len(found) == 1, f"{rule_id} did not fire: {ids(document, ctx)}"
    return found[0]


def test_the_base_document_is_compliant_in_both_sectors() -> None:
    assert evaluate(BASE, BASE_CONTEXT) == []
    assert evaluate(BASE, context(sector="private")) == []


def test_rule_ids_are_unique_and_stable() -> None:
    assert [rule.id for rule in RULES] == EXPECTED_IDS
    assert len(set(EXPECTED_IDS)) == len(EXPECTED_IDS)


def test_every_check_of_domain_section_7_has_a_rule() -> None:
    assert sorted({rule.check_no for rule in RULES}) == list(range(1, 17))


# Each case: a document change (and context change) that makes exactly this rule fire, and the nearest
# compliant variant that does not. Every rule appears at least once.
FIRES: list[tuple[str, dict[str, Any], dict[str, Any], Severity]] = [
    ("control_measure.notice_missing", {"notice__given_at": None}, {}, Severity.violation),
    ("control_measure.notice_late", {"notice__given_at": "2026-02-09"}, {}, Severity.violation),
    ("control_measure.notice_late", {"notice__given_at": "2026-03-05"}, {}, Severity.violation),
    (
        "control_measure.exception_incomplete",
        {"notice__late_notice_at": "2026-03-10"},
        {},
        Severity.violation,
    ),
    (
        "control_measure.exception_incomplete",
        {"notice__exception_reason": "Formålet går tabt", "notice__given_at": None},
        {},
        Severity.violation,
    ),
    (
        "control_measure.briefing_missing",
        {"consultation__informed_at": None, "workers_informed_at": None, "ai_act__risk_class": "minimal"}
        | {"ai_act__annex_iii_point": None},
        {},
        Severity.violation,
    ),
    (
        "control_measure.briefing_late",
        {
            "consultation__informed_at": "2026-03-02",
            "workers_informed_at": None,
            "ai_act__annex_iii_point": None,
        }
        | {
            "ai_act__risk_class": "limited",
            "consultation__discussed_at": None,
            "consultation__decided_at": None,
        },
        {},
        Severity.violation,
    ),
    (
        "control_measure.change_without_notice",
        {"dpia__date": "2026-05-01", "ai_act__fria_date": "2026-05-01"},
        {"latest_material_change": date(2026, 5, 15)},
        Severity.warning,
    ),
    (
        "high_risk.workers_not_informed",
        {"consultation__informed_at": None, "workers_informed_at": None, "control_measure": False},
        {},
        Severity.warning,
    ),
    (
        "high_risk.workers_informed_late",
        {"consultation__informed_at": None, "workers_informed_at": "2026-03-02", "control_measure": False},
        {},
        Severity.warning,
    ),
    ("high_risk.no_trained_overseer", {"human_oversight__trained": None}, {}, Severity.warning),
    ("high_risk.no_trained_overseer", {"human_oversight": None}, {}, Severity.warning),
    ("high_risk.log_retention_short", {"log_retention_days": 90}, {}, Severity.warning),
    ("high_risk.log_retention_short", {"log_retention_days": None}, {}, Severity.warning),
    ("high_risk.public_fria_missing", {"ai_act__fria_date": None}, {}, Severity.warning),
    ("high_risk.public_eu_database_missing", {"ai_act__provider_eu_db_ref": None}, {}, Severity.warning),
    ("ai_act.emotion_recognition", {"ai_act__emotion_recognition": True}, {}, Severity.violation),
    (
        "ai_act.disclosure_missing",
        {"category": "generative_assistant", "usage_policy__ai_content_labelled": False},
        {},
        Severity.warning,
    ),
    ("gdpr.dpia_missing", {"dpia": None}, {}, Severity.violation),
    (
        "gdpr.dpia_missing",
        {"dpia": {"status": "planned", "date": None, "reference": None}},
        {},
        Severity.violation,
    ),
    (
        "gdpr.automated_decision_safeguards",
        {"automated_decision": "fully_automated", "significant_effect": True, "contest_channel": "HR"}
        | {"legal_basis": "legitimate_interests"},
        {},
        Severity.violation,
    ),
    (
        "gdpr.automated_decision_safeguards",
        {"automated_decision": "fully_automated", "significant_effect": True},
        {},
        Severity.violation,
    ),
    ("gdpr.lawful_basis_missing", {"legal_basis": None}, {}, Severity.violation),
    (
        "gdpr.lawful_basis_missing",
        {"data_categories": ["health"], "special_categories": ["health"]},
        {},
        Severity.violation,
    ),
    ("gdpr.retention_missing", {"retention": None}, {}, Severity.warning),
    ("gdpr.employee_notice_missing", {"employee_notice_ref": None}, {}, Severity.warning),
    ("apv.outdated", {"apv_last_assessed_at": "2023-05-01"}, {}, Severity.violation),
    ("apv.outdated", {"apv_last_assessed_at": None}, {}, Severity.warning),
    ("apv.reassessment_overdue", {}, {"apv_overdue": True}, Severity.warning),
    ("apv.reassessment_without_amo", {}, {"apv_completed_without_amo": True}, Severity.violation),
    (
        "gdpr.dpia_outdated",
        {"control_measure": False, "ai_act__fria_date": "2026-05-01"},
        {"latest_material_change": date(2026, 5, 15)},
        Severity.warning,
    ),
    (
        "high_risk.fria_outdated",
        {"control_measure": False, "dpia__date": "2026-05-01"},
        {"latest_material_change": date(2026, 5, 15)},
        Severity.warning,
    ),
    ("ai_act.literacy_missing", {"training": None}, {}, Severity.violation),
    ("ai_act.literacy_missing", {"training__provided": False}, {}, Severity.violation),
]

QUIET: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("control_measure.notice_missing", {"control_measure": False, "notice": None}, {}),
    (
        "control_measure.notice_missing",
        {"notice__given_at": None, "notice__exception_reason": "Formålet går tabt"}
        | {"notice__late_notice_at": "2026-03-03"},
        {},
    ),
    ("control_measure.notice_late", {"notice__given_at": "2026-01-18"}, {}),  # exactly 42 days
    (
        "control_measure.notice_late",
        {"notice__given_at": "2026-02-20", "notice__exception_reason": "Formålet går tabt"}
        | {"notice__late_notice_at": "2026-03-03"},
        {},
    ),
    ("control_measure.notice_late", {"go_live_at": None}, {}),
    (
        "control_measure.exception_incomplete",
        {"notice__exception_reason": "Formålet går tabt", "notice__late_notice_at": "2026-03-03"},
        {},
    ),
    ("control_measure.briefing_missing", {"consultation__informed_at": None}, {}),  # workers_informed_at
    (
        "control_measure.briefing_late",
        {"consultation__informed_at": "2026-03-01", "workers_informed_at": None},
        {},
    ),
    ("control_measure.change_without_notice", {}, {"latest_material_change": date(2026, 4, 1)}),
    (
        "control_measure.change_without_notice",
        {"notice__given_at": None},
        {"latest_material_change": date(2027, 1, 1)},
    ),
    ("high_risk.workers_not_informed", {"consultation__informed_at": None}, {}),
    (
        "high_risk.workers_not_informed",
        {"consultation__informed_at": None, "workers_informed_at": None, "control_measure": False}
        | {"ai_act__risk_class": "limited", "ai_act__annex_iii_point": "1"},
        {},
    ),
    ("high_risk.workers_informed_late", {"workers_informed_at": "2026-03-01"}, {}),
    ("high_risk.no_trained_overseer", {"ai_act": None, "human_oversight": None}, {}),
    ("high_risk.log_retention_short", {"log_retention_days": 183}, {}),
    (
        "high_risk.log_retention_short",
        {"log_retention_days": 10, "ai_act__risk_class": "minimal"} | _NOT_4,
        {},
    ),
    ("high_risk.public_fria_missing", {"ai_act__fria_date": None}, {"sector": "private"}),
    ("high_risk.public_eu_database_missing", {"ai_act__provider_eu_db_ref": None}, {"sector": "private"}),
    ("ai_act.emotion_recognition", {"ai_act__emotion_recognition": None}, {}),
    ("ai_act.disclosure_missing", {"category": "generative_assistant"}, {}),
    ("ai_act.disclosure_missing", {"usage_policy": None}, {}),
    ("gdpr.dpia_missing", {"dpia": {"status": "screened", "date": "2025-12-01", "reference": None}}, {}),
    ("gdpr.dpia_missing", {"dpia": {"status": "not_required", "date": None, "reference": "Screening 3"}}, {}),
    (
        "gdpr.dpia_missing",
        {"dpia": {"status": "planned", "date": None, "reference": None}, "status": "planned"},
        {},
    ),
    (
        "gdpr.dpia_missing",
        {"dpia": None, "category": "analytics", "control_measure": False, "access": []} | _NOT_4,
        {},
    ),
    (
        "gdpr.automated_decision_safeguards",
        {"automated_decision": "fully_automated", "significant_effect": True, "contest_channel": "HR"},
        {},
    ),
    ("gdpr.automated_decision_safeguards", {"automated_decision": "fully_automated"}, {}),
    (
        "gdpr.lawful_basis_missing",
        {"data_categories": ["health"], "special_categories": ["health"]}
        | {"special_category_basis": "employment_obligations"},
        {},
    ),
    (
        "gdpr.lawful_basis_missing",
        {"legal_basis": None, "data_categories": [], "category": "analytics", "control_measure": False},
        {},
    ),
    ("gdpr.retention_missing", {"retention": {"period_days": None, "description": "Slettes efter 1 år"}}, {}),
    ("gdpr.employee_notice_missing", {"employee_notice_ref": "v1"}, {}),
    ("apv.outdated", {"apv_last_assessed_at": "2023-06-02"}, {}),  # exactly 1095 days
    ("apv.outdated", {"apv_last_assessed_at": "2023-05-01"}, {"last_apv_completed": date(2026, 1, 1)}),
    ("apv.outdated", {"apv_last_assessed_at": None}, {"last_apv_completed": date(2026, 1, 1)}),
    ("apv.reassessment_overdue", {}, {"apv_overdue": False}),
    ("apv.reassessment_without_amo", {}, {"apv_completed_without_amo": False}),
    ("gdpr.dpia_outdated", {}, {"latest_material_change": date(2026, 2, 28)}),  # 89 days after the DPIA
    ("gdpr.dpia_outdated", {"dpia__date": None}, {"latest_material_change": date(2027, 1, 1)}),
    (
        "high_risk.fria_outdated",
        {"ai_act__fria_date": "2026-05-20"},
        {"latest_material_change": date(2026, 5, 15)},
    ),
    ("ai_act.literacy_missing", {"training": None, "operated_by": "third_party"}, {}),
]


@pytest.mark.parametrize(
    ("rule_id", "changes", "context_changes", "severity"),
    FIRES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(FIRES)],
)
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


@pytest.mark.parametrize(
    ("rule_id", "changes", "context_changes"), QUIET, ids=[f"{c[0]}-{i}" for i, c in enumerate(QUIET)]
)
def test_rule_stays_quiet_on_the_compliant_variant(
    rule_id: str, changes: dict[str, Any], context_changes: dict[str, Any]
) -> None:
    assert rule_id not in ids(make(**changes), context(**context_changes))


def test_every_rule_has_a_firing_and_a_quiet_case() -> None:
    assert {case[0] for case in FIRES} == set(EXPECTED_IDS)
    assert {case[0] for case in QUIET} == set(EXPECTED_IDS)


def test_each_firing_case_fires_its_rule_alone() -> None:
    """The builders change one thing at a time: a case fires its own rule and nothing else."""
    for rule_id, changes, context_changes, _ in FIRES:
        assert ids(make(**changes), context(**context_changes)) == [rule_id], (rule_id, changes)


# --- messages name the concrete dates and values ----------------------------------------------------


def test_late_notice_message_names_dates_and_period() -> None:
    finding = only("control_measure.notice_late", make(notice__given_at="2026-02-09"))
    assert da(finding) == (
        "Systemet gik i drift 1. marts 2026, kun 20 dage efter varslingen den 9. februar 2026; "
        "varslingsfristen er 42 dage."
    )
    assert "1 March 2026" in en(finding)
    assert "20 days" in en(finding)
    assert finding.message.to_json() == {
        "key": "finding.control_measure.notice_late.went_live",
        "params": {"days": 20, "go_live": "2026-03-01", "given": "2026-02-09", "period": 42},
    }
    assert finding.fields == ("go_live_at", "notice.given_at")


def test_notice_source_depends_on_the_sector() -> None:
    document = make(notice__given_at=None)
    assert only("control_measure.notice_missing", document, context(sector="private")).source == (
        "DA/LO-aftalen om kontrolforanstaltninger"
    )
    assert "KL/Forhandlingsfællesskabet" in only("control_measure.notice_missing", document).source


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
    assert "183 dage" in da(finding)


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

DATED: list[tuple[str, dict[str, Any], str]] = [
    ("ai_act.emotion_recognition", {"ai_act__emotion_recognition": True}, "rules_ai_act_prohibitions_from"),
    ("ai_act.literacy_missing", {"training": None}, "rules_ai_act_prohibitions_from"),
    (
        "ai_act.disclosure_missing",
        {"category": "generative_assistant", "usage_policy": None},
        "rules_ai_act_transparency_from",
    ),
    (
        "high_risk.workers_not_informed",
        {"consultation__informed_at": None, "workers_informed_at": None},
        "rules_ai_act_high_risk_from",
    ),
    (
        "high_risk.workers_informed_late",
        {"workers_informed_at": "2026-03-02", "consultation__informed_at": None},
        "rules_ai_act_high_risk_from",
    ),
    ("high_risk.no_trained_overseer", {"human_oversight__trained": False}, "rules_ai_act_high_risk_from"),
    ("high_risk.log_retention_short", {"log_retention_days": 30}, "rules_ai_act_high_risk_from"),
    ("high_risk.public_fria_missing", {"ai_act__fria_date": None}, "rules_ai_act_high_risk_from"),
    (
        "high_risk.public_eu_database_missing",
        {"ai_act__provider_eu_db_ref": None},
        "rules_ai_act_high_risk_from",
    ),
]


@pytest.mark.parametrize(("rule_id", "changes", "setting"), DATED, ids=[c[0] for c in DATED])
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
    assert SETTINGS.rules_apv_max_age_days == 1095
    assert SETTINGS.rules_min_log_retention_days == 183
    monkeypatch.setenv("AIREG_RULES_AI_ACT_HIGH_RISK_FROM", "2026-01-01")
    monkeypatch.setenv("AIREG_RULES_MIN_LOG_RETENTION_DAYS", "365")
    moved = RuleSettings()
    finding = only("high_risk.log_retention_short", make(log_retention_days=200), context(settings=moved))
    assert finding.severity is Severity.violation  # 2026-06-01 is after the moved date
    assert "high_risk.log_retention_short" not in ids(make(log_retention_days=200))
    assert "365 dage" in da(finding)


def test_every_setting_is_described() -> None:
    for name, field in RuleSettings.model_fields.items():
        assert field.description, name


# --- applicability --------------------------------------------------------------------------------


def test_retired_systems_have_no_findings() -> None:
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
    assert evaluate(retired, context(apv_overdue=True, apv_completed_without_amo=True)) == []


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
    assert "ai_act.literacy_missing" not in by_id  # nobody uses it yet
    assert "apv.outdated" not in by_id
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
        assert (
            only("ai_act.literacy_missing", make(status=status, training=None)).severity is Severity.violation
        )


def test_high_risk_means_class_annex_point_4_or_profiling() -> None:
    plain = {"ai_act": {"risk_class": "minimal", "annex_iii_point": None, "profiling": None}}
    assert not is_high_risk(plain)
    assert not is_high_risk({})
    assert is_high_risk({"ai_act": {"risk_class": "high_risk"}})
    assert is_high_risk({"ai_act": {"risk_class": "minimal", "annex_iii_point": "4"}})
    assert is_high_risk({"ai_act": {"risk_class": "minimal", "annex_iii_point": "4(a)"}})
    assert is_high_risk({"ai_act": {"risk_class": "limited", "profiling": True}})
    assert not is_high_risk({"ai_act": {"annex_iii_point": "5(b)"}})


def test_change_without_notice_accepts_a_notice_given_ahead_within_the_window() -> None:
    change = date(2026, 5, 15)
    ahead = make(notice__given_at=str(change - timedelta(days=90)))
    assert "control_measure.change_without_notice" not in ids(ahead, context(latest_material_change=change))
    older = make(notice__given_at=str(change - timedelta(days=91)), go_live_at="2026-05-01")
    older["dpia"]["date"] = older["ai_act"]["fria_date"] = "2026-05-01"
    assert ids(older, context(latest_material_change=change)) == ["control_measure.change_without_notice"]
    # An organization's longer notice period widens the window.
    assert "control_measure.change_without_notice" not in ids(
        older, context(latest_material_change=change, notice_period_days=120)
    )


# --- catalogue and volume -------------------------------------------------------------------------


def test_rule_catalogue_lists_every_rule_with_source_and_both_languages() -> None:
    catalogue = rule_catalogue()
    assert [entry["id"] for entry in catalogue] == EXPECTED_IDS
    for entry in catalogue:
        assert entry["source"]
        description_da, description_en = (translator(lang)(f"rule.{entry['id']}") for lang in ("da", "en"))
        assert description_da != description_en
        assert 1 <= entry["check"] <= 16


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
            assert findings == []
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
        "Systemet er en planlagt kontrolforanstaltning. Husk at orientere lokal-MED, før det tages i brug "
        "(senest 1. september 2026)."
    )
    assert en(briefing) == (
        "The system is a planned control measure. Remember to inform the local MED committee (lokal-MED) "
        "before it starts (by 1 September 2026)."
    )
    undated = only("control_measure.briefing_missing", {**planned, "go_live_at": None})
    assert da(undated).endswith("før det tages i brug.")
    workers = only("high_risk.workers_not_informed", planned)
    assert da(workers).endswith("skal orienteres, før det tages i brug (senest 1. september 2026).")
    assert en(workers).endswith("must be informed before it is put into use (by 1 September 2026).")


def test_the_briefing_names_the_sectors_representatives_when_no_committee_is_stated() -> None:
    document = make(consultation=None, workers_informed_at=None)
    public = only("control_measure.briefing_missing", document)
    assert "at MED-udvalget (eller tillidsrepræsentanten) er orienteret" in da(public)
    private = only("control_measure.briefing_missing", document, context(sector="private"))
    assert "no record that the cooperation committee (or, if there is none, the shop steward) was" in en(
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
        "Den seneste APV-vurdering af systemet blev afsluttet den 2. april 2026, uden"
    )
    assert en(finding).startswith(
        "The latest APV reassessment of the system was completed on 2 April 2026 without"
    )
    undated = only("apv.reassessment_without_amo", BASE, context(apv_completed_without_amo=True))
    assert da(undated).startswith("Den seneste APV-vurdering af systemet blev afsluttet, uden")
