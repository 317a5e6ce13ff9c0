"""Questions on record: stewards ask management about an AI system (or say an entry is wrong), the
employer answers with the committee and the minutes reference. Answers are append-only: a correction
of an answer is a new answer naming the earlier one. Each change emits its event in its transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from registry.access import (
    Actor,
    Role,
    require_register_reader,
    require_register_writer,
)
from registry.accesslog import context as audit
from registry.clock import iso, to_micros, utcnow
from registry.db import write_transaction
from registry.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from registry.events import Event, EventType, emit
from registry.fields import days_out_of_range
from registry.organizations.service import organization_exists
from registry.questions.models import AnswerFields, QuestionFields, QuestionStatus, field_problems
from registry.questions.tables import Answer, Question
from registry.systems.visibility import system_scope, visible_system


def _key(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _json_list(value: Any) -> list[Any]:
    # Piccolo hands JSON columns back as text unless asked to load them.
    return list(json.loads(value) if isinstance(value, str) else value or [])


def _answer_view(row: dict[str, Any], corrected_by: list[str]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "question_id": str(row["question"]),
        "number": row["number"],
        "text": row["text"],
        "answered_by": row["answered_by"],
        "answered_at": iso(row["answered_at"]),
        "committee": row["committee"],
        "meeting_date": _day(row["meeting_date"]),
        "minutes_ref": row["minutes_ref"],
        "corrects": str(row["corrects"]) if row["corrects"] else None,
        "corrected_by": corrected_by,
    }


def _answer_views(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A question's answers, oldest first, each with the later answers that correct it."""
    ordered = sorted(rows, key=lambda r: r["number"])
    corrected_by: dict[str, list[str]] = {}
    for row in ordered:
        if row["corrects"]:
            corrected_by.setdefault(str(row["corrects"]), []).append(str(row["id"]))
    return [_answer_view(row, corrected_by.get(str(row["id"]), [])) for row in ordered]


def _question_view(row: dict[str, Any], answers: list[dict[str, Any]]) -> dict[str, Any]:
    meeting = None
    if row["committee"] or row["meeting_date"] or row["agenda_item"]:
        meeting = {
            "committee": row["committee"],
            "date": _day(row["meeting_date"]),
            "agenda_item": row["agenda_item"],
        }
    return {
        "id": str(row["id"]),
        "organization_id": str(row["organization"]),
        "system_id": str(row["system"]),
        "kind": row["kind"],
        "text": row["text"],
        "fields": _json_list(row["fields"]),
        "asked_by": row["asked_by"],
        "asked_by_role": row["asked_by_role"],
        "asked_at": iso(row["asked_at"]),
        "meeting": meeting,
        "status": row["status"],
        "answers": answers,
    }


async def _with_answers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    answers = await Answer.select().where(Answer.question.is_in([r["id"] for r in rows]))
    by_question: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for answer in answers:
        by_question.setdefault(answer["question"], []).append(answer)
    return [_question_view(row, _answer_views(by_question.get(row["id"], []))) for row in rows]


async def _question_row(question_id: str) -> dict[str, Any] | None:
    key = _key(question_id)
    if key is None:
        return None
    return await Question.select().where(Question.id == key).first()


async def _visible_question(actor: Actor, question_id: str) -> dict[str, Any]:
    """A question is visible exactly when its system is."""
    row = await _question_row(question_id)
    if row is None:
        raise NotFound("Question not found.")
    try:
        await visible_system(actor, str(row["system"]))
    except NotFound as exc:
        raise NotFound("Question not found.") from exc
    return row


async def ask(actor: Actor, system_id: str, fields: QuestionFields) -> dict[str, Any]:
    """A steward's question (or correction) about a system the steward can see."""
    if actor.role is not Role.steward:
        # The role is checked first: the answer to a role without the right reveals nothing.
        raise Forbidden("Only stewards ask questions and send corrections.")
    system_key, org_id = await visible_system(actor, system_id)
    problems = field_problems(fields.kind, fields.fields)
    if problems:
        raise InvalidInput("Some named fields are not fields of an AI system.", problems=problems)
    if problems := days_out_of_range(fields):
        raise InvalidInput("A date is out of range.", problems=problems)
    question_id, now = uuid.uuid4(), utcnow()
    meeting = fields.meeting
    async with write_transaction(Question._meta.db):
        await Question.insert(
            Question(
                id=question_id,
                organization=uuid.UUID(org_id),
                system=system_key,
                kind=fields.kind,
                text=fields.text,
                fields=json.dumps(fields.fields, ensure_ascii=False),
                asked_by=actor.sub,
                asked_by_role=actor.role.value,
                asked_at=now,
                asked_us=to_micros(now),
                committee=meeting.committee if meeting else None,
                meeting_date=meeting.date if meeting else None,
                agenda_item=meeting.agenda_item if meeting else None,
                status=QuestionStatus.open.value,
            )
        )
        await emit(
            Event(
                type=EventType.question_asked,
                organization_id=org_id,
                data={"question_id": str(question_id), "system_id": str(system_key), "kind": fields.kind},
                occurred_at=now,
            )
        )
    audit.note(resource_id=str(question_id))  # once it exists; a refused ask names the system
    row = await _question_row(str(question_id))
    if row is None:  # pragma: no cover - just inserted, and questions are never deleted
        raise NotFound("Question not found.")
    return _question_view(row, [])


