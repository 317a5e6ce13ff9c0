"""The histories of an AI system: notices, consultations and workers' information (append-only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

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


async def _record(
    request: Request[Actor, str, Any], system_id: UUID, kind: RecordKind, data: Any
) -> dict[str, Any]:
    return await record_service.record(request.user, str(system_id), kind, data.model_dump(mode="json"))


async def _list(request: Request[Actor, str, Any], system_id: UUID, kind: RecordKind) -> list[dict[str, Any]]:
    return await record_service.list_entries(request.user, str(system_id), kind)


def _created(entry: Any, system_id: UUID, path: str) -> Response[Any]:
    return Response(entry, status_code=201, headers={"Location": f"/api/v1/systems/{system_id}/{path}"})


class NoticeController(Controller):
    path = "/systems/{system_id:uuid}/notices"
    tags = ["Notices, consultations and workers' information"]

    @post(
        "/",
        operation_id="recordNotice",
        responses=problems(400, 403, 404, 413, 422),
        guards=[employer_admin],
        summary="Record a notice (append-only; the system's version stays)",
        status_code=201,
    )
    async def record_notice(
        self, request: Request[Actor, str, Any], system_id: FromPath[UUID], data: JSONBody[NoticeCreate]
    ) -> Response[Notice]:
        entry = Notice.model_validate(await _record(request, system_id, RecordKind.notice, data))
        return _created(entry, system_id, "notices")

    @get(
        "/",
        operation_id="listNotices",
        responses=problems(400, 403, 404),
        guards=[register_reader],
        summary="A system's notices, oldest first",
    )
    async def list_notices(
        self, request: Request[Actor, str, Any], system_id: FromPath[UUID]
    ) -> Entries[Notice]:
        found = await _list(request, system_id, RecordKind.notice)
        return Entries[Notice](items=[Notice.model_validate(e) for e in found])


class ConsultationController(Controller):
    path = "/systems/{system_id:uuid}/consultations"
    tags = ["Notices, consultations and workers' information"]

    @post(
        "/",
        operation_id="recordConsultation",
        responses=problems(400, 403, 404, 413, 422),
        guards=[employer_admin],
        summary="Record the committee's information, discussion or decision (append-only)",
        status_code=201,
    )
    async def record_consultation(
        self, request: Request[Actor, str, Any], system_id: FromPath[UUID], data: JSONBody[ConsultationCreate]
    ) -> Response[Consultation]:
        entry = Consultation.model_validate(await _record(request, system_id, RecordKind.consultation, data))
        return _created(entry, system_id, "consultations")

    @get(
        "/",
        operation_id="listConsultations",
        responses=problems(400, 403, 404),
        guards=[register_reader],
        summary="A system's consultations, oldest first",
    )
    async def list_consultations(
        self, request: Request[Actor, str, Any], system_id: FromPath[UUID]
    ) -> Entries[Consultation]:
        found = await _list(request, system_id, RecordKind.consultation)
        return Entries[Consultation](items=[Consultation.model_validate(e) for e in found])


class WorkerInformationController(Controller):
    path = "/systems/{system_id:uuid}/worker-information"
    tags = ["Notices, consultations and workers' information"]

    @post(
        "/",
        operation_id="recordWorkerInformation",
        responses=problems(400, 403, 404, 413, 422),
        guards=[employer_admin],
        summary="Record that the workers' representatives or the workers were informed (append-only)",
        status_code=201,
    )
    async def record_worker_information(
        self,
        request: Request[Actor, str, Any],
        system_id: FromPath[UUID],
        data: JSONBody[WorkerInformationCreate],
    ) -> Response[WorkerInformation]:
        found = await _record(request, system_id, RecordKind.worker_information, data)
        return _created(WorkerInformation.model_validate(found), system_id, "worker-information")

    @get(
        "/",
        operation_id="listWorkerInformation",
        responses=problems(400, 403, 404),
        guards=[register_reader],
        summary="A system's workers' information, oldest first",
    )
    async def list_worker_information(
        self, request: Request[Actor, str, Any], system_id: FromPath[UUID]
    ) -> Entries[WorkerInformation]:
        found = await _list(request, system_id, RecordKind.worker_information)
        return Entries[WorkerInformation](items=[WorkerInformation.model_validate(e) for e in found])
