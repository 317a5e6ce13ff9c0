"""Checks 6-10, 16, the FRIA half of 15, and M5-M6: the AI Act as amended by Regulation (EU) 2026/1744.

High-risk duties apply from the date of the system's annex (Annex III: 2 Dec 2027; Annex I products
such as medical devices: 2 Aug 2028). A high-risk system put into service before that date is covered
only once its design changes significantly (Art. 111(2)); until then each duty is recommended good
practice ("Til orientering"), except that public authorities must comply by 2 Aug 2030. Before its
date a duty is a warning, from it a violation."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from registry.obligations.rules.engine import (
    Context,
    Document,
    Hit,
    Message,
    Severity,
    ahead,
    annex_iii,
    before_deadline,
    by_date,
    day,
    in_operation,
    informed,
    is_high_risk,
    not_yet,
    representatives_informed,
    shift,
    sub,
)

# Special categories whose inference from biometric data is prohibited (Art. 5(1)(g)).
INFERRED_BY_CATEGORISATION = frozenset(
    {"trade_union_membership", "political_opinion", "religion", "sexual_orientation", "ethnic_origin"}
)


def _message(rule: str, case: str, **params: Any) -> Message:
    return Message(f"finding.{rule}.{case}", params)


class Duty(NamedTuple):
    """How a high-risk duty applies to this system today."""

    severity: Severity
    applies_from: date | None  # the effective date while it lies ahead (the text names it)
    # Put (or to be put) into service before its date and not changed since: the text says so. A
    # mapping {"day", "planned"}: the rules' Message values, put in words by the `legacy` format.
    legacy: dict[str, Any] | None

    def says(self, rule: str, case: str, **params: Any) -> Message:
        """The finding's message, with when the duty applies and whether Art. 111(2) holds for it."""
        return _message(rule, case, applies_from=self.applies_from, legacy=self.legacy, **params)


def high_risk_from(document: Document, context: Context) -> date:
    settings = context.settings
    if sub(document, "ai_act").get("annex_i_product") is True:
        return settings.rules_ai_act_annex_i_from
    return settings.rules_ai_act_high_risk_from


def duty(document: Document, context: Context) -> Duty:
    """The severity of a high-risk duty for this system, by its annex's date and Art. 111(2)."""
    effective, today = high_risk_from(document, context), context.today
    go_live = day(document.get("go_live_at"))
    changed = day(sub(document, "ai_act").get("significant_design_change_at"))
    if go_live is not None and go_live < effective and (changed is None or changed < effective):
        public_deadline = context.settings.rules_ai_act_public_legacy_by
        if context.sector == "public" and today >= public_deadline:
            return Duty(Severity.violation, None, None)
        legacy: dict[str, Any] = {"day": effective, "planned": go_live > today}
        if context.sector == "public":
            legacy["public_by"] = public_deadline  # public authorities comply by then regardless
        return Duty(Severity.info, None, legacy)
    return Duty(by_date(today, effective), not_yet(today, effective), None)


def workers_not_informed(document: Document, context: Context) -> Hit | None:
    """Art. 26(7): both the workers' representatives and the workers affected are informed before a
    high-risk system is put into use at the workplace."""
    if not is_high_risk(document):
        return None
    representatives = representatives_informed(document, context)
    workers = informed(document, context, "workers")
    if representatives is not None and workers:
        return None
    missing = (
        "both"
        if representatives is None and not workers
        else "workers"
        if representatives
        else "representatives"
    )
    fields = ("workers_informed_at", "consultation.informed_at")
    if in_operation(document):
        applies = duty(document, context)
        message = applies.says("high_risk.workers_not_informed", f"in_use.{missing}")
        return Hit(applies.severity, message, fields)
    go_live = day(document.get("go_live_at"))
    message = _message("high_risk.workers_not_informed", f"planned.{missing}", by=go_live)
    return Hit(before_deadline(go_live, context.today), message, fields)


def _covered_from(document: Document, context: Context, go_live: date) -> date:
    """The day the Art. 26 duties began to bind this system: its go-live, or, for a system put into
    service before its date (Art. 111(2)), the significant design change or the public deadline."""
    effective = high_risk_from(document, context)
    if go_live >= effective:
        return go_live
    changed = day(sub(document, "ai_act").get("significant_design_change_at"))
    if changed is not None and changed >= effective:
        return changed
    public_deadline = context.settings.rules_ai_act_public_legacy_by
    if context.sector == "public" and context.today >= public_deadline:
        return public_deadline
    return go_live  # not bound yet: judged against go-live, as good practice