async def answer(actor: Actor, question_id: str, fields: AnswerFields) -> dict[str, Any]:
    """The employer's answer, as entered in the minutes. Never edited: a correction is a new answer
    that names the earlier one (`corrects`)."""
    if actor.role is not Role.employer_admin:
        raise Forbidden("Only the organization's employer admins answer questions.")
    row = await _question_row(question_id)
    if row is None:
        raise NotFound("Question not found.")
    org_id = str(row["organization"])
    audit.note(organization_id=org_id)
    try:
        require_register_writer(actor, org_id)
    except NotFound as exc:
        raise NotFound("Question not found.") from exc
    if problems := days_out_of_range(fields):
        raise InvalidInput("A date is out of range.", problems=problems)
    question_key, answer_id, now = row["id"], uuid.uuid4(), utcnow()
    corrects = uuid.UUID(fields.corrects) if fields.corrects else None
    async with write_transaction(Answer._meta.db):
        # Updating the question first takes its row lock (PostgreSQL; SQLite locks the whole file), so
        # two answers given at once are numbered one after the other.
        await Question.update({Question.status: QuestionStatus.answered.value}).where(
            Question.id == question_key
        )
        earlier = {r["id"] for r in await Answer.select(Answer.id).where(Answer.question == question_key)}
        if corrects is not None and corrects not in earlier:
            raise InvalidInput(
                "An answer can only correct an earlier answer to the same question.",
                problems=[FieldProblem("corrects", "is not an earlier answer to this question")],
            )
        stored = Answer(
            id=answer_id,
            question=question_key,
            number=len(earlier) + 1,
            text=fields.text,
            answered_by=actor.sub,
            answered_at=now,
            committee=fields.committee,
            meeting_date=fields.meeting_date,
            minutes_ref=fields.minutes_ref,
            corrects=corrects,
        )
        await Answer.insert(stored)
        await emit(
            Event(
                type=EventType.question_answered,
                organization_id=org_id,
                data={
                    "question_id": str(question_key),
                    "answer_id": str(answer_id),
                    "system_id": str(row["system"]),
                    "corrects": str(corrects) if corrects else None,
                },
                occurred_at=now,
            )
        )
    audit.note(resource_id=str(answer_id))  # once it exists; a refused answer names the question
    return _answer_view(stored.to_dict(), [])


async def get_question(actor: Actor, question_id: str) -> dict[str, Any]:
    row = await _visible_question(actor, question_id)
    return (await _with_answers([row]))[0]


async def list_questions(actor: Actor, system_id: str, status: str | None = None) -> list[dict[str, Any]]:
    """A system's questions, newest first, each with its answers, oldest first."""
    system_key, _ = await visible_system(actor, system_id)
    query = Question.select().where(Question.system == system_key)
    if status is not None:
        query = query.where(Question.status == str(status))
    rows = await query.order_by(Question.asked_us, ascending=False).order_by(Question.id, ascending=False)
    return await _with_answers(list(rows))


async def list_organization_questions(
    actor: Actor, org_id: str, status: str | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """An organization's questions, newest first (`status=open`: what is still unanswered). A steward
    limited to units sees the questions on the systems it sees."""
    require_register_reader(actor, org_id)
    if not await organization_exists(org_id):
        raise NotFound("Organization not found.")
    query = Question.select().where(Question.organization == uuid.UUID(org_id))
    if status is not None:
        query = query.where(Question.status == str(status))
    if kind is not None:
        query = query.where(Question.kind == str(kind))
    rows = await query.order_by(Question.asked_us, ascending=False).order_by(Question.id, ascending=False)
    scope = await system_scope(actor, org_id)
    if scope is not None:
        rows = [row for row in rows if str(row["system"]) in scope]
    return await _with_answers(list(rows))


__all__ = ["answer", "ask", "get_question", "list_organization_questions", "list_questions"]
