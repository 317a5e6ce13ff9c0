"""Turning a page's facts into an HTML response in the reader's language.

Templates are Jinja2 with autoescaping on; they find the written account's templates too, so the
pages lay out the account's blocks exactly as the account does. Every text comes from the gettext
catalogues through the one translator, `t(key)` (api/i18n)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Request, Response
from litestar.enums import MediaType

from api.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator, translator
from api.pages.security import LANGUAGE_COOKIE, PageAuth
from api.statement.render import TEMPLATES as ACCOUNT_TEMPLATES
from registry import Actor

TEMPLATES = Path(__file__).parent / "templates"

# Everything a page uses comes from this site: one stylesheet, no scripts, no inline styles.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Pages show register data to one person: no cache, shared or private, keeps a copy.
    "Cache-Control": "no-store",
}


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader([TEMPLATES, ACCOUNT_TEMPLATES]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


_env = _environment()


def language_of(request: Request[Any, Any, Any]) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def other_language(lang: str) -> str:
    return next(other for other in LANGUAGES if other != lang)


def here(request: Request[Any, Any, Any]) -> str:
    query = request.scope.get("query_string", b"").decode("latin-1")
    return request.url.path + (f"?{query}" if query else "")


def actor_of(request: Request[Any, Any, Any]) -> Actor | None:
    user = request.scope.get("user")
    return user if isinstance(user, Actor) else None


def auth_of(request: Request[Any, Any, Any]) -> PageAuth:
    auth = request.scope.get("auth")
    return auth if isinstance(auth, PageAuth) else PageAuth("anonymous")


def render_page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    title: str,
    status: int = 200,
    back_to: str | None = None,
    nav: str | None = None,
    headers: Mapping[str, str] | None = None,
    lang: str | None = None,
    **context: Any,
) -> Response[str]:
    """The page `template` in the reader's language. `back_to` is the page the language switch
    returns to (default: this one); `nav` the menu item the page belongs to; `lang` a language other
    than the reader's choice (a page for one member, who has not chosen one here, in theirs)."""
    lang = lang or language_of(request)
    other = other_language(lang)
    auth = auth_of(request)
    actor = actor_of(request)
    html = _env.get_template(template).render(
        lang=lang,
        other_lang=other,
        t=translator(lang),
        title=title,
        nav=nav,
        actor=actor,
        csrf=auth.csrf,
        can_logout=actor is not None and auth.kind == "session",
        switch_href=f"/language/{other}?next={quote(back_to or here(request), safe='/')}",
        **context,
    )
    return Response(
        content=html,
        status_code=status,
        media_type=MediaType.HTML,
        headers={**SECURITY_HEADERS, "Content-Language": lang, **(headers or {})},
    )


__all__ = [
    "PAGE_POLICY",
    "SECURITY_HEADERS",
    "Translator",
    "actor_of",
    "auth_of",
    "here",
    "language_of",
    "other_language",
    "render_page",
]