def workers_informed_late(document: Document, context: Context) -> Hit | None:
    if not is_high_risk(document):
        return None
    go_live = day(document.get("go_live_at"))
    representatives = representatives_informed(document, context)
    workers = informed(document, context, "workers")
    if go_live is None:
        return None
    start = _covered_from(document, context, go_live)
    late = [
        (party, moment)
        for party, moment in (
            ("representatives", representatives),
            ("workers", min(workers) if workers else None),
        )
        if moment is not None and moment > start
    ]
    if not late:
        return None
    party, moment = late[0]
    applies = duty(document, context)
    message = applies.says(
        "high_risk.workers_informed_late", f"after_go_live.{party}", informed=moment, go_live=go_live
    )
    return Hit(
        ahead(applies.severity, go_live, context.today),
        message,
        ("workers_informed_at", "consultation.informed_at", "go_live_at"),
    )


def no_trained_overseer(document: Document, context: Context) -> Hit | None:
    if not is_high_risk(document):
        return None
    oversight = sub(document, "human_oversight")
    role = oversight.get("overseer_role")
    # Art. 26(2): competence, training and authority, and the support to act on them.
    if role and oversight.get("trained") is True and oversight.get("can_stop") is not False:
        return None
    applies = duty(document, context)
    if role and oversight.get("trained") is True:
        message = applies.says("high_risk.no_trained_overseer", "cannot_stop", role=role)
        return Hit(applies.severity, message, ("human_oversight.can_stop",))
    if not role:
        message = applies.says("high_risk.no_trained_overseer", "nobody")
        return Hit(applies.severity, message, ("human_oversight.overseer_role",))
    message = applies.says("high_risk.no_trained_overseer", "not_trained", role=role)
    return Hit(applies.severity, message, ("human_oversight.trained",))


def log_retention_short(document: Document, context: Context) -> Hit | None:
    if not is_high_risk(document):
        return None
    minimum = context.settings.rules_min_log_retention_days
    kept = document.get("log_retention_days")
    if kept is not None and kept >= minimum:
        return None
    applies = duty(document, context)
    vendor = document.get("operated_by") in ("vendor", "third_party")
    case = ("vendor_" if vendor else "") + ("not_stated" if kept is None else "short")
    message = applies.says("high_risk.log_retention_short", case, kept=kept, months=round(minimum / 30.5))
    # Logs kept by the vendor are under the employer's control only as far as the contract says.
    severity = Severity.warning if vendor and applies.severity is Severity.violation else applies.severity
    return Hit(severity, message, ("log_retention_days",))


def _fria_owed(document: Document, context: Context) -> bool:
    """Art. 27(1): bodies governed by public law (and private entities providing public services) using
    an Annex III system, except point 2 (critical infrastructure)."""
    point = sub(document, "ai_act").get("annex_iii_point")
    return (
        context.sector == "public"
        and annex_iii(document)
        and not (isinstance(point, str) and point.startswith("2"))
    )


def public_fria_missing(document: Document, context: Context) -> Hit | None:
    if not _fria_owed(document, context):
        return None
    if sub(document, "ai_act").get("fria_date") is not None:
        return None
    applies = duty(document, context)
    message = applies.says("high_risk.public_fria_missing", "no_date")
    return Hit(applies.severity, message, ("ai_act.fria_date",))


def public_eu_database_missing(document: Document, context: Context) -> Hit | None:
    """Art. 49(3): a public deployer registers its own use of an Annex III system (not point 2) in the
    EU database. Annex I products are not registered there."""
    if not _fria_owed(document, context):
        return None
    if sub(document, "ai_act").get("deployer_eu_db_ref"):
        return None
    applies = duty(document, context)
    message = applies.says("high_risk.public_eu_database_missing", "no_registration")
    return Hit(applies.severity, message, ("ai_act.deployer_eu_db_ref",))


def emotion_recognition(document: Document, context: Context) -> Hit | None:
    if sub(document, "ai_act").get("emotion_recognition") is not True:
        return None
    effective, today = context.settings.rules_ai_act_prohibitions_from, context.today
    message = _message("ai_act.emotion_recognition", "prohibited", applies_from=not_yet(today, effective))
    return Hit(by_date(today, effective), message, ("ai_act.emotion_recognition",))


def prohibited_practice(document: Document, context: Context) -> Hit | None:
    """M5: biometric categorisation that infers e.g. trade-union membership (Art. 5(1)(g)), or a system
    the employer classes as prohibited, in use."""
    ai_act = sub(document, "ai_act")
    effective, today = context.settings.rules_ai_act_prohibitions_from, context.today
    inferred = sorted(INFERRED_BY_CATEGORISATION & set(document.get("data_categories") or ()))
    if ai_act.get("biometric_categorisation") is True and inferred:
        message = _message(
            "ai_act.prohibited_practice",
            "categorisation",
            categories=inferred,
            applies_from=not_yet(today, effective),
        )
        return Hit(by_date(today, effective), message, ("ai_act.biometric_categorisation", "data_categories"))
    if ai_act.get("risk_class") == "prohibited" and in_operation(document):
        message = _message(
            "ai_act.prohibited_practice", "classed_prohibited", applies_from=not_yet(today, effective)
        )
        return Hit(by_date(today, effective), message, ("ai_act.risk_class",))
    return None


