"""The histories of an AI system: notices, consultations and workers' information (append-only).

The three histories are served alike, so one factory makes a controller per history. This module does
not postpone its annotations: the handlers' parameter and return types are the classes of each history,
and Litestar reads them from the handlers as they are made."""

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel

from api.errors import problems
from api.guards import employer_admin, register_reader
from api.schemas.records import (
    Consultation,
    ConsultationCreate,
    Entries,
    Notice,
    NoticeCreate,
    WorkerInformation,
    WorkerInformationCreate,
)
from registry import Actor
from registry.systems import record_service
from registry.systems.records import RecordKind

TAGS = ["Notices, consultations and workers' information"]


def history_controller(
    kind: RecordKind,
    segment: str,
    entry: type[BaseModel],
    create: type[BaseModel],
    operations: tuple[str, str],
    summaries: tuple[str, str],
) -> type[Controller]:
    """A controller for one history: POST appends an entry (employer admins; 201 with Location), GET
    lists the system's entries oldest first (every role that reads the system)."""
    listing = Entries[entry]  # type: ignore[valid-type]

    @post(
        "/",
        operation_id=operations[0],
        responses=problems(400, 403, 404, 413, 422),
        guards=[employer_admin],
        summary=summaries[0],
        status_code=201,
    )
    async def record_entry(
        self: Controller,
        request: Request[Actor, str, Any],
        system_id: FromPath[UUID],
        data: JSONBody[create],  # type: ignore[valid-type]
    ) -> Response[entry]:  # type: ignore[valid-type]
        values = BaseModel.model_dump(data, mode="json")
        recorded = await record_service.record(request.user, str(system_id), kind, values)
        headers = {"Location": f"/api/v1/systems/{system_id}/{segment}"}
        return Response(entry.model_validate(recorded), status_code=201, headers=headers)

    @get(
        "/",
        operation_id=operations[1],
        responses=problems(400, 403, 404),
        guards=[register_reader],
        summary=summaries[1],
    )
    async def list_entries(
        self: Controller, request: Request[Actor, str, Any], system_id: FromPath[UUID]
    ) -> listing:
        found = await record_service.list_entries(request.user, str(system_id), kind)
        return listing(items=[entry.model_validate(item) for item in found])

    name = f"{entry.__name__}Controller"
    members = {
        "path": f"/systems/{{system_id:uuid}}/{segment}",
        "tags": TAGS,
        "record": record_entry,
        "list": list_entries,
    }
    return type(name, (Controller,), members)


NoticeController = history_controller(
    RecordKind.notice,
    "notices",
    Notice,
    NoticeCreate,
    ("recordNotice", "listNotices"),
    ("Record a notice (append-only; the system's version stays)", "A system's notices, oldest first"),
)
ConsultationController = history_controller(
    RecordKind.consultation,
    "consultations",
    Consultation,
    ConsultationCreate,
    ("recordConsultation", "listConsultations"),
    (
        "Record the committee's information, discussion or decision (append-only)",
        "A system's consultations, oldest first",
    ),
)
WorkerInformationController = history_controller(
    RecordKind.worker_information,
    "worker-information",
    WorkerInformation,
    WorkerInformationCreate,
    ("recordWorkerInformation", "listWorkerInformation"),
    (
        "Record that the workers' representatives or the workers were informed (append-only)",
        "A system's workers' information, oldest first",
    ),
)

__all__ = ["ConsultationController", "NoticeController", "WorkerInformationController", "history_controller"]
