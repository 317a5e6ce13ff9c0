"""Units: workplaces and MED/SU areas of an organization."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody

from api.errors import problems
from api.guards import employer_admin, register_reader
from api.schemas import Unit, UnitCreate, UnitUpdate
from registry import Actor
from registry.organizations import units


class OrganizationUnitController(Controller):
    path = "/organizations/{org_id:uuid}/units"
    tags = ["Units"]

    @get(
        "/",
        operation_id="listUnits",
        responses=problems(400, 403, 404),
        guards=[register_reader],
        summary="Units of an organization",
    )
    async def list_units(self, request: Request[Actor, str, Any], org_id: FromPath[UUID]) -> list[Unit]:
        return [Unit.model_validate(u) for u in await units.list_units(request.user, str(org_id))]

    @post(
        "/",
        operation_id="createUnit",
        responses=problems(400, 403, 404, 413, 422),
        guards=[employer_admin],
        summary="Add a unit",
    )
    async def create_unit(
        self, request: Request[Actor, str, Any], org_id: FromPath[UUID], data: JSONBody[UnitCreate]
    ) -> Unit:
        return Unit.model_validate(await units.create_unit(request.user, str(org_id), data))


class UnitController(Controller):
    path = "/units"
    tags = ["Units"]

    @get(
        "/{unit_id:uuid}",
        operation_id="getUnit",
        responses=problems(400, 403, 404),
        guards=[register_reader],
        summary="One unit",
    )
    async def get_unit(self, request: Request[Actor, str, Any], unit_id: FromPath[UUID]) -> Unit:
        return Unit.model_validate(await units.get_unit(request.user, str(unit_id)))

    @patch(
        "/{unit_id:uuid}",
        operation_id="updateUnit",
        responses=problems(400, 403, 404, 413, 422),
        guards=[employer_admin],
        summary="Change a unit",
    )
    async def update_unit(
        self, request: Request[Actor, str, Any], unit_id: FromPath[UUID], data: JSONBody[UnitUpdate]
    ) -> Unit:
        return Unit.model_validate(await units.update_unit(request.user, str(unit_id), data))
