"""The guided questions and the checklist, put in words for the employer's pages.

The questions' answers propose fields (registry/systems/guidance.py); each proposal is shown with the
question it answers and the reason, and fills the form, where the employer changes what does not fit.
The checklist is what the register's checks would say about the system as written, grouped by duty
("For at varsle og inddrage rigtigt mangler: ..."), before anything is saved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.i18n import Translator
from api.statement.view import VOCABULARY_OF, Words
from registry.obligations.rules import Finding
from registry.systems.guidance import (
    QUESTIONS,
    Answer,
    Proposal,
    proposals,
    proposed_fields,
    stronger,
    winning,
)

DUTIES = ("notice", "ai_act", "gdpr", "apv")
_DUTY_OF_PREFIX = {
    "control_measure": "notice",
    "high_risk": "ai_act",
    "ai_act": "ai_act",
    "product": "ai_act",
    "gdpr": "gdpr",
}


def duty_of(rule_id: str) -> str:
    return _DUTY_OF_PREFIX.get(rule_id.split(".", 1)[0], "apv")


def read_answers(query: Mapping[str, Any]) -> dict[str, Answer]:
    """The answers given (`guide.<question>` = yes | no | unknown); anything else is no answer."""
    answers = {}
    for question in QUESTIONS:
        value = query.get(f"guide.{question}")
        if isinstance(value, str) and value in {a.value for a in Answer}:
            answers[question] = Answer(value)
    return answers


def nested(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Column keys ("ai_act.risk_class") -> a document with groups ({"ai_act": {"risk_class": ...}})."""
    document: dict[str, Any] = {}
    for key, value in fields.items():
        *parents, leaf = key.split(".")
        target = document
        for name in parents:
            target = target.setdefault(name, {})
        target[leaf] = value
    return document


def proposed_document(answers: Mapping[str, Answer]) -> dict[str, Any]:
    return nested(proposed_fields(proposals(answers)))


CARD_FIELDS = ("risk_class", "annex_iii_point", "annex_i_product", "provider_eu_db_ref")


def card_document(card: Mapping[str, Any]) -> dict[str, Any]:
    """What a new system takes from a product card: the provider's words and classification, and
    which card (and version) it was filled in from. The employer's own fields stay empty."""
    ai_act = {
        key: value
        for key, value in (card.get("ai_act") or {}).items()
        if key in CARD_FIELDS and value is not None
    }
    product = " ".join(str(p) for p in (card["product"], card.get("product_version")) if p)
    document: dict[str, Any] = {
        "name": card["product"],
        "vendor": card["vendor"],
        "product": product,
        "description": card.get("description"),
        "purpose": card.get("intended_purpose"),
        "product_card_id": card["id"],
        "product_card_version": card["version"],
    }
    if ai_act:
        document["ai_act"] = ai_act
    return {key: value for key, value in document.items() if value is not None}


def merged(base: Mapping[str, Any], over: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The answers' proposals (`over`) on top of a product card's fields (`base`): groups merged key
    by key, lists gathered; for a ranked field (category, risk class, Annex III point) the stronger
    value stands, so an answer never weakens the provider's own classification."""
    result = dict(base)
    for key, value in over.items():
        current = result.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            result[key] = merged(current, value, f"{prefix}{key}.")
        elif isinstance(value, list) and isinstance(current, list):
            result[key] = list(dict.fromkeys([*current, *value]))
        elif current is not None:
            result[key] = stronger(f"{prefix}{key}", value, current)
        else:
            result[key] = value
    return result


@dataclass(frozen=True)
class QuestionView:
    id: str
    text: str
    hint: str
    answer: str


@dataclass(frozen=True)
class ProposalView:
    field: str
    label: str
    value: str
    because: str  # the question, answered
    reason: str


def question_views(answers: Mapping[str, Answer], t: Translator) -> list[QuestionView]:
    return [
        QuestionView(q, t(f"guide.question.{q}"), t(f"guide.hint.{q}"), answers.get(q, Answer.unknown).value)
        for q in QUESTIONS
    ]


def _reason_key(proposal: Proposal) -> str:
    if isinstance(proposal.value, list | dict):
        return f"guide.reason.{proposal.field}"
    value = str(proposal.value).lower() if isinstance(proposal.value, bool) else str(proposal.value)
    return f"guide.reason.{proposal.field}.{value}"


def _value_text(proposal: Proposal, words: Words) -> str:
    name, value = proposal.field, proposal.value
    if name in VOCABULARY_OF and isinstance(value, str):
        return words.term(VOCABULARY_OF[name], value)
    return words.value(name, value)


def proposal_views(answers: Mapping[str, Answer], words: Words) -> list[ProposalView]:
    t = words.t
    return [
        ProposalView(
            field=p.field,
            label=words.label(p.field),
            value=_value_text(p, words),
            because=t(
                f"guide.because.{answers[p.question].value}", question=t(f"guide.question.{p.question}")
            ),
            reason=t(_reason_key(p)),
        )
        for p in winning(proposals(answers))
    ]


@dataclass(frozen=True)
class DutyView:
    id: str
    heading: str
    items: list[tuple[str, str]]  # (severity label, what is missing)


def checklist(findings: list[Finding], t: Translator) -> list[DutyView]:
    """The checks' findings grouped by duty, in the reader's language; a duty with nothing to fix is
    left out."""
    views = []
    for duty in DUTIES:
        items = [
            (t(f"severity.{f.severity.value}"), t.message(f.message.to_json(), fallback=f"rule.{f.rule_id}"))
            for f in findings
            if duty_of(f.rule_id) == duty
        ]
        if items:
            views.append(DutyView(duty, t(f"check.duty.{duty}"), items))
    return views


__all__ = [
    "DutyView",
    "ProposalView",
    "QuestionView",
    "card_document",
    "checklist",
    "duty_of",
    "merged",
    "nested",
    "proposal_views",
    "proposed_document",
    "question_views",
    "read_answers",
]
