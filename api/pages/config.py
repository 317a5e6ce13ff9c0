"""What the pages need from the composition root, reachable from any handler and error page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from api.pages.security import NotLoggedIn
from api.pages.settings import PageSettings
from registry import Actor, Forbidden, Role

OPT_KEY = "pages"


@dataclass(frozen=True)
class PageConfig:
    settings: PageSettings
    public_url: str

    @property
    def link_hours(self) -> int:
        return max(1, self.settings.ui_login_link_ttl_seconds // 3600)

    @property
    def session_hours(self) -> int:
        return max(1, self.settings.ui_session_ttl_seconds // 3600)


def config_of(connection: ASGIConnection[Any, Any, Any, Any]) -> PageConfig:
    """The pages' configuration: from the page's route, or from the app for an address no route
    matched (the 404 page of a mistyped address)."""
    handler = connection.scope.get("route_handler")
    config = handler.opt.get(OPT_KEY) if handler is not None else None
    if config is None:
        config = connection.app.state.get(OPT_KEY)
    if not isinstance(config, PageConfig):  # pragma: no cover - create_app always sets both
        raise RuntimeError("the pages router sets its configuration in opt['pages'] and app.state")
    return config


async def logged_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: the page needs a reader (a session or a bearer token)."""
    if not isinstance(connection.scope.get("user"), Actor):
        raise NotLoggedIn("Log in to see the register.")


def actor_required(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    user = connection.scope.get("user")
    if not isinstance(user, Actor):
        raise NotLoggedIn("Log in to see the register.")
    return user


def employer_admin_org(actor: Actor) -> str:
    """The organization whose register an employer admin keeps; no one else writes on the pages
    (the services decide again, as for the API)."""
    if actor.role is not Role.employer_admin or actor.org is None:
        raise Forbidden("Only the organization's employer admins change its register.")
    return actor.org


__all__ = ["OPT_KEY", "PageConfig", "actor_required", "config_of", "employer_admin_org", "logged_in"]
