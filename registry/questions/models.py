"""Questions on record: what the employee side asks management about an AI system, and management's
answers as entered in the committee's minutes (referat). Field meanings: shared/domain.md section 2.

An answer given in the committee binds management, so answers are never edited: a correction is a
new answer that names the earlier one it corrects."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from registry.errors import FieldProblem
from registry.fields import Day, LongText, Strict, Text
from registry.organizations.models import Committee
from registry.systems.models import SYSTEM_FIELD_NAMES


class QuestionKind(StrEnum):
    question = "question"
    correction = "correction"  # "this entry is wrong because ...": names the fields it disputes


class QuestionStatus(StrEnum):
    open = "open"
    answered = "answered"


def _answer_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise ValueError("is not an answer id") from exc


AnswerId = Annotated[str, StringConstraints(max_length=64), AfterValidator(_answer_id)]
MAX_FIELDS = len(SYSTEM_FIELD_NAMES)


class Meeting(Strict):
    """The committee meeting a question is raised at (or its answer given at)."""

    committee: Committee | None = None
    date: Day | None = None
    agenda_item: Text | None = Field(default=None, description="The agenda item (dagsordenspunkt).")


class QuestionFields(Strict):
    kind: QuestionKind = QuestionKind.question
    text: LongText
    fields: list[Text] = Field(
        default_factory=list,
        max_length=MAX_FIELDS,
        description="AI-system fields (top-level names) the question is about; a correction names the "
        "fields it disputes, at least one.",
    )
    meeting: Meeting | None = None

    @field_validator("fields")
    @classmethod
    def _no_duplicates(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class AnswerFields(Strict):
    text: LongText
    committee: Committee | None = Field(default=None, description="The committee the answer was given in.")
    meeting_date: Day | None = None
    minutes_ref: Text | None = Field(default=None, description="Where the minutes (referat) record it.")
    corrects: AnswerId | None = Field(
        default=None, description="Id of an earlier answer to the same question that this answer corrects."
    )


def field_problems(kind: str, fields: list[str]) -> list[FieldProblem]:
    """What is wrong with the fields a question names: each must be a field of an AI system, and a
    correction must name at least one (an employer cannot act on "something here is wrong")."""
    problems = [
        FieldProblem(f"fields[{i}]", "is not a field of an AI system")
        for i, name in enumerate(fields)
        if name not in SYSTEM_FIELD_NAMES
    ]
    if kind == QuestionKind.correction and not fields:
        problems.append(FieldProblem("fields", "a correction names the field(s) it disputes"))
    return problems


__all__ = [
    "AnswerFields",
    "Meeting",
    "QuestionFields",
    "QuestionKind",
    "QuestionStatus",
    "field_problems",
]
