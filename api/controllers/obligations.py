"""Workplace obligations: APV reassessments, compliance findings, and an organization's overview."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, patch
from litestar.params import FromPath, JSONBody, QueryParameter

from api.errors import problems
from api.guards import employer_admin, register_reader
from api.schemas.obligations import ApvReassessment, ApvReassessmentUpdate, ComplianceFinding, Overview
from registry import Actor
from registry.obligations import apv, findings, overview

FindingStatus = Annotated[Literal["open", "resolved", "all"], QueryParameter(description="Default: open.")]
Severity = Literal["info", "warning", "violation"]
RuleId = Annotated[str | None, QueryParameter(max_length=64, pattern="^[a-z0-9_.]+$")]


def _status(value: str) -> str | None:
    return None if value == "all" else value


class OrganizationObligationController(Controller):
    path = "/organizations/{org_id:uuid}"
    tags = ["Obligations"]
    guards = [register_reader]

    @get(
        "/apv-reassessments",
        operation_id="listApvReassessments",
        responses=problems(400, 403, 404),
        summary="APV reassessments, due first",
    )
    async def list_apv_reassessments(
        self,
        request: Request[Actor, str, Any],
        org_id: FromPath[UUID],
        status: Annotated[Literal["open", "completed", "cancelled"] | None, QueryParameter()] = None,
        overdue: Annotated[bool | None, QueryParameter()] = None,
        unit_id: Annotated[UUID | None, QueryParameter()] = None,
        system_id: Annotated[UUID | None, QueryParameter()] = None,
    ) -> list[ApvReassessment]:
        found = await apv.list_reassessments(
            request.user,
            str(org_id),
            status=status,
            overdue=overdue,
            unit_id=str(unit_id) if unit_id else None,
            system_id=str(system_id) if system_id else None,
        )
        return [ApvReassessment.model_validate(item) for item in found]

    @get(
        "/findings",
        operation_id="listOrganizationFindings",
        responses=problems(400, 403, 404),
        summary="Compliance findings, most severe first",
    )
    async def list_organization_findings(
        self,
        request: Request[Actor, str, Any],
        org_id: FromPath[UUID],
        status: FindingStatus = "open",
        severity: Annotated[Severity | None, QueryParameter()] = None,
        rule_id: RuleId = None,
        system_id: Annotated[UUID | None, QueryParameter()] = None,
    ) -> list[ComplianceFinding]:
        found = await findings.list_organization_findings(
            request.user,
            str(org_id),
            status=_status(status),
            severity=severity,
            rule_id=rule_id,
            system_id=str(system_id) if system_id else None,
        )
        return [ComplianceFinding.of(item) for item in found]

    @get(
        "/overview",
        operation_id="getOrganizationOverview",
        responses=problems(400, 403, 404),
        summary="The organization at a glance",
    )
    async def get_organization_overview(
        self, request: Request[Actor, str, Any], org_id: FromPath[UUID]
    ) -> Overview:
        return Overview.model_validate(await overview.organization_overview(request.user, str(org_id)))


class ApvReassessmentController(Controller):
    path = "/apv-reassessments/{reassessment_id:uuid}"
    tags = ["Obligations"]

    @get(
        "/",
        operation_id="getApvReassessment",
        responses=problems(400, 403, 404),
        guards=[register_reader],
        summary="One APV reassessment",
    )
    async def get_apv_reassessment(
        self, request: Request[Actor, str, Any], reassessment_id: FromPath[UUID]
    ) -> ApvReassessment:
        found = await apv.get_reassessment(request.user, str(reassessment_id))
        return ApvReassessment.model_validate(found)

    @patch(
        "/",
        operation_id="updateApvReassessment",
        responses=problems(400, 403, 404, 409, 413, 422),
        guards=[employer_admin],
        summary="Record AMO participation, findings and action items; complete it",
    )
    async def update_apv_reassessment(
        self,
        request: Request[Actor, str, Any],
        reassessment_id: FromPath[UUID],
        data: JSONBody[ApvReassessmentUpdate],
    ) -> ApvReassessment:
        updated = await apv.update_reassessment(request.user, str(reassessment_id), data)
        return ApvReassessment.model_validate(updated)


class SystemFindingController(Controller):
    path = "/systems/{system_id:uuid}/findings"
    tags = ["Obligations"]
    guards = [register_reader]

    @get(
        "/",
        operation_id="listSystemFindings",
        responses=problems(400, 403, 404),
        summary="A system's compliance findings",
    )
    async def list_system_findings(
        self, request: Request[Actor, str, Any], system_id: FromPath[UUID], status: FindingStatus = "open"
    ) -> list[ComplianceFinding]:
        found = await findings.list_system_findings(request.user, str(system_id), status=_status(status))
        return [ComplianceFinding.of(item) for item in found]


__all__ = ["ApvReassessmentController", "OrganizationObligationController", "SystemFindingController"]
