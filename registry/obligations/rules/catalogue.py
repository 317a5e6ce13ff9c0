"""Every compliance rule: its id, the number of its check in shared/domain.md §7, its legal source
and its check, in the order findings are listed. What each rule checks, in words, is the catalogues'
`rule.<id>` (api/i18n); docs/obligations.md documents each id."""

from __future__ import annotations

from typing import Any

from registry.obligations.rules.checks import ai_act, apv, control_measures, gdpr
from registry.obligations.rules.engine import Rule
from registry.obligations.rules.sources import AI_ACT, APV, COOPERATION_ANY, GDPR, NOTICE_ANY

# A control measure's briefing: the agreements on control measures and the cooperation agreements.
BRIEFING_ANY = f"{NOTICE_ANY}; {COOPERATION_ANY}"
ART_26_7 = f"{AI_ACT} art. 26, stk. 7"

RULES: tuple[Rule, ...] = (
    Rule("control_measure.notice_missing", 1, NOTICE_ANY, control_measures.notice_missing),
    Rule("control_measure.notice_late", 2, NOTICE_ANY, control_measures.notice_late),
    Rule("control_measure.exception_incomplete", 3, NOTICE_ANY, control_measures.exception_incomplete),
    Rule("control_measure.briefing_missing", 4, BRIEFING_ANY, control_measures.briefing_missing),
    Rule("control_measure.briefing_late", 4, BRIEFING_ANY, control_measures.briefing_late),
    Rule("control_measure.change_without_notice", 5, NOTICE_ANY, control_measures.change_without_notice),
    Rule(
        "control_measure.committee_not_informed", 17, COOPERATION_ANY, control_measures.committee_not_informed
    ),
    Rule(
        "control_measure.possibly_control_measure", 18, NOTICE_ANY, control_measures.possibly_control_measure
    ),
    Rule("control_measure.conditions_not_stated", 19, NOTICE_ANY, control_measures.conditions_not_stated),
    Rule("high_risk.workers_not_informed", 6, ART_26_7, ai_act.workers_not_informed),
    Rule("high_risk.workers_informed_late", 6, ART_26_7, ai_act.workers_informed_late),
    Rule("high_risk.no_trained_overseer", 7, f"{AI_ACT} art. 26, stk. 2", ai_act.no_trained_overseer),
    Rule("high_risk.log_retention_short", 7, f"{AI_ACT} art. 26, stk. 6", ai_act.log_retention_short),
    Rule("high_risk.public_fria_missing", 8, f"{AI_ACT} art. 27", ai_act.public_fria_missing),
    Rule(
        "high_risk.public_eu_database_missing",
        8,
        f"{AI_ACT} art. 26, stk. 8, og art. 49, stk. 3",
        ai_act.public_eu_database_missing,
    ),
    Rule("ai_act.emotion_recognition", 9, f"{AI_ACT} art. 5, stk. 1, litra f", ai_act.emotion_recognition),
    Rule("ai_act.prohibited_practice", 22, f"{AI_ACT} art. 5, stk. 1, litra g", ai_act.prohibited_practice),
    Rule("ai_act.disclosure_missing", 10, f"{AI_ACT} art. 50, stk. 1 og 4", ai_act.disclosure_missing),
    Rule(
        "ai_act.exposed_persons_not_informed",
        23,
        f"{AI_ACT} art. 26, stk. 11, og art. 50, stk. 3",
        ai_act.exposed_persons_not_informed,
    ),
    Rule("gdpr.dpia_missing", 11, f"{GDPR} art. 35, stk. 1 og 4; Datatilsynets liste", gdpr.dpia_missing),
    Rule("gdpr.automated_decision_safeguards", 12, f"{GDPR} art. 22", gdpr.automated_decision_safeguards),
    Rule(
        "gdpr.lawful_basis_missing",
        13,
        f"{GDPR} art. 6 og 9; databeskyttelsesloven § 12",
        gdpr.lawful_basis_missing,
    ),
    Rule(
        "gdpr.basis_unfit",
        25,
        f"{GDPR} art. 6, 7 og 10 og art. 22, stk. 4; databeskyttelsesloven § 8",
        gdpr.basis_unfit,
    ),
    Rule("gdpr.retention_missing", 13, f"{GDPR} art. 5, stk. 1, litra e", gdpr.retention_missing),
    Rule("gdpr.employee_notice_missing", 13, f"{GDPR} art. 13 og 14", gdpr.employee_notice_missing),
    Rule(
        "gdpr.employee_notice_late",
        20,
        f"{GDPR} art. 13, stk. 1, og art. 14, stk. 3",
        gdpr.employee_notice_late,
    ),
    Rule(
        "gdpr.processor_agreement_missing",
        21,
        f"{GDPR} art. 28 og 44-49",
        gdpr.processor_agreement_missing,
    ),
    Rule("apv.outdated", 14, APV, apv.apv_outdated),
    Rule("apv.reassessment_overdue", 14, APV, apv.apv_reassessment_overdue),
    Rule("apv.reassessment_without_amo", 14, APV, apv.apv_reassessment_without_amo),
    Rule("gdpr.dpia_outdated", 15, f"{GDPR} art. 35, stk. 11", gdpr.dpia_outdated),
    Rule("high_risk.fria_outdated", 15, f"{AI_ACT} art. 27, stk. 2", ai_act.fria_outdated),
    Rule("ai_act.literacy_missing", 16, f"{AI_ACT} art. 4", ai_act.literacy_missing),
    Rule("product.card_changed", 26, f"{AI_ACT} art. 26, stk. 1 og 5", ai_act.product_card_changed),
    Rule(
        "gdpr.data_not_deleted",
        24,
        f"{GDPR} art. 5, stk. 1, litra e, og art. 17",
        gdpr.data_not_deleted,
        retired=True,
    ),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def rule_catalogue() -> list[dict[str, Any]]:
    """Every rule for docs and the API: id, the number of its check in domain.md §7, its legal source
    (both sectors' sources where they differ) and whether it applies to planned systems."""
    return [
        {"id": rule.id, "check": rule.check_no, "source": rule.source, "applies_to_planned": rule.planned}
        for rule in RULES
    ]


__all__ = ["RULES", "RULES_BY_ID", "rule_catalogue"]
