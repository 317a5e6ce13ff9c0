"""Employer admins keep their register on pages: register a system, change a group of its fields
with a change note and an effective date, and retire it. The services decide exactly as for the API
(validation, If-Match, histories, events, findings); the pages show their reasons next to the fields.

An edit carries the version it was read at. When someone else saved in between, nothing is
overwritten: the page shows what they changed, keeps what this editor wrote on top of the system as
it now is, and saving again (or starting over) is the editor's choice."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from api.i18n import Translator, translator
from api.pages.config import actor_required, config_of, employer_admin_org, logged_in
from api.pages.forms import Errors, Values, text_of
from api.pages.guide import (
    DutyView,
    card_document,
    checklist,
    merged,
    proposal_views,
    proposed_document,
    question_views,
    read_answers,
)
from api.pages.reasons import field_reason
from api.pages.rendering import auth_of, language_of, render_page
from api.pages.security import check_form
from api.pages.system_form import (
    GROUP_FIELDS,
    GROUP_IDS,
    FormGroup,
    SystemForm,
    category_options,
    form_groups,
    read_system_form,
    show_problems,
    values_of,
)
from api.statement.view import Words
from registry import Actor, InvalidInput, NotFound
from registry.access import require_register_writer
from registry.clock import workplace_today
from registry.errors import InvalidFields, VersionMismatch
from registry.obligations.findings import preview_findings
from registry.organizations.service import get_organization
from registry.organizations.units import list_units
from registry.products.service import card_name, get_card, list_cards
from registry.systems.guidance import Answer
from registry.systems.models import SystemFields
from registry.systems.records import LEGACY_FIELDS
from registry.systems.service import (
    StoredSystem,
    diff_revisions,
    get_revision,
    get_system,
    register_system,
    update_system,
)

SEE_OTHER: Final = 303
NOTE_MAX = 2000  # NoteText in registry/fields.py
TRUE_VALUES = frozenset({"1", "on", "true", "yes"})


@dataclass
class ChangeMeta:
    """What is said about a change besides its fields: why, from when, and whether it is material."""

    change_note: str = ""
    effective_at: str = ""
    material: bool = False


def _read_meta(form: Mapping[str, Any], errors: Errors, t: Translator) -> tuple[ChangeMeta, date | None]:
    meta = ChangeMeta(
        change_note=text_of(form, "change_note"),
        effective_at=text_of(form, "effective_at"),
        material=text_of(form, "material").lower() in TRUE_VALUES,
    )
    if len(meta.change_note) > NOTE_MAX:
        errors["change_note"] = t("invalid.text.too_long", max=t.number(NOTE_MAX))
    effective = None
    if meta.effective_at:
        try:
            effective = date.fromisoformat(meta.effective_at)
        except ValueError:
            errors["effective_at"] = t("invalid.date")
    return meta, effective


async def _writable(actor: Actor, system_id: str) -> tuple[StoredSystem, str]:
    """The system and its organization, when the actor keeps that organization's register."""
    stored = await get_system(actor, system_id)
    org_id = str(stored.document["organization_id"])
    require_register_writer(actor, org_id)
    return stored, org_id


async def _units(actor: Actor, org_id: str) -> list[tuple[str, str]]:
    return [(str(unit["id"]), str(unit["name"])) for unit in await list_units(actor, org_id)]


async def _words(actor: Actor, org_id: str, lang: str) -> tuple[Words, list[tuple[str, str]]]:
    """The reader's words, knowing the organization's units and the catalogue's product cards."""
    units = await _units(actor, org_id)
    cards = {card["id"]: card_name(card) for card in await list_cards(actor)}
    return Words(lang, dict(units), cards), units


