"""Checks 11-13 and 15 (in part), M4, M7, M11, M12: GDPR. A DPIA (or a documented screening) where
processing is likely to be high-risk (Datatilsynet's Art. 35(4) list included), safeguards for fully
automated decisions, a lawful basis that fits the employer (and an Art. 9 condition for special
categories, an Art. 10 basis for criminal offences), a retention period, the information to the
employees (its reference and its timing), a processing agreement and a basis for transfers outside
the EU, a DPIA kept up to date after material changes, and a retired system's data deleted."""

from __future__ import annotations

from typing import Any

from registry.obligations.rules.engine import (
    Context,
    Document,
    Hit,
    Message,
    Severity,
    ahead,
    day,
    in_operation,
    monitors,
    processes_personal_data,
    shift,
    special_categories,
    sub,
)

# GDPR Art. 22(2): (a) contract, (b) Union or member-state law, (c) explicit consent. The Art. 6 bases
# that can carry such a decision; legitimate interests and vital interests cannot.
ART22_BASES = frozenset({"contract", "legal_obligation", "public_task", "consent"})


def _message(rule: str, case: str, **params: Any) -> Message:
    return Message(f"finding.gdpr.{rule}.{case}", params)


def employee_categories(document: Document) -> list[str]:
    """The data categories about employees (a category not named in data_subjects is about them)."""
    subjects = document.get("data_subjects") or {}
    return [
        c for c in document.get("data_categories") or () if "employees" in (subjects.get(c) or ["employees"])
    ]


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
    about_employees = employee_categories(document)
    if "location" in about_employees:
        # Datatilsynet's list: location data, with employees as vulnerable data subjects (WP248).
        reasons.append(_message("dpia_missing", "reason.location"))
    elif about_employees and not reasons:
        # Datatilsynet's list: innovative technology (AI) with employees' data.
        reasons.append(_message("dpia_missing", "reason.innovative"))
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


def _individual(document: Document) -> bool:
    return any(
        isinstance(entry, dict) and entry.get("scope") == "individual"
        for entry in document.get("access") or ()
    )


def automated_decision_safeguards(document: Document, context: Context) -> Hit | None:
    if document.get("automated_decision") != "fully_automated":
        return None
    if document.get("significant_effect") is not True:
        # The classic borderline: work allocated or rated automatically, person by person, stated as
        # without significant effect. The register cannot decide it; the committee should.
        rated = {"work_performance", "behaviour"} & set(document.get("data_categories") or ())
        if rated and _individual(document):
            message = _message("automated_decision_safeguards", "borderline")
            return Hit(Severity.info, message, ("significant_effect",))
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
    if made >= shift(change, -(context.settings.rules_change_window_days)):
        return None
    return Hit(
        Severity.warning,
        _message("dpia_outdated", "older_than_change", made=made, change=change),
        ("dpia.date",),
    )


def employee_notice_late(document: Document, context: Context) -> Hit | None:
    """M4: the information of Art. 13 is given when the data is collected, that is before go-live."""
    given, go_live = day(document.get("employee_notice_given_at")), day(document.get("go_live_at"))
    if given is None or go_live is None or given <= go_live:
        return None
    message = _message("employee_notice_late", "after_go_live", given=given, go_live=go_live)
    return Hit(ahead(Severity.warning, go_live, context.today), message, ("employee_notice_given_at",))


def processor_agreement_missing(document: Document, context: Context) -> Hit | None:
    """M4: a vendor or another company that runs the system processes the data for the employer
    (Art. 28), and data sent outside the EU/EEA needs a basis (Art. 44-49)."""
    if not processes_personal_data(document):
        return None
    transfer = sub(document, "third_country_transfer")
    if transfer.get("countries") and transfer.get("safeguard") in (None, "none"):
        message = _message("processor_agreement_missing", "transfer", countries=transfer["countries"])
        return Hit(Severity.warning, message, ("third_country_transfer.safeguard",))
    if document.get("operated_by") in ("vendor", "third_party") and not document.get(
        "processor_agreement_ref"
    ):
        message = _message(
            "processor_agreement_missing", "no_agreement", operator=document.get("operator_name")
        )
        return Hit(Severity.warning, message, ("processor_agreement_ref",))
    return None


def basis_unfit(document: Document, context: Context) -> Hit | None:
    """M12: a basis that does not fit: legitimate interests for a public authority's tasks (Art. 6(1),
    last subparagraph), consent from employees (rarely free), criminal offences without a basis in
    Art. 10 and databeskyttelsesloven § 8, special categories in fully automated decisions (Art. 22(4))."""
    basis = document.get("legal_basis")
    categories = set(document.get("data_categories") or ())
    if basis == "legitimate_interests" and context.sector == "public":
        return Hit(Severity.warning, _message("basis_unfit", "public_legitimate_interests"), ("legal_basis",))
    if basis == "consent" and employee_categories(document):
        return Hit(Severity.warning, _message("basis_unfit", "employee_consent"), ("legal_basis",))
    if "criminal_offences" in categories and basis not in ("legal_obligation", "public_task"):
        return Hit(
            Severity.warning, _message("basis_unfit", "criminal_offences"), ("legal_basis", "data_categories")
        )
    specials = special_categories(document)
    allowed = {"explicit_consent", "substantial_public_interest"}
    if (
        specials
        and document.get("automated_decision") == "fully_automated"
        and document.get("significant_effect") is True  # Art. 22(4) is about Art. 22(1) decisions
        and document.get("special_category_basis") not in allowed
    ):
        message = _message("basis_unfit", "automated_special", categories=specials)
        return Hit(Severity.violation, message, ("automated_decision", "special_category_basis"))
    return None


def data_not_deleted(document: Document, context: Context) -> Hit | None:
    """M11: a retired system's data is deleted when there is no reason to keep it (Art. 5(1)(e), 17)."""
    if document.get("status") != "retired" or not processes_personal_data(document):
        return None
    if document.get("data_deleted_at"):
        return None
    retired = day(document.get("retired_at"))
    return Hit(
        Severity.warning, _message("data_not_deleted", "retired", retired=retired), ("data_deleted_at",)
    )
