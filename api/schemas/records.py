"""The histories of an AI system: notices, consultations and workers' information. Append-only, so
there is no update schema: a correction is a new entry naming the one it replaces."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from registry.systems.records import ConsultationFields, NoticeFields, WorkerInformationFields


class _Recorded(BaseModel):
    id: str
    system_id: str
    number: int = Field(
        description="1, 2, ... for the system's entries of every history, in the order recorded."
    )
    recorded_at: datetime
    recorded_by: str = Field(description="`sub` of the token that recorded the entry.")


class Notice(NoticeFields, _Recorded):
    """A notice of a control measure, or of a change of one, as recorded."""

    model_config = ConfigDict(extra="ignore")
    kind: str = "notice"


class Consultation(ConsultationFields, _Recorded):
    """Information of the cooperation committee (SU or MED) and its discussion and decision."""

    model_config = ConfigDict(extra="ignore")
    kind: str = "consultation"


class WorkerInformation(WorkerInformationFields, _Recorded):
    """Information of the workers' representatives or of the workers (AI Act Art. 26(7))."""

    model_config = ConfigDict(extra="ignore")
    kind: str = "worker_information"


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