def disclosure_missing(document: Document, context: Context) -> Hit | None:
    """Art. 50, deployer duties only: citizens or customers talking with it must be told it is an AI
    (the provider must build that in; the employer makes sure it is there), and text the employer
    publishes to inform the public without editorial review must say it was generated (Art. 50(4)).
    An internal assistant whose drafts people review is outside Art. 50."""
    ai_act = sub(document, "ai_act")
    labelled = sub(document, "usage_policy").get("ai_content_labelled") is True
    effective, today = context.settings.rules_ai_act_transparency_from, context.today
    applies_from = not_yet(today, effective)
    if ai_act.get("publishes_generated_content") is True and not labelled:
        message = _message("ai_act.disclosure_missing", "published", applies_from=applies_from)
        return Hit(by_date(today, effective), message, ("usage_policy.ai_content_labelled",))
    if ai_act.get("interacts_with_public") is True and not labelled:
        message = _message("ai_act.disclosure_missing", "chatbot", applies_from=applies_from)
        return Hit(Severity.warning, message, ("usage_policy.ai_content_labelled",))
    return None


def exposed_persons_not_informed(document: Document, context: Context) -> Hit | None:
    """M6: Art. 50(3) (persons exposed to emotion recognition or biometric categorisation are told)
    and Art. 26(11) (persons an Annex III system decides about, or helps decide about, are told)."""
    ai_act = sub(document, "ai_act")
    if not in_operation(document) and document.get("status") != "planned":
        return None
    if (
        ai_act.get("emotion_recognition") is True or ai_act.get("biometric_categorisation") is True
    ) and not document.get("employee_notice_ref"):
        effective, today = context.settings.rules_ai_act_transparency_from, context.today
        message = _message(
            "ai_act.exposed_persons_not_informed", "biometric", applies_from=not_yet(today, effective)
        )
        return Hit(by_date(today, effective), message, ("employee_notice_ref",))
    if annex_iii(document) and document.get("automated_decision") in ("supports_human", "fully_automated"):
        if document.get("employee_notice_ref"):
            return None
        applies = duty(document, context)
        message = applies.says("ai_act.exposed_persons_not_informed", "decisions")
        return Hit(applies.severity, message, ("employee_notice_ref",))
    return None


def literacy_missing(document: Document, context: Context) -> Hit | None:
    """Art. 4 as amended: take measures that support the AI literacy of the staff who operate and use
    the system (an effort duty, no fine of its own: never more than "Bør rettes"). Training belongs
    before go-live, so a planned system gets a hint; a system run by another company gets a hint to
    agree the training with it."""
    if sub(document, "training").get("provided") is True:
        return None
    effective, today = context.settings.rules_ai_act_literacy_from, context.today
    applies_from = not_yet(today, effective)
    if document.get("operated_by") == "third_party":
        message = _message("ai_act.literacy_missing", "third_party", applies_from=applies_from)
        return Hit(Severity.info, message, ("training.provided",))
    if not in_operation(document):
        go_live = day(document.get("go_live_at"))
        message = _message("ai_act.literacy_missing", "planned", by=go_live)
        return Hit(Severity.info, message, ("training.provided",))
    message = _message("ai_act.literacy_missing", "no_training", applies_from=applies_from)
    return Hit(Severity.warning, message, ("training.provided",))


def fria_outdated(document: Document, context: Context) -> Hit | None:
    if not _fria_owed(document, context):
        return None
    change = context.latest_material_change
    made = day(sub(document, "ai_act").get("fria_date"))
    if change is None or made is None:
        return None
    if made >= shift(change, -(context.settings.rules_change_window_days)):
        return None
    message = _message("high_risk.fria_outdated", "older_than_change", made=made, change=change)
    return Hit(Severity.warning, message, ("ai_act.fria_date",))


def product_card_changed(document: Document, context: Context) -> Hit | None:
    """Check 26: the provider's product card changed after the version the employer reviewed the
    system against: what the provider says about the product (its purpose, classification, where data
    is processed, its instructions for use) may no longer be what the register says (Art. 26(1), (5))."""
    card_id = document.get("product_card_id")
    card = context.product_cards.get(str(card_id)) if card_id else None
    if card is None:
        return None
    reviewed = document.get("product_card_version")
    if reviewed is not None and int(card["version"]) <= int(reviewed):
        return None
    case = "never" if reviewed is None else "changed"
    message = Message(
        f"finding.product.card_changed.{case}",
        {"product": card["name"], "reviewed": reviewed, "version": card["version"]},
    )
    return Hit(Severity.warning, message, ("product_card_version",))
