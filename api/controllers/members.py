"""Members of an organization: invite by e-mail (a one-time login link in the invitee's language),
list, change role or units, remove (their sessions end at once)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from api.errors import problems
from api.feeds import feed_addresses
from api.mails import invitations
from api.pages.config import OPT_KEY, PageConfig
from api.schemas.members import Feeds, Member, MemberInvite, MemberUpdate, Preferences, PreferencesUpdate
from registry import Actor, DomainError
from registry.members import service as members
from registry.organizations.service import get_organization


def _config(request: Request[Any, Any, Any]) -> PageConfig:
    config = request.app.state.get(OPT_KEY)
    if not isinstance(config, PageConfig):  # pragma: no cover - create_app always sets it
        raise RuntimeError("the pages' configuration is missing from the app state")
    return config


class MemberController(Controller):
    path = "/organizations/{org_id:uuid}/members"
    tags = ["Members"]

    @post(
        "/",
        operation_id="inviteMember",
        status_code=201,
        responses=problems(400, 403, 404, 409, 413, 422),
        summary="Invite a person: a member with a role, and an e-mail with a one-time login link",
        description=(
            "Employer admins invite into their own organization, platform admins into any (the first "
            "employer admin). `sub` (how the member logs in) defaults to the e-mail address. The e-mail "
            "is written to the outbox with the member and sent by the relay, in `language`. An address "
            "already a member: 409. Another organization: 404. A platform role: 403."
        ),
    )
    async def invite(
        self, request: Request[Actor, str, Any], org_id: FromPath[UUID], data: JSONBody[MemberInvite]
    ) -> Response[Member]:
        config = _config(request)
        actor = request.user
        try:
            organization = (await get_organization(actor, str(org_id)))["name"]
        except DomainError:  # the service below answers for the organization (403, 404) in its own words
            organization = ""
        compose = invitations(
            organization=organization,
            inviter=actor.name or actor.sub,
            public_url=config.public_url,
            ttl_seconds=config.settings.ui_invitation_ttl_seconds,
        )
        member = await members.invite_member(
            actor,
            str(org_id),
            data,
            link_ttl_seconds=config.settings.ui_invitation_ttl_seconds,
            compose=compose,
        )
        return Response(
            content=Member.model_validate(member),
            status_code=201,
            headers={"Location": f"/api/v1/organizations/{org_id}/members/{member['id']}"},
        )

    @get(
        "/",
        operation_id="listMembers",
        responses=problems(400, 403, 404),
        summary="The organization's members",
    )
    async def list_members(self, request: Request[Actor, str, Any], org_id: FromPath[UUID]) -> list[Member]:
        return [Member.model_validate(m) for m in await members.list_members(request.user, str(org_id))]

    @patch(
        "/{member_id:uuid}",
        operation_id="updateMember",
        responses=problems(400, 403, 404, 413, 422),
        summary="Change a member's role, units, title, name or language (their sessions follow at once)",
    )
    async def update(
        self,
        request: Request[Actor, str, Any],
        org_id: FromPath[UUID],
        member_id: FromPath[UUID],
        data: JSONBody[MemberUpdate],
    ) -> Member:
        member = await members.update_member(request.user, str(org_id), str(member_id), data)
        return Member.model_validate(member)

    @delete(
        "/{member_id:uuid}",
        operation_id="removeMember",
        status_code=204,
        responses=problems(400, 403, 404),
        summary="Remove a member: their sessions end at once, links not yet used stop working",
    )
    async def remove(
        self, request: Request[Actor, str, Any], org_id: FromPath[UUID], member_id: FromPath[UUID]
    ) -> None:
        await members.remove_member(request.user, str(org_id), str(member_id))


class PreferencesController(Controller):
    path = "/me/preferences"
    tags = ["Members"]

    @get(
        "/",
        operation_id="getPreferences",
        responses=problems(404),
        summary="Your own preferences, as a member",
    )
    async def get_preferences(self, request: Request[Actor, str, Any]) -> Preferences:
        return Preferences.model_validate(await members.get_preferences(request.user))

    @patch(
        "/",
        operation_id="updatePreferences",
        responses=problems(400, 404, 413, 422),
        summary="Choose your digest (none, daily, weekly) and the language of your mail",
    )
    async def update_preferences(
        self, request: Request[Actor, str, Any], data: JSONBody[PreferencesUpdate]
    ) -> Preferences:
        chosen = await members.update_preferences(request.user, digest=data.digest, language=data.language)
        return Preferences.model_validate(chosen)


class FeedsController(Controller):
    path = "/me/feeds"
    tags = ["Members"]

    @get(
        "/",
        operation_id="getFeeds",
        responses=problems(404),
        summary="Your secret feed addresses: an Atom feed of changes and a calendar of deadlines",
        description=(
            "Each address holds a secret of its own (no token: it opens nothing on the API) and shows "
            "what you may see. Subscribe to the calendar in Outlook or Google Calendar by its address."
        ),
    )
    async def get_feeds(self, request: Request[Actor, str, Any]) -> Feeds:
        member_id, secret = await members.own_feed_secret(request.user)
        return Feeds.model_validate(feed_addresses(_config(request).public_url, member_id, secret))

    @post(
        "/rotate",
        operation_id="rotateFeeds",
        status_code=200,
        responses=problems(404),
        summary="New feed addresses; the old ones stop working at once",
    )
    async def rotate_feeds(self, request: Request[Actor, str, Any]) -> Feeds:
        member_id, secret = await members.own_feed_secret(request.user, rotate=True)
        return Feeds.model_validate(feed_addresses(_config(request).public_url, member_id, secret))


__all__ = ["FeedsController", "MemberController", "PreferencesController"]
