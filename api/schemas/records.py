"""The histories of an AI system: notices, consultations and workers' information. Append-only, so
there is no update schema: a correction is a new entry naming the one it replaces."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from registry.organizations.models import Committee
from registry.systems.records import ConsultationFields, NoticeFields, Party, WorkerInformationFields


class _Recorded(BaseModel):
    """An entry as recorded. Entries moved from an earlier release may lack what a new one must state,
    so the answer gives the entry's fields as it holds them."""

    model_config = ConfigDict(extra="ignore")

    id: str
    system_id: str
    number: int = Field(
        description="1, 2, ... for the system's entries of every history, in the order recorded."
    )
    covers_version: int | None = Field(
        description="The version whose change the entry is about; null: the system as first put into use."
    )
    replaces: str | None = Field(description="The earlier entry of the same history that this one corrects.")
    recorded_at: datetime
    recorded_by: str = Field(description="`sub` of the token that recorded the entry.")


class RecordedException(BaseModel):
    reason: str | None = None
    late_notice_at: date | None = None


class Notice(_Recorded):
    """A notice of a control measure, or of a change of one, as recorded."""

    kind: str = "notice"
    given_at: date | None = None
    takes_effect_at: date | None = None
    audience: str | None = None
    text_ref: str | None = None
    exception: RecordedException | None = None


class Consultation(_Recorded):
    """Information of the cooperation committee (SU or MED) and its discussion and decision."""

    kind: str = "consultation"
    committee: Committee | None = None
    informed_at: date | None = None
    discussed_at: date | None = None
    decided_at: date | None = None
    minutes_ref: str | None = None


class WorkerInformation(_Recorded):
    """Information of the workers' representatives or of the workers (AI Act Art. 26(7))."""

    kind: str = "worker_information"
    party: Party
    informed_at: date | None = None
    channel: str | None = None
    text_ref: str | None = None


class NoticeCreate(NoticeFields):
    """A notice given to the employees. `covers_version` names the version whose change it announces
    (absent: the system as first put into use); `replaces` an earlier notice that was wrong."""


class ConsultationCreate(ConsultationFields):
    """The committee informed (and the matter discussed, decided) about the system or a change of it."""


class WorkerInformationCreate(WorkerInformationFields):
    """The workers' representatives or the workers themselves informed."""


Entry = TypeVar("Entry")


class Entries(BaseModel, Generic[Entry]):
    items: list[Entry] = Field(description="Oldest first.")


__all__ = [
    "Consultation",
    "ConsultationCreate",
    "Entries",
    "Notice",
    "NoticeCreate",
    "WorkerInformation",
    "WorkerInformationCreate",
]
