"""Questions on record: stewards ask about a system, employer admins answer (append-only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.errors import problems
from api.guards import employer_admin, register_reader, steward
from api.schemas import Answer, AnswerCreate, Question, QuestionCreate
from registry import Actor
from registry.questions import service as questions
from registry.questions.models import QuestionKind, QuestionStatus


class SystemQuestionController(Controller):
    path = "/systems/{system_id:uuid}/questions"
    tags = ["Questions"]

    @post(
        "/",
        operation_id="askQuestion",
        responses=problems(400, 403, 404, 413, 422),
        guards=[steward],
        summary="Ask management a question, or send a correction",
        status_code=201,
    )
    async def ask_question(
        self, request: Request[Actor, str, Any], system_id: FromPath[UUID], data: JSONBody[QuestionCreate]
    ) -> Response[Question]:
        asked = Question.model_validate(await questions.ask(request.user, str(system_id), data))
        return Response(asked, status_code=201, headers={"Location": f"/api/v1/questions/{asked.id}"})

    @get(
        "/",
        operation_id="listQuestions",
        responses=problems(400, 403, 404),
        guards=[register_reader],
        summary="A system's questions, newest first, with their answers",
    )
    async def list_questions(
        self,
        request: Request[Actor, str, Any],
        system_id: FromPath[UUID],
        status: FromQuery[QuestionStatus | None] = None,
    ) -> list[Question]:
        found = await questions.list_questions(request.user, str(system_id), status)
        return [Question.model_validate(q) for q in found]


class QuestionController(Controller):
    path = "/questions/{question_id:uuid}"
    tags = ["Questions"]

    @get(
        "/",
        operation_id="getQuestion",
        responses=problems(400, 403, 404),
        guards=[register_reader],
        summary="One question with its answers",
    )
    async def get_question(self, request: Request[Actor, str, Any], question_id: FromPath[UUID]) -> Question:
        return Question.model_validate(await questions.get_question(request.user, str(question_id)))

    @post(
        "/answers",
        operation_id="answerQuestion",
        responses=problems(400, 403, 404, 413, 422),
        guards=[employer_admin],
        summary="Answer a question (or correct an earlier answer) on record",
        status_code=201,
    )
    async def answer_question(
        self, request: Request[Actor, str, Any], question_id: FromPath[UUID], data: JSONBody[AnswerCreate]
    ) -> Answer:
        return Answer.model_validate(await questions.answer(request.user, str(question_id), data))


class OrganizationQuestionController(Controller):
    path = "/organizations/{org_id:uuid}/questions"
    tags = ["Questions"]

    @get(
        "/",
        operation_id="listOrganizationQuestions",
        responses=problems(400, 403, 404),
        guards=[register_reader],
        summary="An organization's questions, newest first (status=open: still unanswered)",
    )
    async def list_organization_questions(
        self,
        request: Request[Actor, str, Any],
        org_id: FromPath[UUID],
        status: FromQuery[QuestionStatus | None] = None,
        kind: FromQuery[QuestionKind | None] = None,
    ) -> list[Question]:
        found = await questions.list_organization_questions(request.user, str(org_id), status, kind)
        return [Question.model_validate(q) for q in found]


__all__ = ["OrganizationQuestionController", "QuestionController", "SystemQuestionController"]
