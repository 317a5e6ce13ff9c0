"""What the pages show, put in words: rows of the register, the fields of a system with why they
matter, its questions and its history. Plain data for the templates; every text comes from the
catalogues, every value is worded by the written account's `Words` (so a value reads the same on a
page and in the account)."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel

from api.i18n import Translator
from api.i18n.formatting import WORKPLACE_ZONE
from api.statement.view import VOCABULARY_OF, Words
from registry.clock import parse_iso
from registry.obligations.flags import SystemFlags
from registry.obligations.statement import RevisionFacts
from registry.systems.models import SYSTEM_FIELD_NAMES, SystemFields, special_categories_of

# The fields of an AI system in the order a steward reads them, in groups (a test checks that every
# field is in exactly one group).
FIELD_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "about",
        (
            "name",
            "vendor",
            "product",
            "product_card_id",
            "product_card_version",
            "description",
            "purpose",
            "operational_reason",
            "category",
            "control_measure",
            "status",
            "unit_ids",
            "affected_groups",
            "affected_headcount",
            "operated_by",
            "operator_name",
            "contact",
            "accountable_manager",
        ),
    ),
    (
        "data",
        (
            "data_categories",
            "data_subjects",
            "data_sources",
            "access",
            "retention",
            "log_retention_days",
            "legal_basis",
            "legitimate_interest",
            "special_category_basis",
            "processors",
            "processor_agreement_ref",
            "third_country_transfer",
            "dpo_contact",
        ),
    ),
    (
        "decisions",
        ("automated_decision", "significant_effect", "decision_logic", "human_oversight", "contest_channel"),
    ),
    ("rules", ("ai_act", "dpia")),
    (
        "notice",
        (
            "notice",
            "control_measure_assessment",
            "consultation",
            "workers_informed_at",
            "employee_notice_ref",
            "employee_notice_given_at",
            "go_live_at",
            "retired_at",
            "data_deleted_at",
        ),
    ),
    ("use", ("usage_policy", "training", "time_savings", "apv_last_assessed_at")),
)
LISTS_OF_TEXT = frozenset({"affected_groups", "data_sources", "processors"})


def _nested_model(name: str) -> type[BaseModel] | None:
    """The model of a field that holds one nested object (`notice: Notice | None`); lists of
    objects (`access`) are not nested objects."""
    annotation = SystemFields.model_fields[name].annotation
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    for candidate in options:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


NESTED_KEYS: dict[str, tuple[str, ...]] = {
    name: tuple(model.model_fields)
    for name in SYSTEM_FIELD_NAMES
    if (model := _nested_model(name)) is not None
}


def _stated(value: Any) -> bool:
    return value not in (None, "", [], {})


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def local_day(moment_iso: str) -> date:
    return parse_iso(moment_iso).astimezone(WORKPLACE_ZONE).date()


@dataclass(frozen=True)
class Badge:
    kind: (
        str  # monitoring | special-category | fully-automated | high-risk | open-findings | apv-due | changed
    )
    label: str
    count: int | None = None
    urgent: bool = False


def badges_of(
    document: dict[str, Any], flags: SystemFlags | None, last_seen: int | None, t: Translator
) -> list[Badge]:
    """What a steward should notice about a system at a glance."""
    found: list[Badge] = []
    if last_seen is not None and int(document["version"]) > last_seen:
        found.append(Badge("changed", t("badge.changed")))
    if document.get("category") == "monitoring" or document.get("control_measure"):
        found.append(Badge("monitoring", t("badge.monitoring")))
    if special_categories_of(list(document.get("data_categories") or [])):
        found.append(Badge("special-category", t("badge.special-category")))
    if document.get("automated_decision") == "fully_automated":
        found.append(Badge("fully-automated", t("badge.fully-automated")))
    if (document.get("ai_act") or {}).get("risk_class") == "high_risk":
        found.append(Badge("high-risk", t("badge.high-risk")))
    if flags is not None and flags.open_findings:
        count = flags.open_findings
        label = t.plural("badge.open-findings", count)
        found.append(Badge("open-findings", label, count=count))
    if flags is not None and flags.apv_due is not None:
        key = "badge.apv-overdue" if flags.apv_overdue else "badge.apv-due"
        found.append(Badge("apv-due", t(key, date=t.date(flags.apv_due)), urgent=flags.apv_overdue))
    return found


@dataclass(frozen=True)
class RegisterRow:
    id: str
    name: str
    vendor: str | None
    status: str
    category: str
    units: str
    updated: str
    badges: list[Badge]


def register_row(
    document: dict[str, Any], words: Words, t: Translator, flags: SystemFlags | None, last_seen: int | None
) -> RegisterRow:
    return RegisterRow(
        id=str(document["id"]),
        name=str(document["name"]),
        vendor=document.get("vendor"),
        status=capitalised(words.term("status", document.get("status"))),
        category=capitalised(words.term("category", document.get("category"))),
        units=words.unit_names(document.get("unit_ids") or []),
        updated=t.date(local_day(document["updated_at"])),
        badges=badges_of(document, flags, last_seen, t),
    )


@dataclass(frozen=True)
class FieldView:
    name: str
    label: str
    why: str
    source: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None


@dataclass(frozen=True)
class FieldGroup:
    id: str
    title: str
    fields: list[FieldView]


def _field_view(name: str, document: dict[str, Any], words: Words, t: Translator) -> FieldView:
    value = document.get(name)
    common: dict[str, Any] = {
        "name": name,
        "label": words.label(name),
        "why": t(f"why.{name}"),
        "source": t(f"source.{name}"),
    }
    not_stated = words("value.not_stated")
    if name in ("contact", "dpo_contact") and value:
        email = value.get("email")
        return FieldView(**common, text=f"{value['name']} <{email}>" if email else str(value["name"]))
    if name in NESTED_KEYS:
        stated = value or {}
        pairs = [
            (words.label(f"{name}.{key}"), words.value(f"{name}.{key}", stated.get(key)))
            for key in NESTED_KEYS[name]
            if _stated(stated.get(key))
        ]
        return FieldView(**common, pairs=pairs, text="" if pairs else not_stated)
    if name == "access" and value:
        return FieldView(**common, items=[words.access_entry(entry) for entry in value])
    if name in LISTS_OF_TEXT and value:
        return FieldView(**common, items=[str(item) for item in value])
    if name == "data_categories" and value:
        special = special_categories_of(list(value))
        note = (
            t("fields.special", categories=", ".join(words.term("data_category", c) for c in special))
            if special
            else None
        )
        return FieldView(
            **common, items=[capitalised(words.term("data_category", c)) for c in value], note=note
        )
    text = words.value(name, value)
    return FieldView(**common, text=capitalised(text) if name in VOCABULARY_OF else text)


def field_groups(document: dict[str, Any], words: Words, t: Translator) -> list[FieldGroup]:
    return [
        FieldGroup(
            id=group,
            title=t(f"fields.group.{group}"),
            fields=[_field_view(name, document, words, t) for name in names],
        )
        for group, names in FIELD_GROUPS
    ]


@dataclass(frozen=True)
class AnswerView:
    id: str
    heading: str
    text: str
    given: str
    facts: list[tuple[str, str]]


@dataclass(frozen=True)
class QuestionView:
    id: str
    kind_label: str
    status: str
    status_label: str
    text: str
    asked: str
    disputed: str | None
    answers: list[AnswerView]


def question_view(question: dict[str, Any], words: Words, t: Translator) -> QuestionView:
    answers = []
    for answer in question["answers"]:
        facts = []
        if answer["committee"]:
            facts.append((t("questions.committee"), words.term("committee", answer["committee"])))
        if answer["meeting_date"]:
            facts.append((t("questions.meeting_date"), words.day(answer["meeting_date"])))
        if answer["minutes_ref"]:
            facts.append((t("questions.minutes"), answer["minutes_ref"]))
        answers.append(
            AnswerView(
                id=answer["id"],
                heading=t("questions.answer", number=answer["number"]),
                text=answer["text"],
                given=t(
                    "questions.answered",
                    moment=t.moment(parse_iso(answer["answered_at"])),
                    who=answer["answered_by"],
                ),
                facts=facts,
            )
        )
    named = question.get("fields") or []
    return QuestionView(
        id=question["id"],
        kind_label=t(f"questions.kind.{question['kind']}"),
        status=question["status"],
        status_label=t(f"questions.status.{question['status']}"),
        text=question["text"],
        asked=t(
            "questions.asked", moment=t.moment(parse_iso(question["asked_at"])), who=question["asked_by"]
        ),
        disputed=t("questions.disputed", fields=", ".join(words.label(n) for n in named)) if named else None,
        answers=answers,
    )


@dataclass(frozen=True)
class RevisionView:
    version: int
    heading: str
    facts: list[tuple[str, str]]
    changes: list[tuple[str, str, str]]  # (field, before, after)
    registered: bool
    new: bool


def revision_view(
    revision: RevisionFacts, words: Words, t: Translator, last_seen: int | None
) -> RevisionView:
    material = ", ".join(words.term("material", reason) for reason in revision.material_reasons)
    facts = [(t("history.author"), revision.author)]
    if revision.change_note:
        facts.append((t("history.note"), revision.change_note))
    facts.append((t("history.material"), capitalised(material) if material else t("history.material_no")))
    return RevisionView(
        version=revision.version,
        heading=t(
            "history.version",
            version=revision.version,
            effective=revision.effective,
            moment=t.moment(revision.created_at),
        ),
        facts=facts,
        changes=[
            (words.label(c.field), words.value(c.field, c.old), words.value(c.field, c.new))
            for c in revision.changes
        ],
        registered=revision.version == 1,
        new=last_seen is not None and revision.version > last_seen,
    )


__all__ = [
    "FIELD_GROUPS",
    "Badge",
    "FieldGroup",
    "FieldView",
    "QuestionView",
    "RegisterRow",
    "RevisionView",
    "badges_of",
    "capitalised",
    "field_groups",
    "question_view",
    "register_row",
    "revision_view",
]
