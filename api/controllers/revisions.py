"""The immutable history of an AI system: every version, and field-level diffs between versions."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import FromPath, PathParameter, QueryParameter

from api.errors import problems
from api.guards import register_reader
from api.schemas import Revision, RevisionDiff, RevisionSummary
from registry import Actor
from registry.systems import service as systems

MAX_VERSION = 2**31 - 1  # versions are 32-bit integers in the database
Version = Annotated[int, PathParameter(ge=1, le=MAX_VERSION)]


class RevisionController(Controller):
    path = "/systems/{system_id:uuid}/revisions"
    tags = ["AI systems"]
    guards = [register_reader]

    @get(
        "/",
        operation_id="listRevisions",
        responses=problems(400, 403, 404),
        summary="All versions, newest first",
    )
    async def list_revisions(
        self, request: Request[Actor, str, Any], system_id: FromPath[UUID]
    ) -> list[RevisionSummary]:
        return [
            RevisionSummary.model_validate(r)
            for r in await systems.list_revisions(request.user, str(system_id))
        ]

    @get(
        "/{version:int}",
        operation_id="getRevision",
        responses=problems(400, 403, 404),
        summary="One version as it was",
    )
    async def get_revision(
        self, request: Request[Actor, str, Any], system_id: FromPath[UUID], version: Version
    ) -> Revision:
        return Revision.model_validate(await systems.get_revision(request.user, str(system_id), version))

    @get(
        "/{version:int}/diff",
        operation_id="diffRevision",
        responses=problems(400, 403, 404),
        summary="Field-level changes to this version from the previous one (or from `against`)",
    )
    async def diff_revision(
        self,
        request: Request[Actor, str, Any],
        system_id: FromPath[UUID],
        version: Version,
        against: Annotated[int | None, QueryParameter(ge=1, le=MAX_VERSION)] = None,
    ) -> RevisionDiff:
        return RevisionDiff.model_validate(
            await systems.diff_revisions(request.user, str(system_id), version, against)
        )
