"""The one place where errors become HTTP: RFC 9457 problem+json through Litestar's plugin."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)

from registry import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidFields,
    InvalidInput,
    InvalidQuery,
    NotFound,
    PreconditionRequired,
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

STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    InvalidFields: 400,
    InvalidQuery: 400,
    InvalidInput: 422,
    Conflict: 409,
    VersionMismatch: 412,
    PreconditionRequired: 428,
}


def _problem(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemDetailsException:
    extra: dict[str, Any] = {"errors": errors} if errors else {}
    return ProblemDetailsException(
        status_code=status, title=TITLES.get(status, "Error"), detail=detail, extra=extra, headers=headers
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
