"""The register as a spreadsheet, on pages: every reader downloads the register in the import
template's columns; employer admins download the template and upload a filled one, first as a check
(nothing written) and then for real (every row or none), with the report as a table.

The same services and file readers as the API's (api/controllers/register_files.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile

from api.i18n import Translator, translator
from api.pages.config import actor_required, config_of, employer_admin_org, logged_in
from api.pages.forms import text_of
from api.pages.reasons import field_reason, file_reason
from api.pages.register import organization_of
from api.pages.rendering import SECURITY_HEADERS, auth_of, language_of, render_page
from api.pages.security import check_form
from api.spreadsheets import FORMATS, headings, read_upload, register_file, template_file, vocabulary
from api.statement.view import Words
from registry import NotFound
from registry.errors import InvalidFields
from registry.systems.imports import ImportRefused, RowReport, import_rows
from registry.systems.sheet import COLUMN_KEYS, register_rows

UPLOAD_MAX_BYTES: Final = 10 * 1024 * 1024
FORM_MAX_BYTES: Final = UPLOAD_MAX_BYTES + 64 * 1024  # the file, and the form around it
OUTCOMES = ("created", "changed", "unchanged", "refused")


def _format(request: Request[Any, Any, Any], allowed: tuple[str, ...]) -> str:
    fmt = request.query_params.get("format") or "xlsx"
    if fmt not in allowed:
        raise NotFound("No such file format.")
    return fmt


def _download(body: bytes, fmt: str, name: str, lang: str) -> Response[bytes]:
    return Response(
        content=body,
        media_type=FORMATS[fmt],
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
            "Content-Language": lang,
        },
    )


@dataclass(frozen=True)
class ReportRow:
    row: int
    outcome: str
    outcome_label: str
    system_id: str | None
    problems: list[tuple[str, str]]  # (column heading, reason in words)


@dataclass(frozen=True)
class ImportView:
    dry_run: bool
    written: bool
    counts: list[tuple[str, str, int]]  # (outcome, label, count)
    rows: list[ReportRow]
    refused: int


def _view(reports: list[RowReport], *, dry_run: bool, written: bool, lang: str) -> ImportView:
    t = translator(lang)
    names = dict(zip(COLUMN_KEYS, headings(lang), strict=True))
    label = Words(lang).label
    rows = [
        ReportRow(
            row=r.row,
            outcome=r.outcome,
            outcome_label=t(f"import.outcome.{r.outcome}"),
            system_id=r.system_id,
            problems=[(names.get(key, key), field_reason(reason, t, label)) for key, reason in r.problems],
        )
        for r in reports
    ]
    counts = [(o, t(f"import.outcome.{o}"), sum(1 for r in reports if r.outcome == o)) for o in OUTCOMES]
    return ImportView(
        dry_run=dry_run,
        written=written,
        counts=counts,
        rows=rows,
        refused=sum(1 for r in reports if r.outcome == "refused"),
    )


class RegisterFilesPageController(Controller):
    path = "/register"
    guards = [logged_in]

    @get("/export", operation_id="pageExportRegister", summary="The register as a spreadsheet")
    async def export(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        actor = actor_required(request)
        org_id = organization_of(actor, request.query_params.get("org"))
        if org_id is None:
            raise NotFound("Choose an organization first.")
        fmt = _format(request, ("xlsx", "csv"))
        lang = language_of(request)
        rows = await register_rows(actor, org_id)
        body = await asyncio.to_thread(register_file, rows, fmt, lang)
        return _download(body, fmt, f"ai-register-{datetime.now(UTC):%Y%m%d}", lang)

    @get("/import/template", operation_id="pageImportTemplate", summary="The import template")
    async def template(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        employer_admin_org(actor_required(request))
        fmt = _format(request, ("xlsx", "csv"))
        lang = language_of(request)
        body = await asyncio.to_thread(template_file, fmt, lang)
        return _download(body, fmt, "ai-register-skabelon" if lang == "da" else "ai-register-template", lang)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        *,
        report: ImportView | None = None,
        file_error: str | None = None,
        status: int = 200,
    ) -> Response[Any]:
        employer_admin_org(actor_required(request))
        t = translator(language_of(request))
        return render_page(
            request,
            "import.html.j2",
            title=t("import.title"),
            status=status,
            back_to="/register/import",
            nav="register",
            report=report,
            file_error=file_error,
            max_label=t.number(UPLOAD_MAX_BYTES // (1024 * 1024)),
        )

    @get("/import", operation_id="pageImport", summary="Import AI systems from a spreadsheet")
    async def import_page(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await self._page(request)

    @post(
        "/import",
        operation_id="pageImportSystems",
        summary="An employer admin checks or imports a filled template",
        status_code=200,
        request_max_body_size=FORM_MAX_BYTES,
    )
    async def import_file(self, request: Request[Any, Any, Any]) -> Response[Any]:
        actor = actor_required(request)
        org_id = employer_admin_org(actor)  # before the file is read
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        lang = language_of(request)
        t = translator(lang)
        dry_run = text_of(form, "action") != "import"
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._page(request, file_error=t("import.error.no_file"), status=400)
        body = await upload.read()
        if not body:
            return await self._page(request, file_error=t("import.error.empty"), status=400)
        try:
            rows = await asyncio.to_thread(read_upload, body)
        except InvalidFields as exc:
            return await self._page(request, file_error=_file_reason(exc, t), status=400)
        source = f"Importeret fra regneark {datetime.now(UTC):%Y-%m-%d %H:%M} UTC ({upload.filename[:100]})"
        try:
            reports = await import_rows(
                actor, org_id, rows, vocabulary(), dry_run=dry_run, change_note=source
            )
        except ImportRefused as refused:
            view = _view(refused.reports, dry_run=False, written=False, lang=lang)
            return await self._page(request, report=view, status=422)
        view = _view(reports, dry_run=dry_run, written=not dry_run, lang=lang)
        return await self._page(request, report=view)


def _file_reason(exc: InvalidFields, t: Translator) -> str:
    return file_reason(exc.problems[0].reason if exc.problems else exc.message, t)


__all__ = ["RegisterFilesPageController"]
