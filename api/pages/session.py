"""The front page, logging in with a one-time link, logging out, and choosing the language."""

from __future__ import annotations

import secrets
from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from api.i18n import LANGUAGES, translator
from api.mails import login_link_mail
from api.pages.config import config_of
from api.pages.forms import text_of
from api.pages.rendering import actor_of, auth_of, language_of, render_page
from api.pages.security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    CsrfRefused,
    check_form,
    csrf_matches,
    language_cookie,
    local_path,
    login_cookie,
    same_origin,
    secure_cookies,
    session_cookie,
)
from registry.members.service import record_login, request_login_links
from registry.organizations.service import organization_names
from registry.sessions.service import (
    LinkState,
    LoginLinkRefused,
    end_session,
    login_link_state,
    redeem_login_link,
)

SEE_OTHER: Final = 303


class SessionPageController(Controller):
    path = "/"

    @get("/", operation_id="pageHome", summary="Front page: the register, or how to log in")
    async def home(self, request: Request[Any, Any, Any]) -> Response[Any]:
        if actor_of(request) is not None:
            return Redirect("/register", status_code=SEE_OTHER)
        t = translator(language_of(request))
        return render_page(
            request,
            "home.html.j2",
            title=t("home.title"),
            link_hours=config_of(request).link_hours,
            requested=request.query_params.get("requested") == "1",
        )

    @post(
        "/login-link",
        operation_id="pageRequestLink",
        summary="A person who lost their link asks for a new one by e-mail address",
        status_code=SEE_OTHER,
    )
    async def request_link(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Answered the same whether the address is known or not: the page says a link was sent if
        the address belongs to a member. A form anyone can send: only same-site posts are read."""
        config = config_of(request)
        if not same_origin(request, config.public_url):
            raise CsrfRefused("The form was sent from another site.")
        form = await request.form()
        address = form.get("email")
        if isinstance(address, str) and "@" in address:
            hours = max(1, config.settings.ui_login_link_ttl_seconds // 3600)

            def compose(member: dict[str, Any], token: str) -> Any:
                return login_link_mail(
                    member,
                    token,
                    organization=member_organizations.get(member["organization_id"], ""),
                    public_url=config.public_url,
                    valid_hours=hours,
                )

            member_organizations = await organization_names()
            await request_login_links(
                address, ttl_seconds=config.settings.ui_login_link_ttl_seconds, compose=compose
            )
        return Redirect("/?requested=1#request-link", status_code=SEE_OTHER)

    @get("/login/{token:str}", operation_id="pageLoginLink", summary="The page a login link opens")
    async def login_link(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
        """Shows the login form. Opening the link uses nothing (mail scanners fetch links)."""
        state = await login_link_state(token)
        if state is not LinkState.valid:
            raise LoginLinkRefused(state)
        config = config_of(request)
        t = translator(language_of(request))
        form_token = secrets.token_urlsafe(32)
        response = render_page(
            request,
            "login.html.j2",
            title=t("login.title"),
            token=token,
            login_csrf=form_token,
            session_hours=config.session_hours,
            # The address holds the link's secret: it goes nowhere else, not even as a referrer.
            headers={"Referrer-Policy": "no-referrer"},
        )
        response.set_cookie(login_cookie(form_token, secure=secure_cookies(request, config.public_url)))
        return response

    @post("/login", operation_id="login", summary="Use a login link: open a session", status_code=SEE_OTHER)
    async def login(self, request: Request[Any, Any, Any]) -> Response[Any]:
        config = config_of(request)
        if not same_origin(request, config.public_url):
            raise CsrfRefused("The login form came from another site.")
        form = await request.form()
        token = text_of(form, "token")
        state = await login_link_state(token)
        if state is not LinkState.valid:
            raise LoginLinkRefused(state)
        # The form's token must match the cookie the link's page set: another site cannot log a
        # browser in to someone else's session.
        if not csrf_matches(request.cookies.get(LOGIN_COOKIE, ""), text_of(form, "csrf")):
            raise CsrfRefused("The login form's security token is missing or wrong.")
        previous = request.cookies.get(SESSION_COOKIE, "")
        if previous:
            await end_session(previous)
        opened = await redeem_login_link(token, session_ttl_seconds=config.settings.ui_session_ttl_seconds)
        request.scope["user"] = opened.actor  # the access log names who logged in
        await record_login(opened.actor)  # a member's last login, for the list of members
        response = Redirect("/register", status_code=SEE_OTHER)
        response.set_cookie(
            session_cookie(
                opened.session_id,
                max_age=config.settings.ui_session_ttl_seconds,
                secure=secure_cookies(request, config.public_url),
            )
        )
        return response

    @post("/logout", operation_id="logout", summary="End the session", status_code=SEE_OTHER)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[Any]:
        auth = auth_of(request)
        config = config_of(request)
        response = Redirect("/", status_code=SEE_OTHER)
        if auth.kind == "session":
            form = await request.form()
            check_form(request, text_of(form, "csrf"), auth.csrf, config.public_url)
            await end_session(auth.secret)
        if request.cookies.get(SESSION_COOKIE):
            response.set_cookie(
                session_cookie("", max_age=0, secure=secure_cookies(request, config.public_url))
            )
        return response

    @get("/language/{lang:str}", operation_id="setLanguage", summary="Choose Danish or English")
    async def language(self, request: Request[Any, Any, Any], lang: FromPath[str]) -> Response[Any]:
        if lang not in LANGUAGES:
            raise NotFoundException("No such language.")
        config = config_of(request)
        response = Redirect(local_path(request.query_params.get("next")), status_code=SEE_OTHER)
        response.set_cookie(language_cookie(lang, secure=secure_cookies(request, config.public_url)))
        return response


__all__ = ["SessionPageController"]
