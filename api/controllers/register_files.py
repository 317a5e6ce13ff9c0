"""The register as a spreadsheet: an organization's systems exported in the import template's columns,
and the template itself (Excel with drop-down lists, or CSV)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, QueryParameter
from pydantic import BaseModel, Field

from api.errors import NO_STORE, problems
from api.spreadsheets import FORMATS, headings, read_upload, register_file, template_file, vocabulary
from registry import Actor
from registry.access import require_register_writer
from registry.errors import NotFound
from registry.organizations.service import organization_exists
from registry.systems.imports import ImportRefused, RowReport, import_rows
from registry.systems.sheet import COLUMN_KEYS, register_rows

Language = Annotated[Literal["da", "en"], QueryParameter(description="Headings in da (default) or en.")]


def _media(*formats: str) -> dict[str, OpenAPIMediaType]:
    binary = Schema(type=OpenAPIType.STRING, content_media_type=FORMATS["xlsx"])
    text = Schema(type=OpenAPIType.STRING)
    return {FORMATS[f]: OpenAPIMediaType(schema=binary if f == "xlsx" else text) for f in formats}


@dataclass
class ExportOperation(Operation):
    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.content = _media("xlsx", "csv", "jsonl")


@dataclass
class TemplateOperation(Operation):
    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.content = _media("xlsx", "csv")


DISPOSITION = ResponseHeader(
    name="Content-Disposition",
    value='attachment; filename="<name>.<format>"',
    description="The file, as an attachment",
    documentation_only=True,
)


def _file(body: bytes, fmt: str, name: str, lang: str) -> Response[bytes]:
    headers = {
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
        "Content-Language": lang,
    }
    return Response(content=body, media_type=FORMATS[fmt], headers=headers)


IMPORT_MAX_BYTES = 10 * 1024 * 1024


class ImportProblem(BaseModel):
    row: int = Field(description="The row in the file (1 is the heading row)")
    column: str = Field(description="The column's heading in the chosen language")
    field: str = Field(description="The column's key (`ai_act.risk_class`)")
    reason: str


class ImportedRow(BaseModel):
    row: int
    outcome: Literal["created", "changed", "unchanged", "refused"]
    id: str | None = Field(description="The system the row created or changes")
    problems: list[ImportProblem]


class ImportReport(BaseModel):
    dry_run: bool
    created: int
    changed: int
    unchanged: int
    refused: int
    rows: list[ImportedRow]


class RefusedImport(ImportReport):
    """A problem (RFC 9457) whose extension members are the import's report."""

    title: str
    status: int
    detail: str


@dataclass
class ImportOperation(Operation):
    """The body is the file itself, which a handler reading raw bytes cannot declare."""

    def __post_init__(self) -> None:
        binary = Schema(type=OpenAPIType.STRING, content_media_type=FORMATS["xlsx"])
        self.request_body = RequestBody(
            required=True,
            description="The filled template: an xlsx workbook or a CSV file (UTF-8, comma or semicolon)",
            content={
                FORMATS["xlsx"]: OpenAPIMediaType(schema=binary),
                "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
            },
        )


def _report(reports: list[RowReport], dry_run: bool, lang: str) -> ImportReport:
    names = dict(zip(COLUMN_KEYS, headings(lang), strict=True))
    rows = [
        ImportedRow(
            row=r.row,
            outcome=r.outcome,  # type: ignore[arg-type]
            id=r.system_id,
            problems=[
                ImportProblem(row=r.row, column=names.get(key, key), field=key, reason=reason)
                for key, reason in r.problems
            ],
        )
        for r in reports
    ]
    counts = {outcome: sum(1 for r in reports if r.outcome == outcome) for outcome in OUTCOMES}
    return ImportReport(dry_run=dry_run, rows=rows, **counts)


OUTCOMES = ("created", "changed", "unchanged", "refused")


