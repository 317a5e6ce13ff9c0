"""The written account (skriftlig redegørelse) of an AI system, to hand out at an SU/MED meeting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.datastructures import ResponseHeader
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.params import FromPath, QueryParameter

from api.errors import problems
from api.guards import register_reader
from api.statement import MEDIA_TYPES, build_account, filename_for, render
from api.statement.facts import account_facts
from registry import Actor

Format = Annotated[Literal["html", "md", "pdf"], QueryParameter(description="html (default), md or pdf.")]
Language = Annotated[Literal["da", "en"], QueryParameter(description="da (default) or en.")]

# The HTML is a document of its own: nothing in it runs, loads or may be framed.
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"


@dataclass
class StatementOperation(Operation):
    """The one success response comes in three media types, which a handler cannot declare itself."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            text = Schema(type=OpenAPIType.STRING)
            ok.content = {
                "text/html": OpenAPIMediaType(schema=text),
                "text/markdown": OpenAPIMediaType(schema=text),
                "application/pdf": OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, content_media_type="application/pdf")
                ),
            }


class SystemStatementController(Controller):
    path = "/systems/{system_id:uuid}/statement"
    tags = ["Obligations"]
    guards = [register_reader]

    @get(
        "/",
        operation_id="getSystemStatement",
        responses=problems(400, 403, 404),
        summary="The written account (skriftlig redegørelse) as HTML, Markdown or PDF",
        description=(
            "Purpose, data, access, retention, use, human oversight, notice and consultation, APV "
            "status, open findings and the change history of one AI system, in plain Danish or English, "
            "ready to hand out at an SU/MED meeting."
        ),
        operation_class=StatementOperation,
        response_description="The account; a PDF comes as an attachment",
        response_headers=[
            ResponseHeader(
                name="Content-Disposition",
                value='inline; filename="redegoerelse-<name>.html"',
                description='`attachment; filename="redegoerelse-<name>.pdf"` for a PDF, else inline',
                documentation_only=True,
            )
        ],
    )
    async def get_system_statement(
        self,
        request: Request[Actor, str, Any],
        system_id: FromPath[UUID],
        format: Format = "html",
        lang: Language = "da",
    ) -> Response[bytes]:
        statement = await account_facts(request.user, str(system_id))
        body = await render(build_account(statement, lang), format)
        filename = filename_for(str(statement.system["name"]), format)
        headers = {
            "Content-Disposition": f'{"attachment" if format == "pdf" else "inline"}; filename="{filename}"',
            "Content-Language": lang,
            "X-Content-Type-Options": "nosniff",
        }
        if format == "html":
            headers["Content-Security-Policy"] = HTML_POLICY
        return Response(content=body, media_type=MEDIA_TYPES[format], headers=headers)


__all__ = ["SystemStatementController"]
