"""The stewards' web interface: server-rendered pages (Danish first, English one click away) over the
same services as the API, logged in by one-time links or an identity provider's bearer tokens.

`pages_router` returns the routers the app mounts: the pages, and the one stylesheet they use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, Router
from litestar.config.app import AppConfig
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException
from litestar.plugins import InitPlugin
from litestar.static_files import create_static_files_router

from api.auth import TokenVerifier
from api.pages.config import OPT_KEY, PageConfig
from api.pages.editing import SystemEditPageController
from api.pages.errors import PAGE_EXCEPTION_HANDLERS, error_page
from api.pages.feeds import FeedPageController
from api.pages.members import MembersPageController
from api.pages.preferences import PreferencesPageController
from api.pages.register import RegisterPageController
from api.pages.register_files import RegisterFilesPageController
from api.pages.security import PageAuthMiddleware
from api.pages.session import SessionPageController
from api.pages.settings import PageSettings
from api.pages.systems import SystemPageController

STATIC = Path(__file__).parent / "static"


def pages_router(verifier: TokenVerifier, settings: PageSettings, public_url: str) -> list[Router]:
    pages = Router(
        path="/",
        route_handlers=[
            SessionPageController,
            RegisterPageController,
            SystemPageController,
            SystemEditPageController,
            RegisterFilesPageController,
            PreferencesPageController,
            MembersPageController,
            FeedPageController,
        ],
        middleware=[PageAuthMiddleware(verifier)],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        # The pages authenticate themselves (session cookie or bearer token), not by the API's
        # bearer-only middleware; they are not part of the API's description.
        opt={"exclude_from_auth": True, OPT_KEY: PageConfig(settings=settings, public_url=public_url)},
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC],
        # A stylesheet is no register data: no access-log entry, no login, cached for an hour.
        opt={"exclude_from_auth": True, "no_access_log": True},
        cache_control=CacheControlHeader(max_age=3600, public=True),
        include_in_schema=False,
    )
    return [pages, static]


class UnmatchedAddressPages(InitPlugin):
    """An address no route matches (a mistyped link, a wrong method) answers with the site's own
    error page in the reader's language; under the API's prefixes it stays problem+json.

    Runs after the problem+json plugin and wraps the HTTP-error handler it installed."""

    def __init__(self, settings: PageSettings, public_url: str, api_prefixes: tuple[str, ...]) -> None:
        self.config = PageConfig(settings=settings, public_url=public_url)
        self.api_prefixes = api_prefixes

    def _is_api(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in self.api_prefixes)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.state[OPT_KEY] = self.config
        as_problem = app_config.exception_handlers.get(HTTPException)

        def handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
            if as_problem is not None and self._is_api(request.url.path):
                return as_problem(request, exc)
            return error_page(request, exc)

        app_config.exception_handlers[HTTPException] = handler
        return app_config


__all__ = ["PageConfig", "PageSettings", "UnmatchedAddressPages", "pages_router"]
