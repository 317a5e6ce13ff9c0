"""Errors on the pages become pages, in the reader's language, with the status the API would give.

The API answers problem+json; a browser reading a page gets an HTML page that says what happened
and what to do. The status codes are the API's (api/errors.py), so "another organization's system"
is a 404 here too, indistinguishable from an unknown id."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsException

from api.errors import STATUS_OF
from api.i18n import translator
from api.pages.config import config_of
from api.pages.rendering import auth_of, language_of, render_page
from api.pages.security import CsrfRefused
from registry import DomainError
from registry.accesslog.writer import AccessLogUnavailable
from registry.sessions.service import LinkState, LoginLinkRefused

log = logging.getLogger("airegistry.pages")
KNOWN = frozenset({400, 401, 403, 404, 405, 413, 422, 429, 500, 503})


def _status_and_keys(exc: Exception) -> tuple[int, str]:
    """The status, and the catalogue prefix of the title and text (`<prefix>.title`, `.text`)."""
    if isinstance(exc, CsrfRefused):
        return 403, "error.403.csrf"
    if isinstance(exc, LoginLinkRefused):
        if exc.state is LinkState.unknown:
            return 404, "error.404.link"
        return 410, f"error.410.{exc.state.value}"
    if isinstance(exc, DomainError):
        status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
    elif isinstance(exc, ValidationException):
        status = 400
    elif isinstance(exc, HTTPException | ProblemDetailsException):
        status = exc.status_code
    elif isinstance(exc, AccessLogUnavailable):
        status = 503
    else:
        log.exception("unhandled error on a page", exc_info=exc)
        status = 500
    if status not in KNOWN:
        status = 500 if status >= 500 else 400
    return status, f"error.{status}"


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    status, prefix = _status_and_keys(exc)
    t = translator(language_of(request))
    text = t(f"{prefix}.text")
    if status == 401 and auth_of(request).kind == "refused":
        text = t("error.401.refused")
    headers = {}
    if isinstance(exc, HTTPException) and exc.headers:
        headers = {k: v for k, v in exc.headers.items() if k.lower() in ("retry-after", "allow")}
    return render_page(
        request,
        "error.html.j2",
        title=t(f"{prefix}.title"),
        status=status,
        headers=headers,
        status_code=status,
        heading=t(f"{prefix}.title"),
        text=text,
        link_hours=config_of(request).link_hours,
    )


# Every kind of error the app-wide problem+json plugin handles, handled as a page instead.
PAGE_EXCEPTION_HANDLERS: dict[Any, Any] = {
    ProblemDetailsException: error_page,
    HTTPException: error_page,
    ValidationException: error_page,
    DomainError: error_page,
    AccessLogUnavailable: error_page,
    RecursionError: error_page,
    Exception: error_page,
}

__all__ = ["PAGE_EXCEPTION_HANDLERS", "error_page"]
