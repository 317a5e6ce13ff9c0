"""Who is looking at a page, and the checks every form post passes: same origin, and a CSRF token
tied to the session.

A page request is authenticated by the session cookie a one-time link opened, or, behind an identity
provider, by `Authorization: Bearer <JWT>` checked by the API's own verifier. The CSRF token is an
HMAC of the session id (or of the bearer token), so it needs no storage, differs per session, and
cannot be computed without the cookie."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from api.auth import InvalidToken, TokenVerifier
from registry import Actor
from registry.sessions.service import session_actor

SESSION_COOKIE = "airegistry_session"
LANGUAGE_COOKIE = "airegistry_lang"
LOGIN_COOKIE = "airegistry_login"  # the login form's CSRF token, before there is a session
LANGUAGE_MAX_AGE = 365 * 86400
LOGIN_COOKIE_MAX_AGE = 3600
_CSRF_PURPOSE = b"airegistry page forms v1"
_LOCAL_PATH = re.compile(r"^/(?![/\\])[^\s\\\x00-\x1f\x7f]*$")


@dataclass(frozen=True)
class PageAuth:
    """How the request was authenticated. `secret` is the session id or the bearer token (never
    shown; the CSRF token is derived from it)."""

    kind: Literal["session", "bearer", "anonymous", "refused"]
    secret: str = ""

    @property
    def csrf(self) -> str:
        return csrf_token(self.secret) if self.kind in ("session", "bearer") else ""


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), _CSRF_PURPOSE, hashlib.sha256).hexdigest()


def csrf_matches(expected: str, given: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


class CsrfRefused(PermissionDeniedException):
    """A form post without the right CSRF token, or from another site."""


class NotLoggedIn(NotAuthorizedException):
    """The page needs a logged-in reader."""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(connection: ASGIConnection[Any, Any, Any, Any], public_url: str) -> bool:
    """False when the browser says the request comes from another site. Browsers send Origin with
    every form post and Sec-Fetch-Site with every request; clients that send neither are judged by
    the CSRF token alone."""
    site = connection.headers.get("sec-fetch-site")
    if site is not None and site.lower() not in ("same-origin", "none"):
        return False
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    own = f"{connection.url.scheme}://{connection.headers.get('host', '')}".lower()
    return origin.lower() in {own, origin_of(public_url)}


def check_form(
    connection: ASGIConnection[Any, Any, Any, Any], given: str, expected: str, public_url: str
) -> None:
    if not same_origin(connection, public_url) or not csrf_matches(expected, given):
        raise CsrfRefused("The form's security token is missing or wrong.")


def local_path(candidate: str | None, default: str = "/register") -> str:
    """`candidate` when it is a path on this site ("/systems/..."), else `default`: a redirect never
    leads elsewhere ("//evil.example", "https://...", "/\\evil" all fall back)."""
    if candidate and len(candidate) <= 2000 and _LOCAL_PATH.match(candidate):
        return candidate
    return default


def secure_cookies(connection: ASGIConnection[Any, Any, Any, Any], public_url: str) -> bool:
    return connection.url.scheme == "https" or public_url.lower().startswith("https:")


def session_cookie(value: str, *, max_age: int, secure: bool) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def login_cookie(value: str, *, secure: bool) -> Cookie:
    return Cookie(
        key=LOGIN_COOKIE,
        value=value,
        max_age=LOGIN_COOKIE_MAX_AGE,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def language_cookie(lang: str, *, secure: bool) -> Cookie:
    return Cookie(
        key=LANGUAGE_COOKIE,
        value=lang,
        max_age=LANGUAGE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure,
    )


class PageAuthMiddleware(ASGIMiddleware):
    """Sets `request.user` (an Actor, or None for someone not logged in) and `request.auth` (a
    PageAuth) on every page request. It refuses nothing itself: each page decides what it needs."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    async def identify(self, scope: Scope) -> tuple[Actor | None, PageAuth]:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        header = connection.headers.get("authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return None, PageAuth("refused")
            try:
                return self.verifier.verify(token.strip()), PageAuth("bearer", token.strip())
            except InvalidToken:
                return None, PageAuth("refused")
        session_id = connection.cookies.get(SESSION_COOKIE, "")
        if session_id:
            actor = await session_actor(session_id)
            if actor is not None:
                return actor, PageAuth("session", session_id)
        return None, PageAuth("anonymous")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"], scope["auth"] = await self.identify(scope)
        await next_app(scope, receive, send)


__all__ = [
    "LANGUAGE_COOKIE",
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "CsrfRefused",
    "NotLoggedIn",
    "PageAuth",
    "PageAuthMiddleware",
    "check_form",
    "csrf_matches",
    "csrf_token",
    "language_cookie",
    "local_path",
    "login_cookie",
    "origin_of",
    "same_origin",
    "secure_cookies",
    "session_cookie",
]
