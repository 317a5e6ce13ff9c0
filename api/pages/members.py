"""The members page of an employer admin: who is in the register, with which role, units and title,
when they last logged in; invite a person (an e-mail with a one-time link), change a role, remove.
The services decide, as for the API (registry/members/service.py)."""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect
from pydantic import ValidationError

from api.i18n import translator
from api.mails import invitations
from api.pages.config import actor_required, config_of, employer_admin_org, logged_in
from api.pages.forms import FormState, Values, text_of
from api.pages.reasons import field_reason, pydantic_reason
from api.pages.rendering import auth_of, language_of, render_page
from api.pages.security import check_form
from registry import Conflict, InvalidInput, Role
from registry.clock import parse_iso
from registry.errors import InvalidFields
from registry.members.models import MemberFields, MemberPatch
from registry.members.service import INVITABLE, invite_member, list_members, remove_member, update_member
from registry.organizations.service import get_organization
from registry.organizations.units import list_units

SEE_OTHER: Final = 303
ROLES = ("steward", "employer_admin", "auditor")


class MembersPageController(Controller):
    path = "/members"
    guards = [logged_in]

    async def _page(
        self, request: Request[Any, Any, Any], *, invite: FormState | None = None, status: int = 200
    ) -> Response[Any]:
        actor = actor_required(request)
        org_id = employer_admin_org(actor)
        t = translator(language_of(request))
        units = {str(u["id"]): str(u["name"]) for u in await list_units(actor, org_id)}
        rows = []
        for member in await list_members(actor, org_id):
            rows.append(
                {
                    **member,
                    "role_label": t(f"role.{member['role']}"),
                    "units_label": ", ".join(units.get(u, u) for u in member["units"] or []),
                    "last_login": t.moment(parse_iso(member["last_login_at"]))
                    if member["last_login_at"]
                    else t("members.never"),
                    "me": member["sub"] == actor.sub,
                }
            )
        sent = request.query_params.get("sent")
        return render_page(
            request,
            "members.html.j2",
            title=t("members.title"),
            status=status,
            nav="members",
            rows=rows,
            roles=[(role, t(f"role.{role}")) for role in ROLES],
            units=list(units.items()),
            invite=invite or FormState(Values(role="steward", language="da")),
            sent=t(f"members.sent.{sent}") if sent in ("invited", "changed", "removed") else None,
        )

    @get("/", operation_id="pageMembers", summary="The organization's members")
    async def show(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await self._page(request)

    @post("/", operation_id="pageInviteMember", summary="Invite a person", status_code=SEE_OTHER)
    async def invite(self, request: Request[Any, Any, Any]) -> Response[Any]:
        actor = actor_required(request)
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        org_id = employer_admin_org(actor)
        t = translator(language_of(request))
        chosen_units = [u for u in (form.getall("units", []) if hasattr(form, "getall") else []) if u]
        values = Values(
            email=text_of(form, "email"),
            name=text_of(form, "name"),
            role=text_of(form, "role"),
            title=text_of(form, "title"),
            language=text_of(form, "language") or "da",
            units=chosen_units,
        )
        state = FormState(values)
        try:
            fields = MemberFields.model_validate(
                {
                    "email": values["email"],
                    "name": values["name"],
                    "role": values["role"],
                    "title": values["title"] or None,
                    "language": values["language"],
                    "units": chosen_units if values["role"] == Role.steward.value and chosen_units else None,
                }
            )
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                state.errors.setdefault(str(error["loc"][0]), pydantic_reason(error, t))
            return await self._page(request, invite=state, status=422)
        if fields.role not in INVITABLE:
            state.errors["role"] = t("invalid.choice")
            return await self._page(request, invite=state, status=422)
        config = config_of(request)
        organization = (await get_organization(actor, org_id))["name"]

        compose = invitations(
            organization=organization,
            inviter=actor.name or actor.sub,
            public_url=config.public_url,
            ttl_seconds=config.settings.ui_invitation_ttl_seconds,
        )

        try:
            await invite_member(
                actor,
                org_id,
                fields,
                link_ttl_seconds=config.settings.ui_invitation_ttl_seconds,
                compose=compose,
            )
        except Conflict:
            state.errors["email"] = t("members.error.already")
        except (InvalidInput, InvalidFields) as exc:
            for problem in exc.problems:
                state.errors.setdefault(problem.field.split("[")[0], field_reason(problem.reason, t))
        else:
            return Redirect("/members?sent=invited", status_code=SEE_OTHER)
        return await self._page(request, invite=state, status=422)

    @post(
        "/{member_id:str}/role",
        operation_id="pageChangeMember",
        summary="Change a member's role",
        status_code=SEE_OTHER,
    )
    async def change(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        actor = actor_required(request)
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        org_id = employer_admin_org(actor)
        role = text_of(form, "role")
        if role not in INVITABLE:
            return await self._page(request, status=422)
        await update_member(actor, org_id, member_id, MemberPatch(role=role))
        return Redirect("/members?sent=changed", status_code=SEE_OTHER)

    @post(
        "/{member_id:str}/remove",
        operation_id="pageRemoveMember",
        summary="Remove a member",
        status_code=SEE_OTHER,
    )
    async def remove(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        actor = actor_required(request)
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        await remove_member(actor, employer_admin_org(actor), member_id)
        return Redirect("/members?sent=removed", status_code=SEE_OTHER)


__all__ = ["MembersPageController"]
