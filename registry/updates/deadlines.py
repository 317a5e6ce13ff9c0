"""The days ahead of an organization: the last day to give a notice of a planned control measure, the
planned go-lives, the APV revisions' due dates and the day an open question has waited 14 days. Read by
the digests and the calendar feed; each deadline names its system and units, so a
reader's view keeps only the systems they may see."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from registry.clock import WORKPLACE_ZONE
from registry.obligations.findings import rule_contexts
from registry.obligations.rules.checks.control_measures import notice_deadline
from registry.obligations.rules.engine import day
from registry.obligations.tables import ApvReassessment
from registry.questions.tables import Question
from registry.systems.tables import AISystem

QUESTION_WAIT_DAYS = 14
"""A question unanswered this long is a deadline of its own (shared/domain.md: answers within a
reasonable time; the register reminds after two weeks)."""


@dataclass(frozen=True)
class Deadline:
    kind: str  # notice | go_live | apv | question
    day: date
    system_id: str
    system_name: str
    unit_ids: tuple[str, ...]
    ref: str  # what it is the deadline of: the system, the APV revision or the question (its id)
    text: str = ""  # the question asked (kind question)

    def overdue(self, today: date) -> bool:
        return self.day < today


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def organization_deadlines(org_id: str, today: date) -> list[Deadline]:
    """Every deadline of the organization that is still open, whatever its day (the caller keeps the
    window it shows), by day."""
    key = uuid.UUID(org_id)
    systems = await AISystem.select(AISystem.id, AISystem.name, AISystem.unit_ids, AISystem.status).where(
        AISystem.organization == key
    )
    names = {str(row["id"]): (row["name"], tuple(row["unit_ids"] or ())) for row in systems}
    deadlines = [*await _planned(org_id, [row for row in systems if row["status"] == "planned"], today)]
    for row in await ApvReassessment.select(
        ApvReassessment.id, ApvReassessment.system, ApvReassessment.due_date
    ).where((ApvReassessment.organization == key) & (ApvReassessment.status == "open")):
        name, units = names.get(str(row["system"]), ("", ()))
        deadlines.append(Deadline("apv", row["due_date"], str(row["system"]), name, units, str(row["id"])))
    for row in await Question.select(Question.id, Question.system, Question.asked_at, Question.text).where(
        (Question.organization == key) & (Question.status == "open")
    ):
        name, units = names.get(str(row["system"]), ("", ()))
        waited = row["asked_at"].astimezone(WORKPLACE_ZONE).date() + timedelta(days=QUESTION_WAIT_DAYS)
        deadlines.append(
            Deadline("question", waited, str(row["system"]), name, units, str(row["id"]), text=row["text"])
        )
    return sorted(deadlines, key=lambda d: (d.day, d.kind, d.system_name, d.ref))


async def _planned(org_id: str, systems: list[dict[str, Any]], today: date) -> list[Deadline]:
    """Planned go-lives, and for a planned control measure the last day to give its notice."""
    if not systems:
        return []
    rows = await AISystem.select(AISystem.id, AISystem.document).where(
        AISystem.id.is_in([row["id"] for row in systems])
    )
    documents = {str(row["id"]): _loads(row["document"]) for row in rows}
    measures = [
        uuid.UUID(key)
        for key, document in documents.items()
        if document.get("control_measure") and document.get("go_live_at")
    ]
    contexts = await rule_contexts(org_id, measures, today) if measures else {}
    found = []
    for row in systems:
        key = str(row["id"])
        document = documents.get(key) or {}
        units = tuple(row["unit_ids"] or ())
        go_live = day(document.get("go_live_at"))
        if go_live is None:
            continue
        found.append(Deadline("go_live", go_live, key, row["name"], units, key))
        if key in contexts and (last_day := notice_deadline(document, contexts[key])) is not None:
            found.append(Deadline("notice", last_day, key, row["name"], units, key))
    return found


__all__ = ["QUESTION_WAIT_DAYS", "Deadline", "organization_deadlines"]
