"""What the employer did to inform and involve the employees about an AI system, kept as histories:
notices of control measures (varsling), the committee's information and discussion (orientering i
SU/MED) and the information of the workers' representatives and the workers (AI Act Art. 26(7)).

Each entry is appended, never changed: a wrong entry is corrected by a later one that names it in
`replaces`. An entry names the version of the system it is about in `covers_version`; absent means the
system as first put into use. Recording one does not change the system's version.

The system's own `notice`, `consultation` and `workers_informed_at` are read models of these histories
(the latest entry of each), kept so clients written before the histories keep working. Pure code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from registry.errors import FieldProblem
from registry.fields import Count, Day, LongText, Strict, Text, days_out_of_range
from registry.organizations.models import Committee

MAX_VERSION = 2**31 - 1


class RecordKind(StrEnum):
    notice = "notice"
    consultation = "consultation"
    worker_information = "worker_information"


class NoticeException(Strict):
    """The exception of the control-measure agreements: notice could not be given in time, because
    the purpose would be lost or because of compelling operational reasons; it is then given as soon as
    possible."""

    reason: LongText
    late_notice_at: Day | None = Field(
        default=None, description="When the employees were given notice after all."
    )


class Party(StrEnum):
    representatives = "representatives"
    workers = "workers"


class _Entry(Strict):
    covers_version: Count | None = Field(
        default=None,
        ge=1,
        le=MAX_VERSION,
        description="The version whose change this entry is about; absent: the system as first put into use.",
    )
    replaces: str | None = Field(
        default=None, description="Id of an earlier entry of the same history that this one corrects."
    )


class NoticeFields(_Entry):
    given_at: Day | None = Field(
        default=None,
        description="When the employees were given notice; required unless an exception is stated.",
    )
    takes_effect_at: Day | None = Field(
        default=None, description="The day the control measure, or the change announced, starts."
    )
    audience: Text | None = None
    text_ref: Text | None = Field(default=None, description="Where the notice's text is kept.")
    exception: NoticeException | None = None


class ConsultationFields(_Entry):
    committee: Committee | None = None
    informed_at: Day | None = None
    discussed_at: Day | None = None
    decided_at: Day | None = None
    minutes_ref: Text | None = None


class WorkerInformationFields(_Entry):
    party: Party
    informed_at: Day
    channel: Text | None = Field(default=None, description="How: a meeting, a letter, the intranet, ...")
    text_ref: Text | None = None


def _before(later: Any, earlier: Any) -> bool:
    return later is not None and earlier is not None and later < earlier


def entry_problems(entry: BaseModel) -> list[FieldProblem]:
    """What makes a well-formed entry contradict itself: dates out of order, a late notice without the
    exception that allows it, dates outside 1900-2199. Each names its field."""
    problems = days_out_of_range(entry)
    if isinstance(entry, NoticeFields):
        late = entry.exception.late_notice_at if entry.exception else None
        if entry.given_at is None and entry.exception is None:
            problems.append(
                FieldProblem("given_at", "is required unless an exception explains why there is none")
            )
        if _before(entry.takes_effect_at, entry.given_at) and entry.exception is None:
            problems.append(
                FieldProblem(
                    "takes_effect_at", "is before given_at: a late notice needs the exception that allows it"
                )
            )
        if _before(late, entry.given_at):
            problems.append(FieldProblem("exception.late_notice_at", "is before given_at"))
    if isinstance(entry, ConsultationFields):
        if entry.informed_at is None and entry.discussed_at is None and entry.decided_at is None:
            problems.append(
                FieldProblem("informed_at", "state at least one of informed_at, discussed_at and decided_at")
            )
        for later in ("discussed_at", "decided_at"):
            if _before(getattr(entry, later), entry.informed_at):
                problems.append(FieldProblem(later, "is before informed_at"))
        if _before(entry.decided_at, entry.discussed_at):
            problems.append(FieldProblem("decided_at", "is before discussed_at"))
    return problems


FIELDS_OF: dict[RecordKind, type[_Entry]] = {
    RecordKind.notice: NoticeFields,
    RecordKind.consultation: ConsultationFields,
    RecordKind.worker_information: WorkerInformationFields,
}

LEGACY_FIELDS = ("notice", "consultation", "workers_informed_at")
"""The system's fields that are read models of the histories: a write to one is a new entry."""


# --- the system's read models ---------------------------------------------------------------------


def legacy_notice(entry: dict[str, Any]) -> dict[str, Any]:
    """A notice in the shape of the system's `notice` object."""
    exception = entry.get("exception") or {}
    return {
        "given_at": entry.get("given_at"),
        "audience": entry.get("audience"),
        "text_ref": entry.get("text_ref"),
        "exception_reason": exception.get("reason"),
        "late_notice_at": exception.get("late_notice_at"),
    }


def legacy_consultation(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        name: entry.get(name)
        for name in ("committee", "informed_at", "discussed_at", "decided_at", "minutes_ref")
    }


def read_models(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The system's `notice`, `consultation` and `workers_informed_at` from its histories (entries in
    the order they were recorded): the latest of each, None when there is none."""
    latest: dict[str, dict[str, Any]] = {}
    for entry in entries:
        kind = entry["kind"]
        if kind == RecordKind.worker_information and entry.get("party") != Party.workers:
            continue
        latest[kind] = entry
    notice, consultation, workers = (latest.get(kind) for kind in RecordKind)
    return {
        "notice": legacy_notice(notice) if notice else None,
        "consultation": legacy_consultation(consultation) if consultation else None,
        "workers_informed_at": workers.get("informed_at") if workers else None,
    }


def entries_from_legacy(
    previous: dict[str, Any] | None, changes: dict[str, Any]
) -> list[tuple[RecordKind, str, dict[str, Any]]]:
    """The history entries that a write to the system's legacy fields stands for, each with the field
    it was written through: a `notice`, `consultation` or `workers_informed_at` that differs from what
    the system shows now is a new entry. Fields left out, or sent unchanged, stand for nothing."""
    previous = previous or {}
    found: list[tuple[RecordKind, str, dict[str, Any]]] = []
    notice = changes.get("notice")
    if notice and notice != previous.get("notice"):
        entry: dict[str, Any] = {
            "given_at": notice.get("given_at"),
            "audience": notice.get("audience"),
            "text_ref": notice.get("text_ref"),
        }
        if notice.get("exception_reason") or notice.get("late_notice_at"):
            entry["exception"] = {
                "reason": notice.get("exception_reason"),
                "late_notice_at": notice.get("late_notice_at"),
            }
        found.append((RecordKind.notice, "notice", entry))
    consultation = changes.get("consultation")
    if consultation and consultation != previous.get("consultation"):
        found.append((RecordKind.consultation, "consultation", dict(consultation)))
    workers = changes.get("workers_informed_at")
    if workers and workers != previous.get("workers_informed_at"):
        entry = {"party": Party.workers.value, "informed_at": workers}
        found.append((RecordKind.worker_information, "workers_informed_at", entry))
    return found


__all__ = [
    "FIELDS_OF",
    "LEGACY_FIELDS",
    "ConsultationFields",
    "NoticeException",
    "NoticeFields",
    "Party",
    "RecordKind",
    "WorkerInformationFields",
    "entries_from_legacy",
    "entry_problems",
    "read_models",
]
