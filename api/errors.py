"""The one place where errors become HTTP: RFC 9457 problem+json through Litestar's plugin."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from pydantic import BaseModel, Field

from registry import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidFields,
    InvalidInput,
    InvalidQuery,
    NotFound,
    PreconditionRequired,
    Unavailable,
    VersionMismatch,
)
from registry.accesslog.writer import AccessLogUnavailable
from registry.errors import field_path

log = logging.getLogger("airegistry.api")
MISSING_PARAMETER = re.compile(r"Missing required (\w+) parameter '([^']+)'")

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}

PROBLEM_MEDIA_TYPE = "application/problem+json"
# What each documented error status means in this API (the OpenAPI description of the response).
MEANINGS = {
    400: "A parameter or the body is not valid; `errors` names each field and why",
    401: "No valid bearer token",
    403: "Your role does not allow this",
    404: "Not found, or another organization's (never 403 for those)",
    409: "Conflicts with the object's current state",
    412: "The object changed since the version named by If-Match; the ETag header names the current one",
    413: "The request body is larger than this register accepts",
    422: "Well-formed, but contradicts the register (unknown ids, dates out of order); `errors` names each",
    428: "If-Match is required: send the ETag of the version you edited",
    429: "Too many requests; RateLimit-Reset says in how many seconds to try again",
    503: "The access log cannot be written right now, so the request was not answered",
}
# Every authenticated operation: a missing or bad token, and the access log refusing to record.
ALWAYS = (401, 503)


class FieldError(BaseModel):
    field: str
    reason: str


class Problem(BaseModel):
    """An RFC 9457 problem: how every error of this API is answered."""

    type: str | None = None
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = Field(default=None, description="Each field and why; at most 50.")
    more_errors: int | None = Field(
        default=None, description="How many more problems there were than `errors` lists."
    )


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The problem+json responses of an operation besides its success: `statuses` plus ALWAYS."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=MEANINGS[status],
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in sorted({*statuses, *ALWAYS})
    }


STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    InvalidFields: 400,
    InvalidQuery: 400,
    InvalidInput: 422,
    Conflict: 409,
    VersionMismatch: 412,
    PreconditionRequired: 428,
    Unavailable: 503,
}


MAX_PROBLEMS = 50
"""A problem answer names at most this many fields, and says how many more there were."""
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
"""On every API answer: register data (and what a caller got wrong) is kept by no cache, and no browser
reads it as another type."""


def _problem(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemDetailsException:
    extra: dict[str, Any] = {"errors": errors} if errors else {}
    if errors and len(errors) > MAX_PROBLEMS:
        # A body of thousands of unknown keys gets a short answer: the first problems, and how many more.
        extra = {"errors": errors[:MAX_PROBLEMS], "more_errors": len(errors) - MAX_PROBLEMS}
    return ProblemDetailsException(
        status_code=status,
        title=TITLES.get(status, "Error"),
        detail=detail,
        extra=extra,
        headers={**NO_STORE, **(headers or {})},
    )


def domain_problem(exc: DomainError) -> ProblemDetailsException:
    status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
    errors = [{"field": p.field, "reason": p.reason} for p in exc.problems]
    headers = None
    if isinstance(exc, VersionMismatch) and exc.current_version is not None:
        headers = {"ETag": f'"{exc.current_version}"'}
    return _problem(status, exc.message, errors=errors, headers=headers)


def _field_of(key: str, source: str | None) -> str:
    if source and source != "body":
        return key
    return field_path(key.split("."))


def validation_problem(exc: ValidationException) -> ProblemDetailsException:
    """Litestar's validation error, reshaped so each bad field and its reason are named."""
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            errors.append(
                {
                    "field": _field_of(str(item.get("key") or "body"), item.get("source")),
                    "reason": str(item.get("message", "is not valid")),
                }
            )
    missing = MISSING_PARAMETER.search(str(exc.detail))
    if missing and not errors:
        errors.append({"field": missing.group(2), "reason": f"is a required {missing.group(1)} parameter"})
    detail = "Some fields are not valid." if errors else "The request could not be read as JSON."
    return _problem(400, detail, errors=errors)


def http_problem(exc: HTTPException) -> ProblemDetailsException:
    detail = exc.detail if exc.status_code < 500 else TITLES[500]
    if exc.status_code == 413:
        detail = "The request body is larger than this register accepts."
    return _problem(exc.status_code, detail, headers=exc.headers)


def unavailable_problem(_: AccessLogUnavailable) -> ProblemDetailsException:
    return _problem(503, "The access log cannot be written right now, so the request was not answered.")


def too_deep_problem(_: RecursionError) -> ProblemDetailsException:
    # msgspec gives up on JSON nested thousands of levels deep, and Litestar lets that through.
    return _problem(400, "The request body is nested too deeply to read.")


def unexpected_problem(exc: Exception) -> ProblemDetailsException:
    log.exception("unhandled error", exc_info=exc)
    return _problem(500, "Something went wrong on our side; nothing was saved.")


problem_details_plugin = ProblemDetailsPlugin(
    ProblemDetailsConfig(
        exception_to_problem_detail_map={
            DomainError: domain_problem,
            ValidationException: validation_problem,
            HTTPException: http_problem,
            RecursionError: too_deep_problem,
            AccessLogUnavailable: unavailable_problem,
            Exception: unexpected_problem,
        }
    )
)
