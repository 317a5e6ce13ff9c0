"""Checks 11-13 and 15 (in part): GDPR. A DPIA (or a documented screening) where processing is likely
to be high-risk, safeguards for fully automated decisions, a lawful basis (and an Art. 9 condition
for special categories), a retention period, the information to employees, and a DPIA kept up to
date after material changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from registry.obligations.rules.engine import (
    Context,
    Document,
    Hit,
    Message,
    Severity,
    day,
    in_operation,
    monitors,
    processes_personal_data,
    special_categories,
    sub,
)

# GDPR Art. 22(2): (a) contract, (b) Union or member-state law, (c) explicit consent. The Art. 6 bases
# that can carry such a decision; legitimate interests and vital interests cannot.
ART22_BASES = frozenset({"contract", "legal_obligation", "public_task", "consent"})


def _message(rule: str, case: str, **params: Any) -> Message:
    return Message(f"finding.gdpr.{rule}.{case}", params)


def evaluates(document: Document) -> bool:
    """Systematic evaluation of employees: profiling, an Annex III point 4 system, or performance or
    behaviour data seen person by person."""
    ai_act = sub(document, "ai_act")
    point = ai_act.get("annex_iii_point")
    if ai_act.get("profiling") is True or (isinstance(point, str) and point.startswith("4")):
        return True
    categories = document.get("data_categories") or ()
    if "work_performance" not in categories and "behaviour" not in categories:
        return False
    return any(
        isinstance(entry, dict) and entry.get("scope") == "individual"
        for entry in document.get("access") or ()
    )


def dpia_missing(document: Document, context: Context) -> Hit | None:
    reasons: list[Message] = []
    if specials := special_categories(document):
        reasons.append(_message("dpia_missing", "reason.special", categories=specials))
    if monitors(document):
        reasons.append(_message("dpia_missing", "reason.monitors"))
    if evaluates(document):
        reasons.append(_message("dpia_missing", "reason.evaluates"))
    if not reasons:
        return None
    dpia = sub(document, "dpia")
    status = dpia.get("status")
    if status in {"done", "screened"} or (status == "not_required" and dpia.get("reference")):
        return None
    if status == "planned" and not in_operation(document):
        return None
    state = None
    if status == "planned":
        state = _message("dpia_missing", "state.only_planned")
    elif status == "not_required":
        state = _message("dpia_missing", "state.not_documented")
    return Hit(
        Severity.violation, _message("dpia_missing", "none", reasons=reasons, state=state), ("dpia.status",)
    )


def automated_decision_safeguards(document: Document, context: Context) -> Hit | None:
    if (
        document.get("automated_decision") != "fully_automated"
        or document.get("significant_effect") is not True
    ):
        return None
    basis = document.get("legal_basis")
    missing: list[Message] = []
    fields: list[str] = []
    if basis not in ART22_BASES:
        missing.append(_message("automated_decision_safeguards", "missing.basis", stated=basis))
        fields.append("legal_basis")
    if not document.get("contest_channel"):
        missing.append(_message("automated_decision_safeguards", "missing.contest_channel"))
        fields.append("contest_channel")
    if not fields:
        return None
    message = _message("automated_decision_safeguards", "missing", missing=missing)
    return Hit(Severity.violation, message, tuple(fields))


def lawful_basis_missing(document: Document, context: Context) -> Hit | None:
    if not processes_personal_data(document):
        return None
    specials = special_categories(document) if not document.get("special_category_basis") else []
    no_basis = not document.get("legal_basis")
    if not no_basis and not specials:
        return None
    parts: list[Message] = []
    fields: list[str] = []
    if no_basis:
        parts.append(_message("lawful_basis_missing", "part.no_basis"))
        fields.append("legal_basis")
    if specials:
        parts.append(_message("lawful_basis_missing", "part.no_condition", categories=specials))
        fields.append("special_category_basis")
    return Hit(Severity.violation, _message("lawful_basis_missing", "parts", parts=parts), tuple(fields))


def retention_missing(document: Document, context: Context) -> Hit | None:
    if not processes_personal_data(document):
        return None
    retention = sub(document, "retention")
    if retention.get("period_days") is not None or retention.get("description"):
        return None
    return Hit(
        Severity.warning,
        _message("retention_missing", "not_stated"),
        ("retention.period_days", "retention.description"),
    )


def employee_notice_missing(document: Document, context: Context) -> Hit | None:
    if not processes_personal_data(document) or document.get("employee_notice_ref"):
        return None
    return Hit(
        Severity.warning, _message("employee_notice_missing", "no_reference"), ("employee_notice_ref",)
    )


def dpia_outdated(document: Document, context: Context) -> Hit | None:
    change = context.latest_material_change
    made = day(sub(document, "dpia").get("date"))
    if change is None or made is None:
        return None
    if made >= change - timedelta(days=context.settings.rules_change_window_days):
        return None
    return Hit(
        Severity.warning,
        _message("dpia_outdated", "older_than_change", made=made, change=change),
        ("dpia.date",),
    )
