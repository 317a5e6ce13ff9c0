"""Guided questions for registering a system: plain yes/no questions an employer can answer without
knowing the rules, and what each answer proposes for the fields of the register (category, control
measure, the AI Act's Annex III point or Annex I, kinds of data, whose data, a DPIA), each with the
reason it is proposed. Proposals are only proposals: the employer sees them in the form and changes
what does not fit. A question left unanswered, or answered "don't know", proposes nothing.

The questions and reasons are worded in the catalogues (`guide.question.<id>`,
`guide.reason.<id>.<field>`); this module holds the rules only (shared/domain.md §2, §4, §5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Answer(StrEnum):
    yes = "yes"
    no = "no"
    unknown = "unknown"


@dataclass(frozen=True)
class Proposal:
    question: str  # the question whose answer proposes it
    field: str  # a column key: "category", "ai_act.annex_iii_point"
    value: Any  # for a list field: the items to add


QUESTIONS: tuple[str, ...] = (
    "individual_work",  # Kan systemet vise, hvad den enkelte medarbejder har lavet?
    "location",  # Kan systemet se, hvor medarbejderne er?
    "allocates_work",  # Bruges det til at fordele opgaver eller vagter?
    "recruitment",  # Bruges det til at finde, udvælge eller vurdere ansøgere?
    "employment_decisions",  # Bruges det til beslutninger om løn, forfremmelse eller afsked?
    "automated_decisions",  # Træffer det afgørelser om mennesker, uden at et menneske ser dem først?
    "emotions",  # Aflæser det følelser eller stemning?
    "health_data",  # Bruger det oplysninger om helbred?
    "medical_device",  # Er det et medicinsk udstyr?
    "public_contact",  # Taler eller skriver det med borgere eller kunder?
    "generates_content",  # Skriver eller laver det tekst, billeder eller lyd?
)

# What a "yes" proposes: (field, value). A list field's value is added to what is proposed already.
_YES: dict[str, tuple[tuple[str, Any], ...]] = {
    "individual_work": (
        ("category", "monitoring"),
        ("control_measure", True),
        ("data_categories", ["work_performance"]),
        ("ai_act.risk_class", "high_risk"),
        ("ai_act.annex_iii_point", "4(b)"),
        ("dpia.status", "planned"),
    ),
    "location": (
        ("category", "monitoring"),
        ("control_measure", True),
        ("data_categories", ["location"]),
        ("dpia.status", "planned"),
    ),
    "allocates_work": (
        ("category", "decision_support"),
        ("data_categories", ["employment"]),
        ("ai_act.risk_class", "high_risk"),
        ("ai_act.annex_iii_point", "4(b)"),
    ),
    "recruitment": (
        ("category", "decision_support"),
        ("data_categories", ["identification", "employment"]),
        ("data_subjects", {"identification": ["applicants"], "employment": ["applicants"]}),
        ("ai_act.risk_class", "high_risk"),
        ("ai_act.annex_iii_point", "4(a)"),
        ("dpia.status", "planned"),
    ),
    "employment_decisions": (
        ("category", "decision_support"),
        ("data_categories", ["employment", "work_performance"]),
        ("significant_effect", True),
        ("ai_act.risk_class", "high_risk"),
        ("ai_act.annex_iii_point", "4(b)"),
        ("dpia.status", "planned"),
    ),
    "automated_decisions": (
        ("automated_decision", "fully_automated"),
        ("dpia.status", "planned"),
    ),
    "emotions": (("ai_act.emotion_recognition", True), ("ai_act.risk_class", "prohibited")),
    "health_data": (
        ("data_categories", ["health"]),
        ("dpia.status", "planned"),
    ),
    "medical_device": (
        ("ai_act.annex_i_product", True),
        ("ai_act.risk_class", "high_risk"),
    ),
    "public_contact": (
        ("ai_act.interacts_with_public", True),
        ("ai_act.risk_class", "limited"),
    ),
    "generates_content": (("category", "generative_assistant"),),
}
# What a "no" proposes (the answer rules something out the register would otherwise leave open).
_NO: dict[str, tuple[tuple[str, Any], ...]] = {
    "medical_device": (("ai_act.annex_i_product", False),),
    "public_contact": (("ai_act.interacts_with_public", False),),
    "emotions": (("ai_act.emotion_recognition", False),),
}

# When answers propose different values for one field, the stronger one stands.
_STRONGER: dict[str, tuple[Any, ...]] = {
    "category": ("monitoring", "decision_support", "generative_assistant"),
    "ai_act.risk_class": ("prohibited", "high_risk", "limited", "minimal"),
    "ai_act.annex_iii_point": ("4(a)", "4(b)"),
}


def proposals(answers: Mapping[str, Answer | str]) -> list[Proposal]:
    """Every proposal of the answers, in the order of the questions; for a field proposed twice, the
    stronger value (a list field gathers the items of all)."""
    found: list[Proposal] = []
    for question in QUESTIONS:
        answer = answers.get(question)
        table = _YES if answer == Answer.yes else _NO if answer == Answer.no else {}
        found.extend(Proposal(question, name, value) for name, value in table.get(question, ()))
    return found


def _rank(name: str, value: Any) -> int:
    order = _STRONGER.get(name, ())
    return order.index(value) if value in order else len(order)


def proposed_fields(found: list[Proposal]) -> dict[str, Any]:
    """The proposals as column key -> value, one value per field."""
    fields: dict[str, Any] = {}
    for proposal in found:
        name, value = proposal.field, proposal.value
        current = fields.get(name)
        if isinstance(value, list):
            fields[name] = list(dict.fromkeys([*(current or []), *value]))
        elif isinstance(value, dict):
            merged = dict(current or {})
            for key, items in value.items():
                merged[key] = list(dict.fromkeys([*merged.get(key, []), *items]))
            fields[name] = merged
        elif name not in fields or _rank(name, value) < _rank(name, current):
            fields[name] = value
    return fields


def stronger(name: str, first: Any, second: Any) -> Any:
    """Of two values of one field, the one that stands (the first when neither ranks higher)."""
    return second if _rank(name, second) < _rank(name, first) else first


def winning(found: list[Proposal]) -> list[Proposal]:
    """The proposals that stand (a weaker value for a field proposed twice is left out)."""
    fields = proposed_fields(found)
    return [p for p in found if isinstance(p.value, list | dict) or fields.get(p.field) == p.value]


__all__ = ["QUESTIONS", "Answer", "Proposal", "proposals", "proposed_fields", "stronger", "winning"]
