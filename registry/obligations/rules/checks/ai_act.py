"""Checks 6-10, 16 and the FRIA half of 15: the AI Act. Informing workers before a high-risk system is
used, human oversight, logs, the public sector's FRIA and EU database, the prohibited emotion
recognition, disclosure of AI-made content, AI literacy, and a FRIA kept up to date after material
changes. Each duty is a warning before its effective date (RuleSettings) and a violation from it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from registry.obligations.rules.engine import (
    Context,
    Document,
    Hit,
    Message,
    Severity,
    ahead,
    before_deadline,
    by_date,
    day,
    in_operation,
    is_high_risk,
    not_yet,
    representatives_informed,
    sub,
)


def _message(rule: str, case: str, **params: Any) -> Message:
    return Message(f"finding.{rule}.{case}", params)


def workers_not_informed(document: Document, context: Context) -> Hit | None:
    if not is_high_risk(document) or representatives_informed(document) is not None:
        return None
    effective, today = context.settings.rules_ai_act_high_risk_from, context.today
    fields = ("workers_informed_at", "consultation.informed_at")
    if in_operation(document):
        message = _message("high_risk.workers_not_informed", "in_use", applies_from=not_yet(today, effective))
        return Hit(by_date(today, effective), message, fields)
    go_live = day(document.get("go_live_at"))
    message = _message("high_risk.workers_not_informed", "planned", by=go_live)
    return Hit(before_deadline(go_live, today), message, fields)


def workers_informed_late(document: Document, context: Context) -> Hit | None:
    if not is_high_risk(document):
        return None
    informed, go_live = representatives_informed(document), day(document.get("go_live_at"))
    if informed is None or go_live is None or informed <= go_live:
        return None
    effective, today = context.settings.rules_ai_act_high_risk_from, context.today
    message = _message(
        "high_risk.workers_informed_late",
        "after_go_live",
        informed=informed,
        go_live=go_live,
        applies_from=not_yet(today, effective),
    )
    return Hit(
        ahead(by_date(today, effective), go_live, today),
        message,
        ("workers_informed_at", "consultation.informed_at", "go_live_at"),
    )


def no_trained_overseer(document: Document, context: Context) -> Hit | None:
    if not is_high_risk(document):
        return None
    oversight = sub(document, "human_oversight")
    role = oversight.get("overseer_role")
    if role and oversight.get("trained") is True:
        return None
    effective, today = context.settings.rules_ai_act_high_risk_from, context.today
    applies_from = not_yet(today, effective)
    if not role:
        message = _message("high_risk.no_trained_overseer", "nobody", applies_from=applies_from)
        return Hit(by_date(today, effective), message, ("human_oversight.overseer_role",))
    message = _message("high_risk.no_trained_overseer", "not_trained", role=role, applies_from=applies_from)
    return Hit(by_date(today, effective), message, ("human_oversight.trained",))


def log_retention_short(document: Document, context: Context) -> Hit | None:
    if not is_high_risk(document):
        return None
    minimum = context.settings.rules_min_log_retention_days
    kept = document.get("log_retention_days")
    if kept is not None and kept >= minimum:
        return None
    effective, today = context.settings.rules_ai_act_high_risk_from, context.today
    case = "not_stated" if kept is None else "short"
    message = _message(
        "high_risk.log_retention_short",
        case,
        kept=kept,
        minimum=minimum,
        applies_from=not_yet(today, effective),
    )
    return Hit(by_date(today, effective), message, ("log_retention_days",))


def public_fria_missing(document: Document, context: Context) -> Hit | None:
    if context.sector != "public" or not is_high_risk(document):
        return None
    if sub(document, "ai_act").get("fria_date") is not None:
        return None
    effective, today = context.settings.rules_ai_act_high_risk_from, context.today
    message = _message("high_risk.public_fria_missing", "no_date", applies_from=not_yet(today, effective))
    return Hit(by_date(today, effective), message, ("ai_act.fria_date",))


def public_eu_database_missing(document: Document, context: Context) -> Hit | None:
    if context.sector != "public" or not is_high_risk(document):
        return None
    if sub(document, "ai_act").get("provider_eu_db_ref"):
        return None
    effective, today = context.settings.rules_ai_act_high_risk_from, context.today
    message = _message(
        "high_risk.public_eu_database_missing", "no_reference", applies_from=not_yet(today, effective)
    )
    return Hit(by_date(today, effective), message, ("ai_act.provider_eu_db_ref",))


def emotion_recognition(document: Document, context: Context) -> Hit | None:
    if sub(document, "ai_act").get("emotion_recognition") is not True:
        return None
    effective, today = context.settings.rules_ai_act_prohibitions_from, context.today
    message = _message("ai_act.emotion_recognition", "prohibited", applies_from=not_yet(today, effective))
    return Hit(by_date(today, effective), message, ("ai_act.emotion_recognition",))


def disclosure_missing(document: Document, context: Context) -> Hit | None:
    if document.get("category") != "generative_assistant":
        return None
    if sub(document, "usage_policy").get("ai_content_labelled") is True:
        return None
    effective, today = context.settings.rules_ai_act_transparency_from, context.today
    message = _message("ai_act.disclosure_missing", "not_labelled", applies_from=not_yet(today, effective))
    return Hit(by_date(today, effective), message, ("usage_policy.ai_content_labelled",))


def literacy_missing(document: Document, context: Context) -> Hit | None:
    if document.get("operated_by") == "third_party":
        return None  # run by another company in the supply chain: its staff, its duty
    if sub(document, "training").get("provided") is True:
        return None
    effective, today = context.settings.rules_ai_act_prohibitions_from, context.today
    message = _message("ai_act.literacy_missing", "no_training", applies_from=not_yet(today, effective))
    return Hit(by_date(today, effective), message, ("training.provided",))


def fria_outdated(document: Document, context: Context) -> Hit | None:
    change = context.latest_material_change
    made = day(sub(document, "ai_act").get("fria_date"))
    if change is None or made is None:
        return None
    if made >= change - timedelta(days=context.settings.rules_change_window_days):
        return None
    message = _message("high_risk.fria_outdated", "older_than_change", made=made, change=change)
    return Hit(Severity.warning, message, ("ai_act.fria_date",))
