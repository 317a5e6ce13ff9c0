"""The facts of a written account, with the questions on record: the registry's statement
(registry/obligations/statement.py) cannot read the questions, which build on it, so they are added
here, where both are at hand."""

from __future__ import annotations

import dataclasses

from registry.access import Actor
from registry.obligations.statement import Statement, system_statement
from registry.questions.service import list_questions


async def account_facts(actor: Actor, system_id: str) -> Statement:
    """Everything the written account of a system says, as the actor may read it."""
    statement = await system_statement(actor, system_id)
    questions = await list_questions(actor, system_id)
    return dataclasses.replace(statement, questions=tuple(questions))


__all__ = ["account_facts"]
