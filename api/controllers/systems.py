"""AI systems: register, list, read and change (optimistic concurrency with ETag / If-Match)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, cast
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Operation, Parameter
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.response.base import ASGIResponse

from api.errors import NO_STORE, problems
from api.guards import employer_admin
from api.schemas import AISystem, AISystemCreate, AISystemPage, AISystemUpdate
from registry import Actor
from registry.pagination import DEFAULT_LIMIT, MAX_LIMIT
from registry.systems import service as systems
from registry.systems.models import Category, DataCategory, RiskClass, Status, SystemFields
from registry.systems.queries import SystemFilter, list_systems
from registry.systems.service import StoredSystem

JSON = "application/json"
# The list hands Litestar the finished ASGI response (an AISystemPage with its items as stored): the
# register's hottest read skips building a Response per page (2.5% of its instructions). The page's
# schema is declared here instead of by the return type.
PAGE_RESPONSE = ResponseSpec(
    AISystemPage, description="Request fulfilled, document follows", generate_examples=False
)
NO_NUL = "^[^\\x00]*$"
Q_DESCRIPTION = (
    "Words to search for in name, vendor, product, description, purpose and operator. A system matches "
    "when each word (letters and digits; case and punctuation do not matter) begins a word of it, in "
    "Danish or English; very common words are ignored. On PostgreSQL words are also stemmed, so other "
    "inflections match. A q without letters or digits is a 400."
)


def parse_if_match(header: str | None) -> list[int] | None:
    """Versions named by If-Match (`"3"` or a list of them). `*` names no version, so it counts as
    missing: an edit must say which version it was made from."""
    if header is None:
        return None
    versions = []
    for raw in header.split(","):
        tag = raw.strip().removeprefix("W/").strip('"')
        if tag.isdigit():
            versions.append(int(tag))
    return versions


def system_response(
    stored: StoredSystem, *, status_code: int = 200, location: bool = False
) -> Response[AISystem]:
    headers = {"ETag": f'"{stored.version}"'}
    if location:
        headers["Location"] = f"/api/v1/systems/{stored.document['id']}"
    return Response(  # the stored JSON is the representation of an AISystem; sent as is
        content=cast(Any, stored.body),
        media_type=JSON,
        status_code=status_code,
        headers=headers,
    )


@dataclass
class ChangeOperation(Operation):
    """If-Match is required: a change without it is answered 428 (by the service, with a problem that
    says what to send), so the handler takes it as optional and the document says it is required."""

    def __post_init__(self) -> None:
        for parameter in self.parameters or []:
            if isinstance(parameter, Parameter) and parameter.name == "If-Match":
                parameter.required = True


class OrganizationSystemController(Controller):
    path = "/organizations/{org_id:uuid}/systems"
    tags = ["AI systems"]

    # No role guard: the service refuses roles that read no register before any lookup
    # (registry/access.py, require_register_role). On the two hottest reads a Litestar guard cost about
    # 3% of the request: it copies the route handler on every call.
    @get(
        "/",
        operation_id="listSystems",
        responses={200: PAGE_RESPONSE, **problems(400, 403, 404)},
        summary="List and filter AI systems",
    )
    async def list_systems(
        self,
        request: Request[Actor, str, Any],
        org_id: FromPath[UUID],
        status: FromQuery[Status | None] = None,
        category: FromQuery[Category | None] = None,
        control_measure: FromQuery[bool | None] = None,
        risk_class: FromQuery[RiskClass | None] = None,
        data_category: FromQuery[DataCategory | None] = None,
        unit_id: FromQuery[UUID | None] = None,
        q: Annotated[
            str | None,
            QueryParameter(min_length=1, max_length=200, pattern=NO_NUL, description=Q_DESCRIPTION),
        ] = None,
        changed_since: FromQuery[datetime | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> ASGIResponse:
        filters = SystemFilter(
            status=status,
            category=category,
            control_measure=control_measure,
            risk_class=risk_class,
            data_category=data_category,
            unit_id=str(unit_id) if unit_id else None,
            q=q,
            changed_since=changed_since,
        )
        page = await list_systems(request.user, str(org_id), filters, limit=limit, cursor=cursor)
        parts = [b'{"items":[']
        for item in page.items:
            parts += (item, b",")
        if page.items:
            parts.pop()
        parts.append(b'],"next_cursor":' + json.dumps(page.next_cursor).encode() + b"}")
        body = b"".join(parts)  # one copy of a page that can be large
        return ASGIResponse(body=body, media_type=JSON, headers=NO_STORE)

    @post(
        "/",
        operation_id="registerSystem",
        responses=problems(400, 403, 404, 413, 422),
        guards=[employer_admin],
        summary="Register an AI system",
        status_code=201,
    )
    async def register_system(
        self, request: Request[Actor, str, Any], org_id: FromPath[UUID], data: JSONBody[AISystemCreate]
    ) -> Response[AISystem]:
        fields = SystemFields.model_validate(data.model_dump(exclude={"change_note", "effective_at"}))
        stored = await systems.register_system(
            request.user, str(org_id), fields, data.change_note, effective_at=data.effective_at
        )
        return system_response(stored, status_code=201, location=True)


class SystemController(Controller):
    path = "/systems"
    tags = ["AI systems"]

    # No role guard, as for listSystems above.
    @get(
        "/{system_id:uuid}",
        operation_id="getSystem",
        responses=problems(400, 403, 404),
        summary="One AI system",
    )
    async def get_system(
        self, request: Request[Actor, str, Any], system_id: FromPath[UUID]
    ) -> Response[AISystem]:
        return system_response(await systems.get_system(request.user, str(system_id)))

    @patch(
        "/{system_id:uuid}",
        operation_id="updateSystem",
        responses=problems(400, 403, 404, 412, 413, 422, 428),
        guards=[employer_admin],
        summary="Change an AI system (If-Match required); writes a revision unless nothing changes",
        operation_class=ChangeOperation,
    )
    async def update_system(
        self,
        request: Request[Actor, str, Any],
        system_id: FromPath[UUID],
        data: JSONBody[AISystemUpdate],
        if_match: Annotated[str | None, HeaderParameter(name="If-Match")] = None,
    ) -> Response[AISystem]:
        changes = data.model_dump(exclude_unset=True, mode="json")
        note = changes.pop("change_note", None)
        changes.pop("effective_at", None)
        material = bool(changes.pop("material", False))
        stored = await systems.update_system(
            request.user,
            str(system_id),
            changes,
            if_match=parse_if_match(if_match),
            change_note=note,
            effective_at=data.effective_at,
            material=material,
        )
        return system_response(stored)


__all__ = ["OrganizationSystemController", "SystemController", "parse_if_match"]
