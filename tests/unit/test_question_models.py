"""Questions on record, validated without HTTP or a database: the fields a question names and the
shape of questions and answers."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from registry.errors import FieldProblem
from registry.questions.models import AnswerFields, QuestionFields, field_problems
from registry.systems.models import SYSTEM_FIELD_NAMES


def test_a_question_may_name_no_fields() -> None:
    assert field_problems("question", []) == []


def test_a_correction_must_name_a_field() -> None:
    assert field_problems("correction", []) == [
        FieldProblem("fields", "a correction names the field(s) it disputes")
    ]


@pytest.mark.parametrize("name", SYSTEM_FIELD_NAMES)
def test_every_stated_field_of_a_system_can_be_disputed(name: str) -> None:
    assert field_problems("correction", [name]) == []


@pytest.mark.parametrize("kind", ["question", "correction"])
def test_unknown_fields_are_named_by_position(kind: str) -> None:
    problems = field_problems(kind, ["purpose", "salary", "id", "notice.given_at"])
    assert [p.field for p in problems] == ["fields[1]", "fields[2]", "fields[3]"]
    assert {p.reason for p in problems} == {"is not a field of an AI system"}


def test_named_fields_are_kept_once_in_order() -> None:
    fields = QuestionFields.model_validate({"text": "Hvorfor?", "fields": ["access", "purpose", "access"]})
    assert fields.fields == ["access", "purpose"]
    assert fields.kind == "question"


@pytest.mark.parametrize(
    "body",
    [
        {"text": "a\x00b"},
        {"text": " "},
        {"text": "x" * 10_001},
        {"text": "Hvorfor?", "fields": ["x" * 201]},
        {"text": "Hvorfor?", "fields": ["purpose"] * (len(SYSTEM_FIELD_NAMES) + 1)},
        {"text": "Hvorfor?", "meeting": {"committee": "MED"}},
        {"text": "Hvorfor?", "meeting": {"minutes": "pkt. 3"}},
        {"text": "Hvorfor?", "status": "answered"},
    ],
)
def test_malformed_questions_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        QuestionFields.model_validate(body)


def test_an_answer_names_the_answer_it_corrects_by_id() -> None:
    answer = AnswerFields.model_validate(
        {"text": "Rettelse.", "corrects": "0B7C3F52-7A0E-4F63-9A57-6F1A1F4F4C10"}
    )
    assert answer.corrects == "0b7c3f52-7a0e-4f63-9a57-6f1a1f4f4c10"
    with pytest.raises(ValidationError):
        AnswerFields.model_validate({"text": "Rettelse.", "corrects": "the first one"})
