"""Questions on record: questions (and corrections) from the employee side, and the employer's answers.
Answers are append-only, so there is no update schema: a correction is a new answer."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from registry.organizations.models import Committee
from registry.questions.models import AnswerFields, Meeting, QuestionFields, QuestionKind, QuestionStatus


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    question_id: str
    number: int = Field(description="1 for the first answer to the question, 2 for the next, ...")
    text: str
    answered_by: str = Field(description="`sub` of the token that gave the answer.")
    answered_at: datetime
    committee: Committee | None
    meeting_date: date | None
    minutes_ref: str | None = Field(description="Where the minutes (referat) record the answer.")
    corrects: str | None = Field(description="The earlier answer this one corrects.")
    corrected_by: list[str] = Field(description="Later answers that correct this one (it stands as given).")


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    system_id: str
    kind: QuestionKind
    text: str
    fields: list[str] = Field(description="The AI-system fields it is about (a correction: disputes).")
    asked_by: str = Field(description="`sub` of the token that asked.")
    asked_by_role: str
    asked_at: datetime
    meeting: Meeting | None
    status: QuestionStatus
    answers: list[Answer] = Field(description="Oldest first.")


class QuestionCreate(QuestionFields):
    """A question to management about the system, or (`kind: correction`) "this entry is wrong
    because ...", naming the disputed fields. Optionally tied to a committee meeting."""


class AnswerCreate(AnswerFields):
    """Management's answer, with the committee and the minutes reference. To correct an earlier answer,
    name it in `corrects`; the earlier answer stays on record unchanged."""


__all__ = ["Answer", "AnswerCreate", "Question", "QuestionCreate"]
