"""The form of an AI system for employer admins: one control per field of the register, in the
groups a steward reads them (views.FIELD_GROUPS), read back into the fields the API takes.

The controls are the spreadsheet's columns (registry/systems/sheet.py), so a form and an import
read a value the same way (registry/systems/imports.parse_cells); the register's own model has the
last word, and its reasons are shown next to each field in the reader's language (pages/reasons.py).
Lists of records get controls of their own: who has access (a row per role) and whose data each
kind of data is (the data subjects per category)."""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ValidationError

from api.i18n import Translator
from api.pages.forms import Errors, Values, text_of
from api.pages.reasons import field_reason, pydantic_reason
from api.pages.views import FIELD_GROUPS, capitalised
from api.statement.view import VOCABULARY_OF, Words
from registry.errors import FieldProblem
from registry.fields import days_out_of_range
from registry.systems.consistency import contradictions
from registry.systems.imports import Vocabulary, column_of, parse_cells
from registry.systems.models import AccessScope, DataCategory, DataSubject, SystemFields
from registry.systems.sheet import COLUMNS, Column

FORM_VOCABULARY = Vocabulary(yes_no={"true": True, "false": False})
GROUP_IDS = tuple(group for group, _ in FIELD_GROUPS)
GROUP_FIELDS: dict[str, tuple[str, ...]] = dict(FIELD_GROUPS)
SPARE_ACCESS_ROWS = 2
"""Empty rows offered under the roles already stated (a page without scripts cannot add rows)."""
MAX_ACCESS_ROWS = 100  # SystemFields.access
TEXT_LIMIT = 200  # Text in registry/fields.py: longer texts get a text area


def _options(annotation: Any) -> tuple[Any, ...]:
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(a for a in typing.get_args(annotation) if a is not type(None))
    return (annotation,)


def _max_length(info: Any) -> int | None:
    """The longest text a field takes (its StringConstraints): on the field itself (`LongText`), or
    inside `X | None`."""
    for meta in info.metadata:
        if getattr(meta, "max_length", None) is not None:
            return int(meta.max_length)
    for option in _options(info.annotation):
        for meta in getattr(option, "__metadata__", ()):
            if getattr(meta, "max_length", None) is not None:
                return int(meta.max_length)
    return None


def _field_info(column: Column) -> Any:
    model: type[BaseModel] = SystemFields
    info = None
    for name in column.path:
        info = model.model_fields[name]
        inner = [o for o in _options(info.annotation) if isinstance(o, type) and issubclass(o, BaseModel)]
        if inner:
            model = inner[0]
    return info


@dataclass(frozen=True)
class Control:
    key: str  # the column key, also the control's name: "name", "ai_act.risk_class"
    kind: str  # text, textarea, int, number, bool, date, choice, choices, list, units, access, data_subjects
    label: str
    required: bool = False
    maxlength: int | None = None
    options: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        return "f-" + self.key.replace(".", "-").replace("_", "-")


@dataclass(frozen=True)
class FieldBlock:
    """One field of the register: a single control, or (a group such as `dpia`) several."""

    name: str
    label: str
    why: str
    controls: tuple[Control, ...]

    @property
    def grouped(self) -> bool:
        return len(self.controls) > 1 or self.controls[0].kind in (
            "choices",
            "units",
            "access",
            "data_subjects",
        )


@dataclass(frozen=True)
class FormGroup:
    id: str
    title: str
    fields: tuple[FieldBlock, ...]


@dataclass
class SystemForm:
    """What the form shows: its groups, the values as written, the reason next to each field."""

    groups: list[FormGroup]
    values: Values = field(default_factory=Values)
    errors: Errors = field(default_factory=Errors)


def _required(column: Column) -> bool:
    return len(column.path) == 1 and SystemFields.model_fields[column.key].is_required()


def _choice_options(column: Column, words: Words) -> tuple[tuple[str, str], ...]:
    vocabulary = VOCABULARY_OF[column.key]
    return tuple((code, capitalised(words.term(vocabulary, code))) for code in column.choices)


def _terms(vocabulary: str, codes: Any, words: Words) -> tuple[tuple[str, str], ...]:
    return tuple((code.value, capitalised(words.term(vocabulary, code.value))) for code in codes)


