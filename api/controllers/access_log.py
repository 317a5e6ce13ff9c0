"""The access log for auditors: streamed, verifiable exports; verification; the public key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.params import FromQuery, QueryParameter
from litestar.response import Stream
from pydantic import BaseModel, Field

from api.errors import problems
from api.runtime import AccessLogRuntime
from registry import Actor
from registry.accesslog.chain import Verdict
from registry.accesslog.checkpoints import list_checkpoints
from registry.accesslog.files import jsonl_lines
from registry.accesslog.kept import KeptCheckpointUnreadable
from registry.accesslog.service import (
    ExportQuery,
    check_range,
    export_csv,
    export_records,
    require_log_reader,
    verify_stored,
)
from registry.errors import FieldProblem, InvalidQuery
from registry.pagination import DEFAULT_LIMIT, MAX_LIMIT

# Litestar adds "; charset=utf-8" to text/* types itself.
MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv"}
CHUNK = 1000
FilterText = Annotated[str | None, QueryParameter(min_length=1, max_length=200, pattern="^[^\\x00]*$")]


@dataclass
class ExportOperation(Operation):
    """The export streams JSON Lines or CSV, which a handler returning a Stream cannot declare itself."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            text = Schema(type=OpenAPIType.STRING)
            ok.content = {
                "application/x-ndjson": OpenAPIMediaType(schema=text),
                "text/csv": OpenAPIMediaType(schema=text),
            }


class Verification(BaseModel):
    ok: bool
    entries: int
    stubs: int
    checkpoints: int
    first_seq: int | None
    last_seq: int | None
    signed_through_seq: int | None
    unsigned_tail: int
    first_bad_seq: int | None
    reason: str | None


class PublicKey(BaseModel):
    key_id: str
    public_key: str


class Checkpoint(BaseModel):
    """A signed checkpoint, as witness files keep it and the `access_log.checkpoint` event carries it."""

    # As stored: a row someone put in is listed as it is (its signature then does not verify).
    kind: str = Field(description="`checkpoint`")
    number: int = Field(description="1, 2, 3, ... without gaps")
    last_seq: int = Field(description="The last entry it covers")
    last_hash: str | None = Field(description="The chain's hash at `last_seq`")
    entries: int | None = Field(description="Entries since the checkpoint before it")
    at: str | None = Field(description="When it was signed (UTC, milliseconds)")
    key_id: str | None
    prev: str | None = Field(description="sha256 of the checkpoint before it (64 zeros for the first)")
    signature: str | None = Field(description="Ed25519, base64, over the canonical JSON of the fields above")


class CheckpointPage(BaseModel):
    items: list[Checkpoint]
    next_after: int | None = Field(description="Pass as `after` for the next page; null on the last page.")


async def _jsonl(records: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    chunk: list[dict[str, Any]] = []
    async for record in records:
        chunk.append(record)
        if len(chunk) >= CHUNK:
            yield jsonl_lines(chunk)
            chunk = []
    if chunk:
        yield jsonl_lines(chunk)


def _moment(text: str, field: str) -> datetime:
    """The query names `from` and `to` cannot be Python names, so they are parsed here, where a bad
    value can still be reported under its public name."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidQuery(
            f"`{field}` is not a date or time.",
            problems=[FieldProblem(field, "is not an ISO 8601 date or time")],
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class AccessLogController(Controller):
    path = "/access-log"
    tags = ["Access log"]

    @get(
        "/",
        operation_id="exportAccessLog",
        responses=problems(400, 403, 429),
        summary="Export entries of [from, to) with what proves them (stream; JSON Lines or CSV)",
        response_description="A header, entries (others as stubs), signed checkpoints, a trailer",
        operation_class=ExportOperation,
    )
    async def export_access_log(
        self,
        request: Request[Actor, str, Any],
        audit: NamedDependency[AccessLogRuntime],
        start: Annotated[str, QueryParameter(name="from", max_length=40, description="inclusive, ISO 8601")],
        end: Annotated[str, QueryParameter(name="to", max_length=40, description="exclusive, ISO 8601")],
        actor: FilterText = None,
        action: FilterText = None,
        resource_id: FilterText = None,
        format: FromQuery[Literal["jsonl", "csv"]] = "jsonl",
    ) -> Stream:
        require_log_reader(request.user)
        query = ExportQuery(
            start=_moment(start, "from"),
            end=_moment(end, "to"),
            actor=actor,
            action=action,
            resource_id=resource_id,
        )
        check_range(query, audit.settings.access_log_max_export_days)
        max_days = audit.settings.access_log_max_export_days
        body = (
            export_csv(request.user, query, audit.signer, max_days=max_days)
            if format == "csv"
            else _jsonl(export_records(request.user, query, audit.signer, max_days=max_days))
        )
        name = f"access-log-{query.start:%Y%m%d}-{query.end:%Y%m%d}.{format}"
        return Stream(
            body,
            media_type=MEDIA[format],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @get(
        "/verify",
        operation_id="verifyAccessLog",
        responses=problems(403, 429),  # rate-limited like exports (api/app.py)
        summary="Verify the whole stored chain",
    )
    async def verify_access_log(
        self, request: Request[Actor, str, Any], audit: NamedDependency[AccessLogRuntime]
    ) -> Verification:
        require_log_reader(request.user)
        try:
            kept = audit.kept()
        except KeptCheckpointUnreadable as exc:
            return Verification.model_validate(Verdict().fail(None, str(exc)).as_dict())
        verdict = await verify_stored(audit.verifier, kept=kept)
        return Verification.model_validate(verdict.as_dict())

    @get(
        "/checkpoints",
        operation_id="listAccessLogCheckpoints",
        responses=problems(400, 403),
        summary="Signed checkpoints with a number above `after`, oldest first: keep copies as witnesses",
    )
    async def list_access_log_checkpoints(
        self,
        request: Request[Actor, str, Any],
        after: Annotated[int, QueryParameter(ge=0, le=2**62, description="a checkpoint number")] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> CheckpointPage:
        require_log_reader(request.user)
        rows = await list_checkpoints(after, limit + 1)
        page = rows[:limit]
        return CheckpointPage(
            items=[Checkpoint.model_validate(row) for row in page],
            next_after=int(page[-1]["number"]) if len(rows) > limit else None,
        )

    @get(
        "/public-key",
        operation_id="getAccessLogPublicKey",
        responses=problems(403),
        summary="The key that signs checkpoints",
    )
    async def get_access_log_public_key(
        self, request: Request[Actor, str, Any], audit: NamedDependency[AccessLogRuntime]
    ) -> PublicKey:
        require_log_reader(request.user)
        return PublicKey(key_id=audit.signer.key_id, public_key=audit.public_key_pem)
