"""Checks 1-5: control measures (the DA/LO agreement; the KL/FF agreement for the public sector):
notice before a control measure starts, the exception from the notice period, the briefing of the
cooperation committee (or shop steward), a new notice after a material change."""

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
    committee,
    day,
    in_operation,
    representatives_informed,
    sub,
)
from registry.obligations.rules.sources import (
    BRIEFING_PRIVATE,
    BRIEFING_PUBLIC,
    NOTICE_PRIVATE,
    NOTICE_PUBLIC,
)


def _notice_source(context: Context) -> str:
    return NOTICE_PUBLIC if context.sector == "public" else NOTICE_PRIVATE


def _briefing_source(context: Context) -> str:
    return BRIEFING_PUBLIC if context.sector == "public" else BRIEFING_PRIVATE


def _exception_claimed(notice: dict[str, Any]) -> bool:
    return bool(notice.get("exception_reason")) or notice.get("late_notice_at") is not None


def _message(rule: str, case: str, **params: Any) -> Message:
    return Message(f"finding.control_measure.{rule}.{case}", params)


def notice_missing(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure"):
        return None
    notice = sub(document, "notice")
    if notice.get("given_at") is not None or _exception_claimed(notice):
        return None
    period = context.notice_period_days
    source = _notice_source(context)
    fields = ("notice.given_at",)
    if in_operation(document):
        return Hit(Severity.violation, _message("notice_missing", "in_use", period=period), fields, source)
    go_live = day(document.get("go_live_at"))
    if go_live is None:
        return Hit(Severity.info, _message("notice_missing", "planned", period=period), fields, source)
    deadline = go_live - timedelta(days=period)
    if context.today > deadline:
        message = _message(
            "notice_missing",
            "overdue",
            go_live=go_live,
            deadline=deadline,
            period=period,
            earliest=context.today + timedelta(days=period),
        )
        return Hit(Severity.warning, message, fields, source)
    message = _message("notice_missing", "due", go_live=go_live, deadline=deadline, period=period)
    return Hit(Severity.info, message, fields, source)


def notice_late(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure"):
        return None
    notice = sub(document, "notice")
    given, go_live = day(notice.get("given_at")), day(document.get("go_live_at"))
    if given is None or go_live is None or _exception_claimed(notice):
        return None
    period = context.notice_period_days
    days = (go_live - given).days
    if days >= period:
        return None
    fields = ("go_live_at", "notice.given_at")
    source = _notice_source(context)
    dates = {"go_live": go_live, "given": given, "period": period}
    if go_live > context.today:
        earliest = given + timedelta(days=period)
        message = _message("notice_late", "planned", days=days, earliest=earliest, **dates)
        return Hit(Severity.warning, message, fields, source)
    if days < 0:
        return Hit(
            Severity.violation, _message("notice_late", "before_notice", days=-days, **dates), fields, source
        )
    return Hit(Severity.violation, _message("notice_late", "went_live", days=days, **dates), fields, source)


def exception_incomplete(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure"):
        return None
    notice = sub(document, "notice")
    if not _exception_claimed(notice):
        return None
    late = day(notice.get("late_notice_at"))
    source = _notice_source(context)
    if not notice.get("exception_reason"):
        message = _message("exception_incomplete", "no_reason", late=late)
        return Hit(Severity.violation, message, ("notice.exception_reason",), source)
    if late is None and in_operation(document):
        message = _message("exception_incomplete", "no_date")
        return Hit(Severity.violation, message, ("notice.late_notice_at",), source)
    return None


def briefing_missing(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure") or representatives_informed(document) is not None:
        return None
    who = committee(document, context)
    fields = ("consultation.informed_at",)
    source = _briefing_source(context)
    if in_operation(document):
        return Hit(Severity.violation, _message("briefing_missing", "in_use", who=who), fields, source)
    go_live = day(document.get("go_live_at"))
    message = _message("briefing_missing", "planned", who=who, by=go_live)
    return Hit(before_deadline(go_live, context.today), message, fields, source)


def briefing_late(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure"):
        return None
    informed, go_live = representatives_informed(document), day(document.get("go_live_at"))
    if informed is None or go_live is None or informed <= go_live:
        return None
    message = _message(
        "briefing_late", "after_go_live", who=committee(document, context), informed=informed, go_live=go_live
    )
    return Hit(
        ahead(Severity.violation, go_live, context.today),
        message,
        ("consultation.informed_at", "go_live_at"),
        _briefing_source(context),
    )


def change_without_notice(document: Document, context: Context) -> Hit | None:
    change = context.latest_material_change
    if not document.get("control_measure") or change is None:
        return None
    notice = sub(document, "notice")
    dates = [d for d in (day(notice.get("given_at")), day(notice.get("late_notice_at"))) if d is not None]
    if not dates:
        return None  # no notice at all: control_measure.notice_missing
    latest = max(dates)
    window = max(context.settings.rules_change_window_days, context.notice_period_days)
    if latest >= change - timedelta(days=window):
        return None
    message = _message("change_without_notice", "no_new_notice", change=change, latest=latest)
    return Hit(Severity.warning, message, ("notice.given_at",), _notice_source(context))