def _absent(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _normal(value: Any) -> Any:
    """A value as it states something: empty keys of a group dropped, an empty group no group."""
    if isinstance(value, dict):
        inner = {key: _normal(item) for key, item in value.items() if not _absent(_normal(item))}
        return inner or None
    if isinstance(value, list):
        return [_normal(item) for item in value] or None
    return None if value == "" else value


def _loose(value: Any) -> Any:
    """A value as a form can give it back: runs of white space (a line break an input drops, CR LF
    the browser sends for LF) read as one space."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return {key: _loose(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_loose(item) for item in value]
    return value


def _unchanged(value: Any, stored: Any) -> bool:
    return _loose(_normal(value)) == _loose(_normal(stored))


def _own_keys(changes: Mapping[str, Any], read: Mapping[str, Any]) -> dict[str, Any]:
    """What this editor changed from the version they read, by column key: a group's own keys
    ("ai_act.risk_class"), other fields whole."""
    own: dict[str, Any] = {}
    for name, value in changes.items():
        before = read.get(name)
        if isinstance(value, dict) or isinstance(before, dict):
            after, earlier = value or {}, before or {}
            for key in dict.fromkeys([*after, *earlier]):
                if not _unchanged(after.get(key), earlier.get(key)):
                    own[f"{name}.{key}"] = after.get(key)
        elif not _unchanged(value, before):
            own[name] = value
    return own


def _on_top(document: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """The system as it is now with this editor's own changes (by column key) on top."""
    merged = {name: (dict(value) if isinstance(value, dict) else value) for name, value in document.items()}
    for key, value in own.items():
        name, _, inner = key.partition(".")
        if inner:
            group = merged.get(name)
            merged[name] = {**(group if isinstance(group, dict) else {}), inner: value}
        else:
            merged[name] = value
    return merged


def _history_seen(form: Mapping[str, Any]) -> dict[str, Any] | None:
    """The histories' values the form was rendered with (notice, consultation, workers informed)."""
    try:
        seen = json.loads(text_of(form, "history_seen") or "null")
    except ValueError:
        return None
    return seen if isinstance(seen, dict) else None


def _history_json(document: Mapping[str, Any], group: str) -> str:
    names = [name for name in GROUP_FIELDS[group] if name in LEGACY_FIELDS]
    return json.dumps({name: document.get(name) for name in names}, ensure_ascii=False, sort_keys=True)


def card_view_of(card: dict[str, Any], words: Words) -> dict[str, Any]:
    """The product card a new system was filled in from, for the panel above the form."""
    role = card.get("provider_role")
    return {
        "name": card_name(card),
        "version": card["version"],
        "role": words.term("provider_role", role) if role else None,
        "purpose": card.get("intended_purpose"),
        "locations": ", ".join(card.get("processing_locations") or []),
        "instructions": card.get("instructions_url"),
    }


@dataclass(frozen=True)
class Conflict:
    """Someone else saved between this editor's reading and saving."""

    read_version: int
    version: int
    changes: list[tuple[str, str, str]]  # (field, before, after): what the others changed
    both: list[str]  # labels of the fields both changed: the form holds this editor's values


class SystemEditPageController(Controller):
    path = "/"
    guards = [logged_in]

    # --- registering ---------------------------------------------------------------------------

    async def _new_page(
        self,
        request: Request[Any, Any, Any],
        *,
        state: SystemForm | None = None,
        meta: ChangeMeta | None = None,
        answers: Mapping[str, Answer] | None = None,
        duties: list[DutyView] | None = None,
        card: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Response[Any]:
        actor = actor_required(request)
        org_id = employer_admin_org(actor)
        lang = language_of(request)
        words, units = await _words(actor, org_id, lang)
        organization = await get_organization(actor, org_id)
        answers = answers or {}
        if state is None:
            groups = form_groups(GROUP_IDS, words, units)
            start = merged(card_document(card) if card else {}, proposed_document(answers))
            state = SystemForm(groups, values_of(start, groups))
        t = translator(lang)
        return render_page(
            request,
            "system_form.html.j2",
            title=t("edit.new.title"),
            status=status,
            nav="register",
            organization=organization["name"],
            heading=t("edit.new.title"),
            intro=t("edit.new.intro"),
            action="/register/new",
            form=state,
            meta=meta or ChangeMeta(),
            new=True,
            system=None,
            conflict=None,
            cancel_href="/register",
            categories=category_options(words),
            today=workplace_today().isoformat(),
            answers=answers,
            proposals=proposal_views(answers, words),
            duties=duties,
            card=card_view_of(card, words) if card else None,
        )

    @get("/register/new", operation_id="pageNewSystem", summary="The form to register an AI system")
    async def new_system(self, request: Request[Any, Any, Any]) -> Response[Any]:
        query = request.query_params
        answers = read_answers(query)
        actor = actor_required(request)
        employer_admin_org(actor)
        card_id = query.get("product") or ""
        card = await get_card(actor, card_id) if card_id else None
        if answers or query.get("skip") or card:
            return await self._new_page(request, answers=answers, card=card)
        t = translator(language_of(request))
        cards = await list_cards(actor)
        return render_page(
            request,
            "guide.html.j2",
            title=t("guide.title"),
            nav="register",
            questions=question_views({}, t),
            cards=sorted(((c["id"], card_name(c)) for c in cards), key=lambda c: c[1].casefold()),
        )

    @post(
        "/register/new",
        operation_id="pageRegisterSystem",
        summary="An employer admin registers an AI system, or checks it first",
        status_code=SEE_OTHER,
    )
    async def register(self, request: Request[Any, Any, Any]) -> Response[Any]:
        actor = actor_required(request)
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        org_id = employer_admin_org(actor)
        lang = language_of(request)
        words, units = await _words(actor, org_id, lang)
        groups = form_groups(GROUP_IDS, words, units)
        answers = read_answers(form)
        state, changes = read_system_form(form, groups, {}, units, words)
        meta, effective = _read_meta(form, state.errors, words.t)
        if changes is not None and not state.errors:
            fields = SystemFields.model_validate(changes)
            if text_of(form, "action") == "check":
                found = await preview_findings(actor, org_id, fields.model_dump(mode="json"))
                duties = checklist(found, words.t)
                return await self._new_page(request, state=state, meta=meta, answers=answers, duties=duties)
            try:
                stored = await register_system(
                    actor, org_id, fields, change_note=meta.change_note or None, effective_at=effective
                )
            except (InvalidInput, InvalidFields) as exc:
                show_problems(state, exc.problems, groups, words)
            else:
                system_id = stored.document["id"]
                return Redirect(f"/systems/{system_id}?sent=registered", status_code=SEE_OTHER)
        return await self._new_page(request, state=state, meta=meta, answers=answers, status=422)

    # --- changing a group of fields ------------------------------------------------------------

    async def _edit_page(
        self,
        request: Request[Any, Any, Any],
        system_id: str,
        group: str,
        *,
        state: SystemForm | None = None,
        meta: ChangeMeta | None = None,
        conflict: Conflict | None = None,
        duties: list[DutyView] | None = None,
        status: int = 200,
    ) -> Response[Any]:
        actor = actor_required(request)
        stored, org_id = await _writable(actor, system_id)
        document = stored.document
        lang = language_of(request)
        t = translator(lang)
        words, units = await _words(actor, org_id, lang)
        if state is None:
            groups = form_groups([group], words, units)
            state = SystemForm(groups, values_of(document, groups))
        title = t("edit.group.title", group=t(f"fields.group.{group}"), name=document["name"])
        return render_page(
            request,
            "system_form.html.j2",
            title=title,
            status=status,
            back_to=f"/systems/{system_id}/edit/{group}",
            nav="register",
            organization=(await get_organization(actor, org_id))["name"],
            heading=title,
            intro=t("edit.group.intro"),
            action=f"/systems/{system_id}/edit/{group}",
            form=state,
            meta=meta or ChangeMeta(),
            new=False,
            system={
                "id": system_id,
                "name": document["name"],
                "version": conflict.version if conflict else stored.version,
            },
            conflict=conflict,
            cancel_href=f"/systems/{system_id}#group-{group}",
            categories=category_options(words),
            answers={},
            proposals=[],
            duties=duties,
            card=None,
            history_seen=_history_json(stored.document, group),
            today=workplace_today().isoformat(),
        )

    @get(
        "/systems/{system_id:str}/edit/{group:str}",
        operation_id="pageEditSystem",
        summary="The form to change one group of an AI system's fields",
    )
    async def edit(
        self, request: Request[Any, Any, Any], system_id: FromPath[str], group: FromPath[str]
    ) -> Response[Any]:
        if group not in GROUP_IDS:
            raise NotFound("No such group of fields.")
        return await self._edit_page(request, system_id, group)

    @post(
        "/systems/{system_id:str}/edit/{group:str}",
        operation_id="pageUpdateSystem",
        summary="An employer admin changes one group of an AI system's fields",
        status_code=SEE_OTHER,
    )
    async def update(
        self, request: Request[Any, Any, Any], system_id: FromPath[str], group: FromPath[str]
    ) -> Response[Any]:
        actor = actor_required(request)
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        if group not in GROUP_IDS:
            raise NotFound("No such group of fields.")
        stored, org_id = await _writable(actor, system_id)
        document = stored.document
        system_id = str(document["id"])  # as the register writes it, whatever the address's spelling
        lang = language_of(request)
        words, units = await _words(actor, org_id, lang)
        groups = form_groups([group], words, units)
        read_version = _version_of(form)
        state, changes = read_system_form(form, groups, document, units, words)
        meta, effective = _read_meta(form, state.errors, words.t)
        if read_version is None:
            state.errors["form"] = words("edit.error.version")
        if changes is not None and not state.errors and read_version is not None:
            history = self._history_conflict(
                changes, _history_seen(form), document, read_version, stored.version, words
            )
            if history is not None:
                state = SystemForm(list(groups), values_of({**document, **changes}, groups))
                return await self._edit_page(
                    request, system_id, group, state=state, meta=meta, conflict=history, status=409
                )
            # What the editor left as it was stays exactly as stored (a form gives text back with its
            # white space changed), so it is no change.
            changes = {
                name: value for name, value in changes.items() if not _unchanged(value, document.get(name))
            }
            if text_of(form, "action") == "check":
                merged = {name: document.get(name) for name in SystemFields.model_fields} | changes
                stated = SystemFields.model_validate(merged).model_dump(mode="json")
                found = await preview_findings(actor, org_id, stated, system_id=system_id)
                return await self._edit_page(
                    request, system_id, group, state=state, meta=meta, duties=checklist(found, words.t)
                )
            try:
                await update_system(
                    actor,
                    system_id,
                    changes,
                    if_match=[read_version],
                    change_note=meta.change_note or None,
                    effective_at=effective,
                    material=meta.material,
                )
            except VersionMismatch:
                conflict, state = await self._conflict(actor, system_id, read_version, changes, groups, words)
                return await self._edit_page(
                    request, system_id, group, state=state, meta=meta, conflict=conflict, status=409
                )
            except (InvalidInput, InvalidFields) as exc:
                show_problems(state, exc.problems, groups, words)
            else:
                return Redirect(f"/systems/{system_id}?sent=saved#group-{group}", status_code=SEE_OTHER)
        return await self._edit_page(request, system_id, group, state=state, meta=meta, status=422)

    @staticmethod
    def _history_conflict(
        changes: dict[str, Any],
        seen: Mapping[str, Any] | None,
        document: Mapping[str, Any],
        read_version: int,
        version: int,
        words: Words,
    ) -> Conflict | None:
        """A notice, consultation or workers' information is a history: recording an entry does not
        make a new version, so If-Match cannot see one recorded by someone else while this form was
        open. The form carries the histories it showed; one the editor left as shown is not sent (it
        would record the old entry again); one both changed is a conflict."""
        clashes = []
        for name in [name for name in changes if name in LEGACY_FIELDS]:
            shown = seen.get(name) if seen is not None and name in seen else document.get(name)
            if _unchanged(changes[name], shown):
                del changes[name]
            elif not _unchanged(document.get(name), shown):
                clashes.append((name, shown))
        if not clashes:
            return None
        return Conflict(
            read_version=read_version,
            version=version,
            changes=[
                (words.label(name), words.value(name, shown), words.value(name, document.get(name)))
                for name, shown in clashes
            ],
            both=[words.label(name) for name, _ in clashes],
        )

    async def _conflict(
        self,
        actor: Actor,
        system_id: str,
        read_version: int,
        changes: Mapping[str, Any],
        groups: Sequence[FormGroup],
        words: Words,
    ) -> tuple[Conflict, SystemForm]:
        """What the others changed since `read_version`, and the form of the system as it is now with
        this editor's own changes on top."""
        current = await get_system(actor, system_id)
        try:
            read = (await get_revision(actor, system_id, read_version))["document"]
        except NotFound:
            read = current.document
        mine = _own_keys(changes, read)
        theirs = (await diff_revisions(actor, system_id, current.version, against=read_version))["changes"]
        their_keys = {change["field"] for change in theirs}
        state = SystemForm(list(groups), values_of(_on_top(current.document, mine), groups))
        conflict = Conflict(
            read_version=read_version,
            version=current.version,
            changes=[
                (
                    words.label(c["field"]),
                    words.value(c["field"], c["old"]),
                    words.value(c["field"], c["new"]),
                )
                for c in theirs
            ],
            both=[words.label(key) for key in mine if key in their_keys],
        )
        return conflict, state

    # --- retiring ------------------------------------------------------------------------------

    async def _retire_page(
        self,
        request: Request[Any, Any, Any],
        system_id: str,
        *,
        values: Values | None = None,
        errors: Errors | None = None,
        status: int = 200,
        changed: bool = False,
    ) -> Response[Any]:
        actor = actor_required(request)
        stored, _ = await _writable(actor, system_id)
        document = stored.document
        t = translator(language_of(request))
        title = t("retire.title", name=document["name"])
        return render_page(
            request,
            "retire.html.j2",
            title=title,
            status=status,
            nav="register",
            system={"id": system_id, "name": document["name"], "version": stored.version},
            retired=document.get("status") == "retired",
            values=values or Values(retired_at=workplace_today().isoformat()),
            errors=errors or Errors(),
            changed=changed,
            note_max=NOTE_MAX,
        )

    @get(
        "/systems/{system_id:str}/retire",
        operation_id="pageRetireSystem",
        summary="The form to retire a system",
    )
    async def retire_form(self, request: Request[Any, Any, Any], system_id: FromPath[str]) -> Response[Any]:
        return await self._retire_page(request, system_id)

    @post(
        "/systems/{system_id:str}/retire",
        operation_id="pageRetire",
        summary="An employer admin retires an AI system",
        status_code=SEE_OTHER,
    )
    async def retire(self, request: Request[Any, Any, Any], system_id: FromPath[str]) -> Response[Any]:
        actor = actor_required(request)
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        t = translator(language_of(request))
        values = Values(
            retired_at=text_of(form, "retired_at"),
            data_deleted_at=text_of(form, "data_deleted_at"),
            change_note=text_of(form, "change_note"),
        )
        errors = Errors()
        days: dict[str, str | None] = {}
        for name in ("retired_at", "data_deleted_at"):
            try:
                days[name] = date.fromisoformat(values[name]).isoformat() if values[name] else None
            except ValueError:
                errors[name] = t("invalid.date")
        if not values["retired_at"]:
            errors["retired_at"] = t("invalid.required")
        if len(values["change_note"]) > NOTE_MAX:
            errors["change_note"] = t("invalid.text.too_long", max=t.number(NOTE_MAX))
        read_version = _version_of(form)
        if not errors and read_version is not None:
            changes: dict[str, Any] = {"status": "retired", "retired_at": days["retired_at"]}
            if days["data_deleted_at"]:
                changes["data_deleted_at"] = days["data_deleted_at"]
            try:
                await update_system(
                    actor,
                    system_id,
                    changes,
                    if_match=[read_version],
                    change_note=values["change_note"] or None,
                    effective_at=date.fromisoformat(str(days["retired_at"])),
                )
            except VersionMismatch:
                return await self._retire_page(request, system_id, values=values, status=409, changed=True)
            except (InvalidInput, InvalidFields) as exc:
                label = Words(language_of(request)).label
                for problem in exc.problems:
                    name = problem.field if problem.field in values else "retired_at"
                    errors.setdefault(name, field_reason(problem.reason, t, label))
            else:
                return Redirect(f"/systems/{system_id}?sent=retired", status_code=SEE_OTHER)
        elif read_version is None:
            errors["retired_at"] = t("edit.error.version")
        return await self._retire_page(request, system_id, values=values, errors=errors, status=422)


def _version_of(form: Mapping[str, Any]) -> int | None:
    text = text_of(form, "version")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


__all__ = ["SystemEditPageController"]
