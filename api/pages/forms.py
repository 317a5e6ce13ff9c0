"""The pages' forms: reading what was sent, checking it, and keeping it for a re-rendered page.

Messages are catalogue texts in the reader's language, one per field, shown next to the field. The
register's own models (QuestionFields, AnswerFields) have the last word; these checks only say
what is wrong in plain words before they are asked."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from api.i18n import Translator
from registry.obligations.models import ActionItem, AmoParticipation, ReassessmentPatch
from registry.organizations.models import Committee
from registry.questions.models import AnswerFields, QuestionFields, QuestionKind
from registry.systems.models import SYSTEM_FIELD_NAMES, Category, DataCategory, Status
from registry.systems.queries import SystemFilter
from registry.systems.search import words_of

TEXT_MAX = 10_000  # LongText in registry/fields.py
REF_MAX = 200  # Text in registry/fields.py
QUERY_MAX = 200
TRUE_VALUES = frozenset({"1", "on", "true", "yes"})


class Values(dict[str, Any]):
    """Submitted values by field name; a field not sent reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


class Errors(dict[str, str]):
    """Error messages by field name; a field without an error reads as None."""

    def __missing__(self, key: str) -> None:
        return None


@dataclass
class FormState:
    values: Values = field(default_factory=Values)
    errors: Errors = field(default_factory=Errors)


