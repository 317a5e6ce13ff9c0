"""The register as a page: an organization's AI systems, searched, filtered and paged, with badges
for what a steward should notice. Visibility is the services' (a steward limited to units sees
only theirs); a page of 50 costs a fixed number of queries, however many systems it shows."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get

from api.i18n import Translator, translator
from api.pages.config import actor_required, logged_in
from api.pages.forms import QUERY_MAX, filter_query, read_filters
from api.pages.rendering import language_of, render_page
from api.pages.views import capitalised, register_row
from api.statement.view import Words
from registry import Actor, Forbidden, InvalidQuery, NotFound, Role
from registry.access import unit_scope
from registry.obligations.flags import system_flags
from registry.organizations.service import get_organization, list_organizations
from registry.organizations.units import list_units
from registry.sessions.visits import last_seen_versions
from registry.systems.models import Category, DataCategory, Status
from registry.systems.queries import list_systems

PAGE_SIZE = 50
# Filter -> (catalogue prefix of its values, the values in the order they are offered).
VOCABULARIES: dict[str, tuple[str, Any]] = {
    "category": ("category", Category),
    "status": ("status", Status),
    "data_category": ("data_category", DataCategory),
}


def organization_of(actor: Actor, requested: str | None) -> str | None:
    """The organization whose register the actor reads: its own, or (an auditor of every
    organization) the one asked for; None when such an auditor has not chosen yet."""
    if actor.org is not None:
        return actor.org
    if actor.role is not Role.auditor:
        raise Forbidden("Your role does not read registers.")
    if not requested:
        return None
    try:
        return str(uuid.UUID(requested))
    except ValueError as exc:
        raise NotFound("Organization not found.") from exc


class RegisterPageController(Controller):
    path = "/register"
    guards = [logged_in]

    @get("/", operation_id="pageRegister", summary="The register: AI systems of an organization")
    async def register(self, request: Request[Any, Any, Any]) -> Response[Any]:
        actor = actor_required(request)
        lang = language_of(request)
        t = translator(lang)
        query = request.query_params
        org_id = organization_of(actor, query.get("org"))
        if org_id is None:
            organizations = await list_organizations(actor)
            return render_page(
                request,
                "organizations.html.j2",
                title=t("register.choose.title"),
                nav="register",
                organizations=organizations,
            )
        organization = await get_organization(actor, org_id)
        units = await list_units(actor, org_id)
        scope = unit_scope(actor, {u["id"]: u["parent_id"] for u in units})
        choosable = [u for u in units if scope is None or u["id"] in scope]
        words = Words(lang, {u["id"]: u["name"] for u in units})
        state, filters = read_filters(query, frozenset(u["id"] for u in choosable), t)
        org_param = org_id if actor.org is None else None
        base = [("org", org_param)] if org_param else []
        context: dict[str, Any] = {
            "nav": "register",
            "organization": organization["name"],
            "limited": scope is not None,
            "org_param": org_param,
            "values": state.values,
            "errors": state.errors,
            "q_max": QUERY_MAX,
            "choices": {
                **{
                    name: [(item.value, capitalised(words.term(prefix, item.value))) for item in values]
                    for name, (prefix, values) in VOCABULARIES.items()
                },
                "unit_id": [(u["id"], u["name"]) for u in choosable],
            },
            "reset_href": "/register" + (f"?{urlencode(base)}" if base else ""),
            "rows": [],
            "next_href": None,
            "first_href": None,
            "cursor_error": None,
            "can_write": actor.role is Role.employer_admin and actor.org == org_id,
            "export_query": urlencode(base),
        }
        title = t("register.title")
        if filters is None:
            return render_page(request, "register.html.j2", title=title, status=422, **context)
        cursor = query.get("cursor") or None
        current = base + filter_query(state.values)
        if cursor:
            context["first_href"] = "/register" + (f"?{urlencode(current)}" if current else "")
        try:
            page = await list_systems(actor, org_id, filters, limit=PAGE_SIZE, cursor=cursor)
        except InvalidQuery:
            context["cursor_error"] = t("filter.error.cursor")
            return render_page(request, "register.html.j2", title=title, status=400, **context)
        context["rows"] = await _rows(actor, org_id, [json.loads(item) for item in page.items], words, t)
        if page.next_cursor:
            context["next_href"] = "/register?" + urlencode([*current, ("cursor", page.next_cursor)])
        return render_page(request, "register.html.j2", title=title, **context)


async def _rows(
    actor: Actor, org_id: str, documents: list[dict[str, Any]], words: Words, t: Translator
) -> list[Any]:
    ids = [str(document["id"]) for document in documents]
    flags = await system_flags(actor, org_id, ids)
    seen = await last_seen_versions(actor, ids)
    return [
        register_row(document, words, t, flags.get(str(document["id"])), seen.get(str(document["id"])))
        for document in documents
    ]


__all__ = ["PAGE_SIZE", "RegisterPageController", "organization_of"]
