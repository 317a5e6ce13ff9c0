"""Check 14: the workplace risk assessment (APV, arbejdsmiljøloven § 15 a) that covers a system, and
its reassessments after changes, completed in time and with the AMO taking part."""

from __future__ import annotations

from typing import Any

from registry.obligations.rules.engine import Context, Document, Hit, Message, Severity, day, in_operation


def _message(rule: str, case: str, **params: Any) -> Message:
    return Message(f"finding.{rule}.{case}", params)


def apv_outdated(document: Document, context: Context) -> Hit | None:
    dates = [
        d for d in (day(document.get("apv_last_assessed_at")), context.last_apv_completed) if d is not None
    ]
    if not dates:
        if not in_operation(document):
            # The APV is revised when new technology is introduced: before the work changes.
            go_live = day(document.get("go_live_at"))
            return Hit(
                Severity.info, _message("apv.outdated", "planned", by=go_live), ("apv_last_assessed_at",)
            )
        return Hit(Severity.warning, _message("apv.outdated", "none"), ("apv_last_assessed_at",))
    last = max(dates)
    age = (context.today - last).days
    max_age = context.settings.rules_apv_max_age_days
    if age <= max_age:
        return None
    message = _message("apv.outdated", "too_old", last=last, age=age, max_age=max_age)
    return Hit(Severity.violation, message, ("apv_last_assessed_at",))


def apv_reassessment_overdue(document: Document, context: Context) -> Hit | None:
    if not context.apv_overdue:
        return None
    return Hit(Severity.warning, _message("apv.reassessment_overdue", "overdue"), ("apv_last_assessed_at",))


def apv_reassessment_without_amo(document: Document, context: Context) -> Hit | None:
    if not context.apv_completed_without_amo:
        return None
    message = _message("apv.reassessment_without_amo", "without_amo", completed=context.last_apv_completed)
    return Hit(Severity.violation, message, ("apv_last_assessed_at",))