class RegisterFilesController(Controller):
    path = "/organizations/{org_id:uuid}"
    tags = ["AI systems"]

    @get(
        "/systems/export",
        operation_id="exportRegister",
        responses=problems(400, 403, 404),
        summary="The register as a file, in the import template's columns (xlsx, csv or jsonl)",
        description=(
            "Every AI system of the organization the caller may read (a steward limited to units: those "
            "systems), one row each, newest first: `id` and `version`, then every field, nested ones as "
            "`ai_act.risk_class`. Lists are joined with `; `, units by name, vocabularies by their codes, "
            "`access` and `data_subjects` as JSON. jsonl has the column keys; xlsx and csv the headings "
            "in the chosen language."
        ),
        operation_class=ExportOperation,
        response_description="The register",
        response_headers=[DISPOSITION],
    )
    async def export_register(
        self,
        request: Request[Actor, str, Any],
        org_id: FromPath[UUID],
        format: Annotated[
            Literal["xlsx", "csv", "jsonl"], QueryParameter(description="xlsx (default), csv or jsonl")
        ] = "xlsx",
        lang: Language = "da",
    ) -> Response[bytes]:
        rows = await register_rows(request.user, str(org_id))
        body = await asyncio.to_thread(register_file, rows, format, lang)
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        return _file(body, format, f"ai-register-{stamp}", lang)

    @get(
        "/imports/template",
        operation_id="getImportTemplate",
        responses=problems(400, 403, 404),
        summary="The import template: the register's columns with one example row",
        description=(
            "The columns of the register's export with one example row; in xlsx the vocabularies and "
            "yes/no as drop-down lists. For the organization's employer admins."
        ),
        operation_class=TemplateOperation,
        response_description="The template",
        response_headers=[DISPOSITION],
    )
    async def get_import_template(
        self,
        request: Request[Actor, str, Any],
        org_id: FromPath[UUID],
        format: Annotated[
            Literal["xlsx", "csv"], QueryParameter(description="xlsx (default) or csv")
        ] = "xlsx",
        lang: Language = "da",
    ) -> Response[bytes]:
        require_register_writer(request.user, str(org_id))
        if not await organization_exists(str(org_id)):
            raise NotFound("Organization not found.")
        body = await asyncio.to_thread(template_file, format, lang)
        return _file(body, format, "ai-register-skabelon" if lang == "da" else "ai-register-template", lang)

    @post(
        "/imports",
        operation_id="importSystems",
        status_code=200,
        request_max_body_size=IMPORT_MAX_BYTES,
        responses={
            422: ResponseSpec(
                RefusedImport,
                description="A real run with refused rows: nothing was written; the report says why",
                media_type="application/problem+json",
                generate_examples=False,
            ),
            **problems(400, 403, 404, 413),
        },
        summary="Import a filled template: a dry run reports, a real run writes every row or none",
        description=(
            "Each row without `id` registers a system; a row with `id` and `version` changes that system "
            "(`version` is its If-Match) or leaves it as it is. Per row the report says created, changed, "
            "unchanged or refused, and for a refused row each problem with its row, column and reason. "
            "`dry_run=true` (the default) writes nothing and answers 200 whatever the rows hold; "
            "`dry_run=false` writes all rows in one transaction, each new or changed system with a "
            "revision whose change note names the import, or, when a row is refused, nothing, with 422 "
            "and the same report. A file that is no xlsx or CSV, has no sheet Systemer/Systems, holds "
            "formulas or a column the template does not have: 400 naming `file`."
        ),
        operation_class=ImportOperation,
    )
    async def import_systems(
        self,
        request: Request[Actor, str, Any],
        org_id: FromPath[UUID],
        dry_run: Annotated[bool, QueryParameter(description="true (default): report only")] = True,
        lang: Language = "da",
    ) -> Response[ImportReport]:
        require_register_writer(request.user, str(org_id))  # before reading a byte of the file
        rows = await asyncio.to_thread(read_upload, await request.body())
        source = f"Importeret fra regneark {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        try:
            reports = await import_rows(
                request.user, str(org_id), rows, vocabulary(), dry_run=dry_run, change_note=source
            )
        except ImportRefused as refused:
            report = _report(refused.reports, dry_run, lang)
            problem = RefusedImport(
                title="Unprocessable content", status=422, detail=refused.message, **report.model_dump()
            )
            return Response(
                content=problem,
                status_code=422,
                media_type="application/problem+json",
                headers=NO_STORE,
            )
        return Response(content=_report(reports, dry_run, lang))


__all__ = ["RegisterFilesController"]
