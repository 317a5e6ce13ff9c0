"""Every compliance rule: its id, the number of its check in shared/domain.md §7, its legal source
and its check, in the order findings are listed. What each rule checks, in words, is the catalogues'
`rule.<id>` (api/i18n); docs/obligations.md documents each id."""

from __future__ import annotations

from typing import Any

from registry.obligations.rules.checks import ai_act, apv, control_measures, gdpr
from registry.obligations.rules.engine import Rule
from registry.obligations.rules.sources import (
    AI_ACT,
    APV,
    BRIEFING_PRIVATE,
    BRIEFING_PUBLIC,
    GDPR,
    NOTICE_ANY,
)

BRIEFING_ANY = f"{BRIEFING_PRIVATE}; {BRIEFING_PUBLIC}"

RULES: tuple[Rule, ...] = (
    Rule("control_measure.notice_missing", 1, NOTICE_ANY, control_measures.notice_missing),
    Rule("control_measure.notice_late", 2, NOTICE_ANY, control_measures.notice_late),
    Rule("control_measure.exception_incomplete", 3, NOTICE_ANY, control_measures.exception_incomplete),
    Rule("control_measure.briefing_missing", 4, BRIEFING_ANY, control_measures.briefing_missing),
    Rule("control_measure.briefing_late", 4, BRIEFING_ANY, control_measures.briefing_late),
    Rule("control_measure.change_without_notice", 5, NOTICE_ANY, control_measures.change_without_notice),
    Rule("high_risk.workers_not_informed", 6, f"{AI_ACT} art. 26, stk. 7", ai_act.workers_not_informed),
    Rule("high_risk.workers_informed_late", 6, f"{AI_ACT} art. 26, stk. 7", ai_act.workers_informed_late),
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
    Rule("ai_act.disclosure_missing", 10, f"{AI_ACT} art. 50", ai_act.disclosure_missing),
    Rule("gdpr.dpia_missing", 11, f"{GDPR} art. 35", gdpr.dpia_missing),
    Rule("gdpr.automated_decision_safeguards", 12, f"{GDPR} art. 22", gdpr.automated_decision_safeguards),
    Rule(
        "gdpr.lawful_basis_missing",
        13,
        f"{GDPR} art. 6 og 9; databeskyttelsesloven § 12",
        gdpr.lawful_basis_missing,
    ),
    Rule("gdpr.retention_missing", 13, f"{GDPR} art. 5, stk. 1, litra e", gdpr.retention_missing),
    Rule("gdpr.employee_notice_missing", 13, f"{GDPR} art. 13", gdpr.employee_notice_missing),
    Rule("apv.outdated", 14, APV, apv.apv_outdated, planned=False),
    Rule("apv.reassessment_overdue", 14, APV, apv.apv_reassessment_overdue),
    Rule("apv.reassessment_without_amo", 14, APV, apv.apv_reassessment_without_amo),
    Rule("gdpr.dpia_outdated", 15, f"{GDPR} art. 35, stk. 11", gdpr.dpia_outdated),
    Rule("high_risk.fria_outdated", 15, f"{AI_ACT} art. 27, stk. 2", ai_act.fria_outdated),
    Rule("ai_act.literacy_missing", 16, f"{AI_ACT} art. 4", ai_act.literacy_missing, planned=False),
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