def text_of(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _text_problem(text: str, t: Translator, *, limit: int = TEXT_MAX) -> str | None:
    if not text:
        return t("invalid.text.required")
    if len(text) > limit:
        return t("invalid.text.too_long", max=t.number(limit))
    return None


# --- asking a question or sending a correction ----------------------------------------------------


def read_question(form: Mapping[str, Any], t: Translator) -> tuple[FormState, QuestionFields | None]:
    state = FormState(
        Values(
            kind=text_of(form, "kind") or "question", text=text_of(form, "text"), field=text_of(form, "field")
        )
    )
    values, errors = state.values, state.errors
    if values["kind"] not in {kind.value for kind in QuestionKind}:
        errors["kind"] = t("invalid.choice")
    if problem := _text_problem(values["text"], t):
        errors["text"] = problem
    if values["field"] and values["field"] not in SYSTEM_FIELD_NAMES:
        errors["field"] = t("invalid.choice")
    elif values["kind"] == QuestionKind.correction and not values["field"]:
        errors["field"] = t("invalid.field.required")
    if errors:
        return state, None
    try:
        fields = QuestionFields(
            kind=values["kind"], text=values["text"], fields=[values["field"]] if values["field"] else []
        )
    except ValidationError:
        errors["text"] = t("invalid.text.required")
        return state, None
    return state, fields


# --- answering a question -------------------------------------------------------------------------


def read_answer(form: Mapping[str, Any], t: Translator) -> tuple[FormState, AnswerFields | None]:
    state = FormState(
        Values(
            text=text_of(form, "text"),
            committee=text_of(form, "committee"),
            minutes_ref=text_of(form, "minutes_ref"),
        )
    )
    values, errors = state.values, state.errors
    if problem := _text_problem(values["text"], t):
        errors["text"] = problem
    if values["committee"] and values["committee"] not in {c.value for c in Committee}:
        errors["committee"] = t("invalid.choice")
    if len(values["minutes_ref"]) > REF_MAX:
        errors["minutes_ref"] = t("invalid.minutes_ref.too_long", max=REF_MAX)
    if errors:
        return state, None
    try:
        fields = AnswerFields(
            text=values["text"],
            committee=values["committee"] or None,
            minutes_ref=values["minutes_ref"] or None,
        )
    except ValidationError:
        errors["text"] = t("invalid.text.required")
        return state, None
    return state, fields


# --- completing an APV revision -------------------------------------------------------------------

ACTION_ROWS = 3
"""Rows offered for the action plan (a page without scripts cannot add rows)."""


def read_apv_completion(form: Mapping[str, Any], t: Translator) -> tuple[FormState, ReassessmentPatch | None]:
    """An APV revision completed: the day, whether the AMO took part (and who), what was found and the
    action plan. The model has the last word; a row of the plan is all or nothing."""
    values = Values(
        completed_on=text_of(form, "completed_on"),
        amo=text_of(form, "amo"),
        participants=text_of(form, "participants"),
        amo_description=text_of(form, "amo_description"),
        findings=text_of(form, "findings"),
    )
    items = []
    for index in range(ACTION_ROWS):
        row = {part: text_of(form, f"action.{index}.{part}") for part in ("description", "owner", "deadline")}
        values[f"action.{index}"] = row
        if any(row.values()):
            items.append(row)
    state = FormState(values)
    errors = state.errors
    if values["amo"] not in ("yes", "no"):
        errors["amo"] = t("invalid.apv.amo")
    if values["completed_on"]:
        try:
            date.fromisoformat(values["completed_on"])
        except ValueError:
            errors["completed_on"] = t("invalid.date")
    for row in items:
        if not all(row.values()):
            errors["action"] = t("invalid.apv.action_row")
        elif not _is_day(row["deadline"]):
            errors["action"] = t("invalid.date")
    if len(values["findings"]) > TEXT_MAX:
        errors["findings"] = t("invalid.text.too_long", max=t.number(TEXT_MAX))
    if errors:
        return state, None
    participants = [line.strip() for line in values["participants"].splitlines() if line.strip()]
    try:
        patch = ReassessmentPatch(
            status="completed",
            completed_on=values["completed_on"] or None,
            amo_participation=AmoParticipation(
                participated=values["amo"] == "yes",
                participants=participants,
                description=values["amo_description"] or None,
            ),
            findings=values["findings"] or None,
            action_items=[ActionItem.model_validate(row) for row in items],
        )
    except ValidationError:
        errors["form"] = t("invalid.value")
        return state, None
    return state, patch


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


# --- the register's filters -----------------------------------------------------------------------

FILTER_CHOICES: dict[str, frozenset[str]] = {
    "category": frozenset(c.value for c in Category),
    "status": frozenset(s.value for s in Status),
    "data_category": frozenset(d.value for d in DataCategory),
}
FILTER_FIELDS = ("q", "category", "status", "unit_id", "data_category", "monitoring", "high_risk", "findings")


def read_filters(
    query: Mapping[str, Any], unit_ids: frozenset[str], t: Translator
) -> tuple[FormState, SystemFilter | None]:
    """The register's filters from the query string. `unit_ids`: the units the reader may filter by."""
    values = Values(
        {name: text_of(query, name) for name in ("q", "category", "status", "unit_id", "data_category")}
    )
    for name in ("monitoring", "high_risk", "findings"):
        values[name] = text_of(query, name).lower() in TRUE_VALUES
    state = FormState(values)
    errors = state.errors
    if len(values["q"]) > QUERY_MAX:
        errors["q"] = t("filter.error.q", max=QUERY_MAX)
    elif values["q"] and not words_of(values["q"]):
        errors["q"] = t("filter.error.q_words")
    for name, allowed in FILTER_CHOICES.items():
        if values[name] and values[name] not in allowed:
            errors[name] = t("filter.error.choice")
    if values["unit_id"]:
        try:
            values["unit_id"] = str(uuid.UUID(values["unit_id"]))
        except ValueError:
            errors["unit_id"] = t("filter.error.choice")
        else:
            if values["unit_id"] not in unit_ids:
                errors["unit_id"] = t("filter.error.choice")
    if errors:
        return state, None
    return state, SystemFilter(
        q=values["q"] or None,
        category=values["category"] or None,
        status=values["status"] or None,
        unit_id=values["unit_id"] or None,
        data_category=values["data_category"] or None,
        monitoring=True if values["monitoring"] else None,
        risk_class="high_risk" if values["high_risk"] else None,
        open_findings=True if values["findings"] else None,
    )


def filter_query(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The filters as query parameters, as the form would send them (for paging links)."""
    pairs: list[tuple[str, str]] = []
    for name in FILTER_FIELDS:
        value = values.get(name)
        if value is True:
            pairs.append((name, "1"))
        elif isinstance(value, str) and value:
            pairs.append((name, value))
    return pairs


__all__ = [
    "ACTION_ROWS",
    "FILTER_FIELDS",
    "REF_MAX",
    "TEXT_MAX",
    "Errors",
    "FormState",
    "Values",
    "filter_query",
    "read_answer",
    "read_apv_completion",
    "read_filters",
    "read_question",
]
