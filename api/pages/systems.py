"""One AI system as a page: its fields in plain language, findings, APV, questions and answers, and
its history, with what changed since the reader's last visit. Stewards ask and employer admins
answer from the page; the written account opens as a printable page and downloads as PDF.

Another organization's system, or one outside a unit-limited steward's units, is the same 404 as an
unknown id: the services decide, exactly as for the API."""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from api.i18n import translator
from api.pages.config import actor_required, config_of, logged_in
from api.pages.forms import (
    ACTION_ROWS,
    REF_MAX,
    TEXT_MAX,
    FormState,
    read_answer,
    read_apv_completion,
    read_question,
    text_of,
)
from api.pages.reasons import field_reason
from api.pages.rendering import SECURITY_HEADERS, auth_of, language_of, render_page
from api.pages.security import check_form
from api.pages.views import badges_of, field_groups, local_day, question_view, revision_view
from api.statement import build_account, filename_for, render
from api.statement.facts import account_facts
from api.statement.view import Words
from registry import Forbidden, InvalidInput, Role
from registry.clock import workplace_today
from registry.obligations.apv import get_reassessment, update_reassessment
from registry.obligations.flags import SystemFlags
from registry.obligations.statement import Statement
from registry.organizations.models import Committee
from registry.questions.service import answer, ask, get_question
from registry.sessions.visits import last_seen_versions, record_visit
from registry.systems.models import SYSTEM_FIELD_NAMES

SEE_OTHER: Final = 303
SENT = ("question", "correction", "answer", "registered", "saved", "retired", "apv")


def _flags(statement: Statement) -> SystemFlags:
    due = [task for task in statement.reassessments if task.status == "open"]
    earliest = min(due, key=lambda task: task.due_date) if due else None
    return SystemFlags(
        open_findings=len(statement.findings),
        apv_due=earliest.due_date if earliest else None,
        apv_overdue=any(task.overdue for task in due),
    )


async def _system_page(
    request: Request[Any, Any, Any],
    system_id: str,
    *,
    status: int = 200,
    ask_state: FormState | None = None,
    answer_states: dict[str, FormState] | None = None,
    apv_states: dict[str, FormState] | None = None,
) -> Response[Any]:
    actor = actor_required(request)
    lang = language_of(request)
    t = translator(lang)
    statement = await account_facts(actor, system_id)
    questions = list(statement.questions)
    document = statement.system
    version = int(document["version"])
    seen = (await last_seen_versions(actor, [system_id])).get(system_id)
    words = Words(lang, {unit_id: unit.name for unit_id, unit in statement.units.items()}, statement.products)
    account = {section.id: section for section in build_account(statement, lang).sections}
    sent = request.query_params.get("sent")
    response = render_page(
        request,
        "system.html.j2",
        title=str(document["name"]),
        status=status,
        back_to=f"/systems/{system_id}",
        nav="register",
        organization=statement.organization.name,
        system={
            "id": system_id,
            "name": document["name"],
            "version": version,
            "updated": t.date(local_day(document["updated_at"])),
        },
        badges=badges_of(document, _flags(statement), seen, t),
        changed={"seen": seen, "version": version} if seen is not None and version > seen else None,
        sent=t(f"system.sent.{sent}") if sent in SENT and status == 200 else None,
        groups=field_groups(document, words, t),
        notice=account["notice"],
        findings=account["findings"],
        apv=account["apv"],
        questions=[question_view(q, words, t) for q in questions],
        can_ask=actor.role is Role.steward,
        can_answer=actor.role is Role.employer_admin and actor.org == statement.organization.id,
        can_edit=actor.role is Role.employer_admin and actor.org == statement.organization.id,
        retired=document.get("status") == "retired",
        ask=ask_state or FormState(),
        answer_forms=answer_states or {},
        default_answer=FormState(),
        kinds=[(kind, t(f"ask.kind.{kind}")) for kind in ("question", "correction")],
        field_choices=[(name, words.label(name)) for name in SYSTEM_FIELD_NAMES],
        committees=[(c.value, words.term("committee", c.value)) for c in Committee],
        text_max=TEXT_MAX,
        text_max_label=t.number(TEXT_MAX),
        ref_max=REF_MAX,
        revisions=[revision_view(r, words, t, seen) for r in statement.revisions],
        open_apv=[
            {
                "id": task.id,
                "unit": words.unit_names([task.unit_id] if task.unit_id else []),
                "due": t.date(task.due_date),
                "overdue": task.overdue,
            }
            for task in statement.reassessments
            if task.status == "open" and task.id
        ]
        if actor.role is Role.employer_admin and actor.org == statement.organization.id
        else [],
        apv_forms=apv_states or {},
        action_rows=range(ACTION_ROWS),
        today=workplace_today().isoformat(),
    )
    # The reader has now seen this version: the next visit highlights only what changes after it.
    await record_visit(actor, system_id, version)
    return response


