"""Checks 1-5 and M1-M3: control measures and the cooperation committee. Notice before a control
measure starts, and before each material change of it, each judged against the notice that covers
it; the exception from the notice period; the committee (or shop steward) informed before the decision
and before the start, for control measures and for any AI system that changes the work; a control
measure that may not be flagged as one; and the conditions a control measure must meet.

Which agreements apply depends on the employer (rules/sources.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

# Whose data a category is: rules/checks/gdpr.py owns the reading; imported here, not copied.
from registry.obligations.rules.checks.gdpr import employee_categories
from registry.obligations.rules.engine import (
    Context,
    Document,
    Entry,
    Hit,
    Message,
    Severity,
    ahead,
    before_deadline,
    committee,
    consultations,
    day,
    in_operation,
    notices,
    representatives_informed,
    shift,
    sub,
)
from registry.obligations.rules.sources import briefing_source, cooperation_source, notice_source

TURNED_ON = "control_measure_turned_on"
# Data that shows what one person does, where, or how: seen person by person, it can be a control measure.
CONTROL_DATA = frozenset({"location", "communications", "device_usage", "behaviour", "images_video", "voice"})


def _notice_source(context: Context) -> str:
    return notice_source(context.employer_type, context.sector)


def _briefing_source(context: Context) -> str:
    return briefing_source(context.employer_type, context.sector)


def _message(rule: str, case: str, **params: Any) -> Message:
    return Message(f"finding.control_measure.{rule}.{case}", params)


def _start(document: Document, context: Context) -> tuple[int | None, date | None]:
    """The version and day the control measure started: when a system in use became one, the change
    that made it one; otherwise the system as first put into use, on its go-live."""
    go_live = day(document.get("go_live_at"))
    if go_live is None:
        return None, None  # not in use yet: the notice is for the system as it will be put into use
    for change in reversed(context.changes):
        if TURNED_ON in change.reasons and change.effective_at > go_live:
            return change.version, change.effective_at
    return None, go_live


def _covering(entries: list[Entry], version: int | None) -> list[Entry]:
    """The notices about `version` (None: the system as first put into use)."""
    if version is None:
        return [n for n in entries if n.get("covers_version") is None]
    return [n for n in entries if n.get("covers_version") in (None, version)]


def _given(entry: Entry) -> date | None:
    return day(entry.get("given_at"))


def _exception(entry: Entry) -> dict[str, Any] | None:
    exception = entry.get("exception")
    return exception if isinstance(exception, dict) else None


def notice_missing(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure"):
        return None
    version, _ = _start(document, context)
    start_notices = _covering(notices(document, context), version)
    if any(_given(n) is not None or _exception(n) for n in start_notices):
        return None
    period = context.notice_period_days
    source = _notice_source(context)
    fields = ("notice.given_at",)
    if in_operation(document):
        return Hit(Severity.violation, _message("notice_missing", "in_use", period=period), fields, source)
    go_live = day(document.get("go_live_at"))
    if go_live is None:
        return Hit(Severity.info, _message("notice_missing", "planned", period=period), fields, source)
    deadline = shift(go_live, -(period))
    if context.today > deadline:
        message = _message(
            "notice_missing",
            "overdue",
            go_live=go_live,
            deadline=deadline,
            period=period,
            earliest=shift(context.today, period),
        )
        return Hit(Severity.warning, message, fields, source)
    message = _message("notice_missing", "due", go_live=go_live, deadline=deadline, period=period)
    return Hit(Severity.info, message, fields, source)


def notice_deadline(document: Document, context: Context) -> date | None:
    """The last day to give the notice for a planned control measure, reckoned as `notice_missing`
    does; None when no such day is ahead of the employer: not a control measure, already in use (the
    finding says the rest), no go-live planned, or a notice given or excepted."""
    if not document.get("control_measure") or in_operation(document):
        return None
    go_live = day(document.get("go_live_at"))
    if go_live is None:
        return None
    version, _ = _start(document, context)
    if any(_given(n) is not None or _exception(n) for n in _covering(notices(document, context), version)):
        return None
    return shift(go_live, -context.notice_period_days)


def notice_late(document: Document, context: Context) -> Hit | None:
    """The first notice for the control measure's start against that start; a later notice, given for
    a change, never makes an earlier start late."""
    if not document.get("control_measure"):
        return None
    version, start = _start(document, context)
    start_notices = _covering(notices(document, context), version)
    if start is None or not start_notices or any(_exception(n) for n in start_notices):
        return None
    given_days = [d for n in start_notices if (d := _given(n)) is not None]
    if not given_days:
        return None
    return _late_start(min(given_days), start, context)


def _late_start(given: date, start: date, context: Context) -> Hit | None:
    period = context.notice_period_days
    days = (start - given).days
    if days >= period:
        return None
    fields = ("go_live_at", "notice.given_at")
    source = _notice_source(context)
    dates = {"go_live": start, "given": given, "period": period}
    if start > context.today:
        earliest = shift(given, period)
        message = _message("notice_late", "planned", days=days, earliest=earliest, **dates)
        return Hit(Severity.warning, message, fields, source)
    if days < 0:
        return Hit(
            Severity.violation, _message("notice_late", "before_notice", days=-days, **dates), fields, source
        )
    return Hit(Severity.violation, _message("notice_late", "went_live", days=days, **dates), fields, source)


def _exception_problem(notice: Entry, document: Document, start: date | None, context: Context) -> Hit | None:
    exception = _exception(notice)
    if exception is None:
        return None
    # A notice of a change came late after that change, not after the first start.
    covers = notice.get("covers_version")
    start = next((c.effective_at for c in context.changes if c.version == covers), start)
    late = day(exception.get("late_notice_at"))
    source = _notice_source(context)
    if not exception.get("reason"):
        message = _message("exception_incomplete", "no_reason", late=late)
        return Hit(Severity.violation, message, ("notice.exception_reason",), source)
    if late is None:
        if not in_operation(document):
            return None
        return Hit(
            Severity.violation,
            _message("exception_incomplete", "no_date"),
            ("notice.late_notice_at",),
            source,
        )
    limit = context.settings.rules_late_notice_days
    if start is not None and (late - start).days > limit:
        message = _message("exception_incomplete", "slow", late=late, start=start, limit=limit)
        return Hit(Severity.warning, message, ("notice.late_notice_at",), source)
    return None


def exception_incomplete(document: Document, context: Context) -> Hit | None:
    """The exception from the notice period: a reason that allows it, and notice given as soon as
    possible after the start."""
    if not document.get("control_measure"):
        return None
    _, start = _start(document, context)
    for notice in notices(document, context):
        if (hit := _exception_problem(notice, document, start, context)) is not None:
            return hit
    return None


def briefing_missing(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure") or representatives_informed(document, context) is not None:
        return None
    who = committee(document, context)
    fields = ("consultation.informed_at",)
    source = _briefing_source(context)
    if in_operation(document):
        return Hit(Severity.violation, _message("briefing_missing", "in_use", who=who), fields, source)
    go_live = day(document.get("go_live_at"))
    message = _message("briefing_missing", "planned", who=who, by=go_live)
    return Hit(before_deadline(go_live, context.today), message, fields, source)


def _decided_at_once(document: Document, context: Context) -> tuple[date, date] | None:
    """A committee informed only on the day the decision was taken, or after it: (informed, decided).
    The information of a round may be recorded in one entry and its decision in a later one: the
    earliest information about the same version counts."""
    entries = consultations(document, context)
    for consultation in entries:
        decided = day(consultation.get("decided_at"))
        same = [c for c in entries if c.get("covers_version") == consultation.get("covers_version")]
        informed_days = [d for c in same if (d := day(c.get("informed_at"))) is not None]
        if decided is not None and informed_days and min(informed_days) >= decided:
            return min(informed_days), decided
    return None


def briefing_late(document: Document, context: Context) -> Hit | None:
    """Informed after the start (a violation for a control measure), or not before the decision (the
    employees' views could not count: a warning), for any AI system that changes the work."""
    control = bool(document.get("control_measure"))
    if not control and not changes_work(document):
        return None
    informed, go_live = representatives_informed(document, context), day(document.get("go_live_at"))
    who = committee(document, context)
    source = (
        _briefing_source(context) if control else cooperation_source(context.employer_type, context.sector)
    )
    if informed is not None and go_live is not None and informed > go_live:
        message = _message("briefing_late", "after_go_live", who=who, informed=informed, go_live=go_live)
        severity = Severity.violation if control else Severity.warning
        return Hit(
            ahead(severity, go_live, context.today),
            message,
            ("consultation.informed_at", "go_live_at"),
            source,
        )
    at_once = _decided_at_once(document, context)
    if at_once is not None:
        message = _message("briefing_late", "at_decision", who=who, informed=at_once[0], decided=at_once[1])
        return Hit(Severity.warning, message, ("consultation.informed_at", "consultation.decided_at"), source)
    return None


def change_without_notice(document: Document, context: Context) -> Hit | None:
    """Each material change of a control measure in operation against the notice that covers its
    version: none (the change was not announced) or too late. The latest such change is reported."""
    if not document.get("control_measure"):
        return None
    start_version, _ = _start(document, context)
    go_live = day(document.get("go_live_at"))
    entries = notices(document, context)
    if not entries:
        return None  # no notice at all: control_measure.notice_missing
    period = context.notice_period_days
    source = _notice_source(context)
    for change in reversed(context.changes):
        if start_version is not None and change.version <= start_version:
            continue  # before it was a control measure, or the change that made it one
        if not change.changes_what_it_does:
            continue
        if go_live is None or change.effective_at <= go_live:
            continue  # before the start: part of what the first notice announced
        # The notice that names the change's version, or one recorded before the change was (it could
        # not name it yet) that says the change takes effect on the day it did.
        covering = [
            n
            for n in entries
            if n.get("covers_version") == change.version
            or day(n.get("takes_effect_at")) == change.effective_at
        ]
        if not covering:
            message = _message("change_without_notice", "no_notice", change=change.effective_at)
            return Hit(Severity.warning, message, ("notice.given_at",), source)
        if any(_exception(n) for n in covering):
            continue
        given_days = [d for n in covering if (d := _given(n)) is not None]
        if given_days and (change.effective_at - min(given_days)).days < period:
            given = min(given_days)
            message = _message(
                "change_without_notice", "late", change=change.effective_at, given=given, period=period
            )
            return Hit(Severity.warning, message, ("notice.given_at",), source)
    return None


def changes_work(document: Document) -> bool:
    """Whether the system changes the work of employees (so the committee must hear of it): it affects
    a number of them or named groups of them."""
    headcount = document.get("affected_headcount")
    return (isinstance(headcount, int) and headcount > 0) or bool(document.get("affected_groups"))


def committee_not_informed(document: Document, context: Context) -> Hit | None:
    """M1: any AI system that changes the work, not only a control measure, is a matter for the
    cooperation committee (SU or MED) before it is decided and used."""
    if document.get("control_measure") or not changes_work(document):
        return None
    if context.cooperation_body == "TR":
        # No committee (fewer than 35 employees, say): which duty to inform applies is not the
        # register's to say; control measures are still checked against the shop steward.
        return None
    if representatives_informed(document, context) is not None:
        return None
    who = committee(document, context)
    source = cooperation_source(context.employer_type, context.sector)
    fields = ("consultation.informed_at",)
    if in_operation(document):
        return Hit(Severity.warning, _message("committee_not_informed", "in_use", who=who), fields, source)
    go_live = day(document.get("go_live_at"))
    message = _message("committee_not_informed", "planned", who=who, by=go_live)
    return Hit(before_deadline(go_live, context.today), message, fields, source)


def possibly_control_measure(document: Document, context: Context) -> Hit | None:
    """M2: not flagged as a control measure, but someone sees data on what each person does."""
    if document.get("control_measure"):
        return None
    individual = [
        entry
        for entry in document.get("access") or ()
        if isinstance(entry, dict) and entry.get("scope") == "individual"
    ]
    data = sorted(CONTROL_DATA & set(employee_categories(document)))
    if not individual or not data:
        return None
    message = _message("possibly_control_measure", "individual_data", categories=data)
    return Hit(Severity.info, message, ("control_measure",), _notice_source(context))


CONDITIONS = ("operational_reason", "proportionality", "not_offensive", "no_loss")


def conditions_not_stated(document: Document, context: Context) -> Hit | None:
    """M3: a control measure needs a legitimate operational purpose, must not be offensive, must cause
    no loss and must be proportionate; the employer states how each is met."""
    if not document.get("control_measure"):
        return None
    assessment = sub(document, "control_measure_assessment")
    missing = [
        name
        for name in CONDITIONS
        if not (document.get(name) if name == "operational_reason" else assessment.get(name))
    ]
    if not missing:
        return None
    message = _message("conditions_not_stated", "missing", conditions=missing)
    fields = tuple(
        name if name == "operational_reason" else f"control_measure_assessment.{name}" for name in missing
    )
    return Hit(Severity.warning, message, fields, _notice_source(context))
