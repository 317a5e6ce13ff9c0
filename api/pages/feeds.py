"""The addresses a member uses without logging in: their secret feeds (Atom of changes, a calendar of
deadlines) and the unsubscribe page of their digests. The secret in the address is the only key; each
read is in the access log as the member's."""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from api.feeds import FEED_DAYS, atom_feed, calendar
from api.i18n import translator
from api.pages.config import config_of
from api.pages.rendering import LANGUAGE_COOKIE, language_of, render_page
from registry.accesslog import context as audit
from registry.clock import utcnow
from registry.members.service import member_by_secret, member_view
from registry.organizations.service import organization_name
from registry.updates.digests import unsubscribe
from registry.updates.feeds import Feed, member_feed, visible_deadlines

FEED_HEADERS: Final = {
    # A feed reader or calendar polls the address; it is personal, so no shared cache keeps a copy.
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def _feed(request: Request[Any, Any, Any], member_id: str, secret: str) -> Feed:
    found = await member_feed(member_id, secret, utcnow(), days=FEED_DAYS)
    if found is None:
        raise NotFoundException("No feed at this address.")
    audit.note(organization_id=found.member["organization_id"])
    request.scope["user"] = found.actor  # the access log records the read as the member's
    return found


class FeedPageController(Controller):
    path = "/"

    @get("/feeds/{member_id:str}/{secret:str}/changes.atom", operation_id="feedChanges")
    async def changes(
        self, request: Request[Any, Any, Any], member_id: FromPath[str], secret: FromPath[str]
    ) -> Response[bytes]:
        feed = await _feed(request, member_id, secret)
        public_url = config_of(request).public_url
        document = atom_feed(
            feed.activity,
            feed.actor,
            member=feed.member,
            public_url=public_url,
            self_url=f"{public_url.rstrip('/')}{request.url.path}",
        )
        return Response(document, media_type="application/atom+xml; charset=utf-8", headers=FEED_HEADERS)

    @get("/feeds/{member_id:str}/{secret:str}/deadlines.ics", operation_id="feedDeadlines")
    async def deadlines(
        self, request: Request[Any, Any, Any], member_id: FromPath[str], secret: FromPath[str]
    ) -> Response[bytes]:
        feed = await _feed(request, member_id, secret)
        document = calendar(
            visible_deadlines(feed),
            member=feed.member,
            organization=feed.activity.organization_name,
            public_url=config_of(request).public_url,
            now=utcnow(),
        )
        return Response(document, media_type="text/calendar", headers=FEED_HEADERS)

    @get("/unsubscribe/{member_id:str}/{secret:str}", operation_id="pageUnsubscribeForm")
    async def ask(
        self, request: Request[Any, Any, Any], member_id: FromPath[str], secret: FromPath[str]
    ) -> Response[Any]:
        """A mail scanner that follows the link changes nothing: the page asks first."""
        row = await member_by_secret(member_id, secret, "unsubscribe")
        return await _unsubscribe_page(request, member_view(row) if row else None, done=False)

    @post("/unsubscribe/{member_id:str}/{secret:str}", operation_id="pageUnsubscribe", status_code=200)
    async def stop(
        self, request: Request[Any, Any, Any], member_id: FromPath[str], secret: FromPath[str]
    ) -> Response[Any]:
        """The page's button, and a mail program's one-click unsubscribe (RFC 8058), which posts from
        outside the site: the secret in the address is what is checked."""
        member = await unsubscribe(member_id, secret)
        return await _unsubscribe_page(request, member, done=member is not None)


async def _unsubscribe_page(
    request: Request[Any, Any, Any], member: dict[str, Any] | None, *, done: bool
) -> Response[Any]:
    # In the member's language, unless the reader chose one on this site.
    lang = member["language"] if member and LANGUAGE_COOKIE not in request.cookies else language_of(request)
    t = translator(lang)
    organization = ""
    if member is not None:
        audit.note(organization_id=member["organization_id"], resource_id=member["id"])
        organization = await organization_name(member["organization_id"])
    return render_page(
        request,
        "unsubscribe.html.j2",
        title=t("unsubscribe.title"),
        status=200 if member is not None else 404,
        member=member,
        organization=organization,
        done=done,
        action=request.url.path,
        lang=lang,
    )


__all__ = ["FeedPageController"]