class SystemPageController(Controller):
    path = "/"
    guards = [logged_in]

    @get("/systems/{system_id:str}", operation_id="pageSystem", summary="One AI system in plain language")
    async def system(self, request: Request[Any, Any, Any], system_id: FromPath[str]) -> Response[Any]:
        return await _system_page(request, system_id)

    @post(
        "/systems/{system_id:str}/questions",
        operation_id="pageAskQuestion",
        summary="A steward asks a question or sends a correction",
        status_code=SEE_OTHER,
    )
    async def ask_question(self, request: Request[Any, Any, Any], system_id: FromPath[str]) -> Response[Any]:
        actor = actor_required(request)
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        if actor.role is not Role.steward:
            # As the service decides, and before any field is looked at.
            raise Forbidden("Only stewards ask questions and send corrections.")
        t = translator(language_of(request))
        state, fields = read_question(form, t)
        if fields is not None:
            try:
                question = await ask(actor, system_id, fields)
            except InvalidInput:
                state.errors["field"] = t("invalid.choice")
            else:
                target = f"/systems/{system_id}?sent={fields.kind}#question-{question['id']}"
                return Redirect(target, status_code=SEE_OTHER)
        return await _system_page(request, system_id, status=422, ask_state=state)

    @post(
        "/questions/{question_id:str}/answers",
        operation_id="pageAnswerQuestion",
        summary="An employer admin answers a question",
        status_code=SEE_OTHER,
    )
    async def answer_question(
        self, request: Request[Any, Any, Any], question_id: FromPath[str]
    ) -> Response[Any]:
        actor = actor_required(request)
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        if actor.role is not Role.employer_admin:
            raise Forbidden("Only the organization's employer admins answer questions.")
        question = await get_question(actor, question_id)
        t = translator(language_of(request))
        state, fields = read_answer(form, t)
        if fields is not None:
            await answer(actor, question_id, fields)
            target = f"/systems/{question['system_id']}?sent=answer#question-{question['id']}"
            return Redirect(target, status_code=SEE_OTHER)
        return await _system_page(
            request, question["system_id"], status=422, answer_states={question["id"]: state}
        )

    @post(
        "/apv-reassessments/{reassessment_id:str}/complete",
        operation_id="pageCompleteApv",
        summary="An employer admin completes an APV revision",
        status_code=SEE_OTHER,
    )
    async def complete_apv(
        self, request: Request[Any, Any, Any], reassessment_id: FromPath[str]
    ) -> Response[Any]:
        actor = actor_required(request)
        form = await request.form()
        check_form(request, text_of(form, "csrf"), auth_of(request).csrf, config_of(request).public_url)
        if actor.role is not Role.employer_admin:
            raise Forbidden("Only the organization's employer admins complete APV revisions.")
        task = await get_reassessment(actor, reassessment_id)
        t = translator(language_of(request))
        state, patch = read_apv_completion(form, t)
        if patch is not None:
            try:
                await update_reassessment(actor, reassessment_id, patch)
            except InvalidInput as exc:
                label = Words(language_of(request)).label
                for problem in exc.problems:
                    name = "completed_on" if problem.field == "completed_on" else "form"
                    state.errors.setdefault(name, field_reason(problem.reason, t, label))
            else:
                return Redirect(f"/systems/{task['system_id']}?sent=apv#apv", status_code=SEE_OTHER)
        return await _system_page(request, task["system_id"], status=422, apv_states={task["id"]: state})

    @get(
        "/systems/{system_id:str}/statement",
        operation_id="pageStatement",
        summary="The written account as a printable page",
    )
    async def statement(self, request: Request[Any, Any, Any], system_id: FromPath[str]) -> Response[Any]:
        actor = actor_required(request)
        lang = language_of(request)
        account = build_account(await account_facts(actor, system_id), lang)
        return render_page(
            request,
            "printable.html.j2",
            title=account.title,
            nav="register",
            account=account,
            system_id=system_id,
        )

    @get(
        "/systems/{system_id:str}/statement.pdf",
        operation_id="pageStatementPdf",
        summary="The written account as a PDF download",
    )
    async def statement_pdf(
        self, request: Request[Any, Any, Any], system_id: FromPath[str]
    ) -> Response[bytes]:
        actor = actor_required(request)
        lang = language_of(request)
        statement = await account_facts(actor, system_id)
        body = await render(build_account(statement, lang), "pdf")
        filename = filename_for(str(statement.system["name"]), "pdf")
        return Response(
            content=body,
            media_type="application/pdf",
            headers={
                **SECURITY_HEADERS,
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Content-Language": lang,
            },
        )


__all__ = ["SystemPageController"]