def _control(column: Column, words: Words, units: Sequence[tuple[str, str]]) -> Control:
    label = words.label(column.key)
    required = _required(column)
    if column.key == "access":
        return Control(column.key, "access", label, options=_terms("scope", AccessScope, words))
    if column.key == "data_subjects":
        return Control(column.key, "data_subjects", label, options=_terms("data_subject", DataSubject, words))
    if column.key == "product_card_id":  # a card of the catalogue (Words.products), by its name
        cards = tuple(sorted(words.products.items(), key=lambda card: card[1].casefold()))
        return Control(column.key, "choice", label, options=cards)
    kind, limit = column.kind, None
    options: tuple[tuple[str, str], ...] = ()
    if column.kind == "text":
        limit = _max_length(_field_info(column))
        kind = "textarea" if limit and limit > TEXT_LIMIT else "text"
    elif column.kind == "bool":
        options = (("true", words("value.yes")), ("false", words("value.no")))
    elif column.kind in ("choice", "choices"):
        options = _choice_options(column, words)
    elif column.kind == "units":
        options = tuple(units)
    return Control(column.key, kind, label, required, limit, options)


def form_groups(group_ids: Sequence[str], words: Words, units: Sequence[tuple[str, str]]) -> list[FormGroup]:
    """The groups' controls, labelled in the reader's language. `units`: (id, name) to choose from."""
    t = words.t
    groups = []
    for group in group_ids:
        blocks = []
        for name in GROUP_FIELDS[group]:
            columns = [c for c in COLUMNS if c.path[0] == name]
            controls = tuple(_control(c, words, units) for c in columns)
            blocks.append(FieldBlock(name, words.label(name), t(f"why.{name}"), controls))
        groups.append(FormGroup(group, t(f"fields.group.{group}"), tuple(blocks)))
    return groups


def category_options(words: Words) -> list[tuple[str, str]]:
    """The kinds of data, in words: the rows of "whose data is it"."""
    return [(c.value, capitalised(words.term("data_category", c.value))) for c in DataCategory]


