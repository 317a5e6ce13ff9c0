"""A member's own preferences on a page: the digest (none, daily, weekly) and the language of mail."""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from api.feeds import feed_addresses
from api.i18n import translator
from api.pages.config import actor_required, config_of, logged_in
from api.pages.forms import Errors, text_of
from api.pages.rendering import auth_of, language_of, render_page
from api.pages.security import check_form
from registry import NotFound
from registry.members.service import DIGESTS, get_preferences, own_feed_secret, update_preferences

SEE_OTHER: Final = 303


class PreferencesPageController(Controller):
    path = "/preferences"
    guards = [logged_in]

    async def _page(
        self, request: Request[Any, Any, Any], *, errors: Errors | None = None, status: int = 200
    ) -> Response[Any]:
        actor = actor_required(request)
        t = translator(language_of(request))
        chosen: dict[str, Any] | None
        feeds: dict[str, str] | None
        try:
            chosen = await get_preferences(actor)
            feeds = feed_addresses(config_of(request).public_url, *await own_feed_secret(actor))
        except NotFound:
            # Logged in without a membership (a token from the operator): nothing to choose.
            chosen = feeds = None
        return render_page(
            request,
            "preferences.html.j2",
            title=t("preferences.title"),
            status=status,
            nav="preferences",
            chosen=chosen,
            digests=[(d, t(f"preferences.digest.{d}")) for d in DIGESTS],
            languages=[("da", "Dansk"), ("en", "English")],
            errors=errors or Errors(),
            saved=request.query_params.get("saved") == "1",
            rotated=request.query_params.get("rotated") == "1",
            feeds=feeds,
        )

    @get("/", operation_id="pagePreferences", summary="Your preferences")
    async def show(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await self._page(request)

    @post("/", operation_id="pageUpdatePreferences", summary="Save your preferences", status_code=SEE_OTHER)
    async def save(self, request: Request[Any, Any, Any]) -> Response[Any]:
        actor = actor_required(request)
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        t = translator(language_of(request))
        digest, language = text_of(form, "digest"), text_of(form, "language")
        errors = Errors()
        if digest not in DIGESTS:
            errors["digest"] = t("invalid.choice")
        if language not in ("da", "en"):
            errors["language"] = t("invalid.choice")
        if errors:
            return await self._page(request, errors=errors, status=422)
        await update_preferences(actor, digest=digest, language=language)
        return Redirect("/preferences?saved=1", status_code=SEE_OTHER)

    @post("/feeds", operation_id="pageRotateFeeds", summary="New feed addresses", status_code=SEE_OTHER)
    async def rotate(self, request: Request[Any, Any, Any]) -> Response[Any]:
        actor = actor_required(request)
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        await own_feed_secret(actor, rotate=True)
        return Redirect("/preferences?rotated=1#feeds", status_code=SEE_OTHER)


__all__ = ["PreferencesPageController"]
