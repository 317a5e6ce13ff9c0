"""Organizations: the employers whose registers this service holds."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody

from api.errors import problems
from api.guards import organization_admin, platform_admin
from api.schemas import Organization, OrganizationCreate, OrganizationUpdate
from registry import Actor
from registry.organizations import service as organizations


class OrganizationController(Controller):
    path = "/organizations"
    tags = ["Organizations"]

    @post(
        "/",
        operation_id="createOrganization",
        responses=problems(400, 403, 409, 413),
        guards=[platform_admin],
        summary="Register an employer",
    )
    async def create_organization(
        self, request: Request[Actor, str, Any], data: JSONBody[OrganizationCreate]
    ) -> Organization:
        return Organization.model_validate(await organizations.create_organization(request.user, data))

    @get("/", operation_id="listOrganizations", responses=problems(), summary="Organizations you may see")
    async def list_organizations(self, request: Request[Actor, str, Any]) -> list[Organization]:
        return [Organization.model_validate(o) for o in await organizations.list_organizations(request.user)]

    @get(
        "/{org_id:uuid}",
        operation_id="getOrganization",
        responses=problems(400, 403, 404),
        summary="One organization",
    )
    async def get_organization(
        self, request: Request[Actor, str, Any], org_id: FromPath[UUID]
    ) -> Organization:
        return Organization.model_validate(await organizations.get_organization(request.user, str(org_id)))

    @patch(
        "/{org_id:uuid}",
        operation_id="updateOrganization",
        responses=problems(400, 403, 404, 409, 413),
        guards=[organization_admin],
        summary="Change an organization",
    )
    async def update_organization(
        self, request: Request[Actor, str, Any], org_id: FromPath[UUID], data: JSONBody[OrganizationUpdate]
    ) -> Organization:
        return Organization.model_validate(
            await organizations.update_organization(request.user, str(org_id), data)
        )