def _get(document: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = document
    for name in path:
        value = value.get(name) if isinstance(value, Mapping) else None
    return value


_SHOWN = {
    "bool": lambda value: "true" if value else "false",
    "list": lambda value: "\n".join(str(item) for item in value),
    "choices": lambda value: [str(item) for item in value],
    "units": lambda value: [str(item) for item in value],
    "date": lambda value: str(value)[:10],
}


def _shown(column: Column, value: Any) -> Any:
    """A stored value as its control shows it."""
    if column.key in ("access", "data_subjects"):
        return value or ([] if column.key == "access" else {})
    if value is None:
        return [] if column.kind in ("choices", "units") else ""
    return _SHOWN.get(column.kind, str)(value)


def values_of(document: Mapping[str, Any], groups: Sequence[FormGroup]) -> Values:
    """A stored system's values, as the form's controls show them."""
    values = Values()
    for group in groups:
        for block in group.fields:
            for control in block.controls:
                column = next(c for c in COLUMNS if c.key == control.key)
                values[control.key] = _shown(column, _get(document, column.path))
    return values


def _access_rows(form: Mapping[str, Any]) -> list[dict[str, str]]:
    rows = []
    for index in range(MAX_ACCESS_ROWS + SPARE_ACCESS_ROWS):
        row = {part: text_of(form, f"access.{index}.{part}") for part in ("role", "scope", "purpose")}
        if f"access.{index}.role" not in form:
            break
        rows.append(row)
    return rows


def _getall(form: Any, name: str) -> list[str]:
    getter = getattr(form, "getall", None)
    found = getter(name, []) if getter is not None else form.get(name, [])
    found = found if isinstance(found, list) else [found]
    return [item.strip() for item in found if isinstance(item, str) and item.strip()]


def posted_values(form: Any, groups: Sequence[FormGroup]) -> Values:
    """What was sent, as the controls show it again on a form that is not accepted."""
    values = Values()
    for group in groups:
        for block in group.fields:
            for control in block.controls:
                if control.kind == "access":
                    values[control.key] = [row for row in _access_rows(form) if any(row.values())]
                elif control.kind == "data_subjects":
                    values[control.key] = {
                        category.value: chosen
                        for category in DataCategory
                        if (chosen := _getall(form, f"data_subjects.{category.value}"))
                    }
                elif control.kind in ("choices", "units"):
                    values[control.key] = _getall(form, control.key)
                else:
                    raw = form.get(control.key)
                    values[control.key] = raw.replace("\r\n", "\n").strip() if isinstance(raw, str) else ""
    return values


def _cells(values: Values, controls: Sequence[Control], errors: Errors, t: Translator) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for control in controls:
        value = values[control.key]
        if control.kind == "access":
            incomplete = [row for row in value if not (row["role"] and row["scope"])]
            if incomplete:
                errors[control.key] = t("invalid.access.row")
            cells[control.key] = json.dumps(value) if value else None
        elif control.kind == "data_subjects":
            cells[control.key] = json.dumps(value) if value else None
        elif control.kind == "list":
            cells[control.key] = [line for line in value.split("\n") if line.strip()]
        else:
            cells[control.key] = value
    return cells


def _clean_access(document: dict[str, Any]) -> None:
    for row in document.get("access") or []:
        if isinstance(row, dict) and not row.get("purpose"):
            row.pop("purpose", None)


def _default(name: str) -> Any:
    info = SystemFields.model_fields[name]
    return None if info.is_required() else info.get_default(call_default_factory=True)


def error_key(key: str, groups: Sequence[FormGroup]) -> str:
    """The control a problem of field `key` is shown at: the control itself, or its field's."""
    keys = {control.key for group in groups for block in group.fields for control in block.controls}
    while key and key not in keys:
        key = key.rpartition(".")[0]
    return key or "form"


def read_system_form(
    form: Any,
    groups: Sequence[FormGroup],
    stored: Mapping[str, Any],
    units: Sequence[tuple[str, str]],
    words: Words,
) -> tuple[SystemForm, dict[str, Any] | None]:
    """The groups' fields as sent: the changes to make (every field of the groups, replaced whole),
    or None and the reason next to each field that cannot be accepted. `stored`: the system as it
    is (empty for a new one), which the rest of its fields keep."""
    t = words.t
    state = SystemForm(list(groups), posted_values(form, groups))
    controls = [control for group in groups for block in group.fields for control in block.controls]
    cells = _cells(state.values, controls, state.errors, t)
    document, problems = parse_cells(cells, FORM_VOCABULARY, {unit_id: unit_id for unit_id, _ in units})
    _clean_access(document)
    for key, reason in problems:
        state.errors.setdefault(error_key(key, groups), field_reason(reason, t, words.label))
    names = [block.name for group in groups for block in group.fields]
    changes = {name: document.get(name, _default(name)) for name in names}
    merged = {name: stored.get(name) for name in SystemFields.model_fields if name in stored} | changes
    for name in names:
        if name not in document and SystemFields.model_fields[name].is_required():
            merged.pop(name)  # left empty: "fill in this field", never the stored value
    try:
        fields = SystemFields.model_validate(merged)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            key = error_key(column_of(error["loc"]), groups)
            state.errors.setdefault(key, pydantic_reason(error, t))
    else:
        # What the services would refuse beyond the model, shown with the rest in one go.
        show_problems(
            state, days_out_of_range(fields) + contradictions(fields.model_dump(mode="json")), groups, words
        )
    return state, None if state.errors else changes


def show_problems(
    state: SystemForm, problems: Sequence[FieldProblem], groups: Sequence[FormGroup], words: Words
) -> None:
    """The services' problems (dates that contradict each other, units, the effective date) next to
    the fields they name."""
    for problem in problems:
        path = problem.field.replace("[", ".[").split(".")
        key = problem.field if problem.field in ("effective_at", "material") else column_of(path)
        target = key if key in ("effective_at", "material") else error_key(key, groups)
        state.errors.setdefault(target, field_reason(problem.reason, words.t, words.label))


__all__ = [
    "GROUP_FIELDS",
    "GROUP_IDS",
    "Control",
    "FieldBlock",
    "FormGroup",
    "SystemForm",
    "category_options",
    "error_key",
    "form_groups",
    "posted_values",
    "read_system_form",
    "show_problems",
    "values_of",
]
