"""Tables of the questions on record. Answers are only ever inserted; a question's status is the one
value that changes (open -> answered, with its first answer)."""

from __future__ import annotations

from typing import Any

from piccolo.columns import JSON, UUID, BigInt, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from registry.organizations.tables import Organization
from registry.systems.tables import AISystem


class Question(Table, tablename="question"):
    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=False, index=True)
    system = ForeignKey(references=AISystem, null=False, index=True)
    kind = Varchar(length=16)  # question | correction
    text = Text()
    fields = JSON()  # the AI-system fields it is about (a correction: the ones it disputes)
    asked_by = Varchar(length=200)  # `sub` of the token
    asked_by_role = Varchar(length=32)
    asked_at = Timestamptz()
    # Microseconds since the epoch: sorts the same on SQLite and PostgreSQL (newest first).
    asked_us = BigInt(index=True)
    committee = Varchar(length=16, null=True, default=None)
    meeting_date = Date(null=True, default=None)
    agenda_item = Varchar(length=200, null=True, default=None)
    status = Varchar(length=16, index=True)  # open | answered


class Answer(Table, tablename="question_answer"):
    """One answer, as given; nothing updates or deletes these rows."""

    id = UUID(primary_key=True)
    question = ForeignKey(references=Question, null=False, index=True)
    number = Integer()  # 1, 2, ... within the question, in the order given
    text = Text()
    answered_by = Varchar(length=200)
    answered_at = Timestamptz()
    committee = Varchar(length=16, null=True, default=None)
    meeting_date = Date(null=True, default=None)
    minutes_ref = Varchar(length=200, null=True, default=None)
    # An earlier answer to the same question that this one corrects.
    corrects: ForeignKey[Any] = ForeignKey(references="self", null=True, default=None)


__all__ = ["Answer", "Question"]
