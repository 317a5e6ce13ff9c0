"""The register as rows of a spreadsheet: one column per field of an AI system, in the order of the
model, nested fields flattened (`ai_act.risk_class`). The export writes these rows; the import reads
them back. Presentation (headings in the reader's language, the file format) is the API's.

A cell holds a text, a number, a yes/no, a date or nothing. Lists are written as their items joined
by "; " (units by name); vocabularies by their codes; the two fields that hold lists of records
(`access`, `data_subjects`) as compact JSON."""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel

from registry.access import Actor
from registry.organizations.units import list_units
from registry.pagination import MAX_LIMIT
from registry.systems.models import SystemFields
from registry.systems.queries import SystemFilter, list_systems

SEPARATOR = "; "
KEY_COLUMNS = ("id", "version")
"""First in every row: which system and which version a row of an export is (an import's `if_match`)."""


@dataclass(frozen=True)
class Column:
    key: str  # "name", "ai_act.risk_class"
    kind: str  # text, int, number, bool, date, choice, choices, list, units, json, key
    choices: tuple[str, ...] = ()

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))


def _unwrapped(annotation: Any) -> Any:
    """The type inside Annotated[...] and `X | None`."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(inner) == 1:
            return _unwrapped(inner[0])
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_enum(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, enum.Enum)


_SCALARS = {bool: "bool", int: "int", float: "number", date: "date"}


def _list_leaf(key: str, item: Any) -> Column:
    if _is_model(item):
        return Column(key, "json")
    if _is_enum(item):
        return Column(key, "choices", tuple(member.value for member in item))
    return Column(key, "list")


def _leaf(key: str, annotation: Any) -> Column:
    origin = typing.get_origin(annotation)
    if key == "unit_ids":
        column = Column(key, "units")
    elif origin is list:
        column = _list_leaf(key, _unwrapped(typing.get_args(annotation)[0]))
    elif origin is dict:
        column = Column(key, "json")
    elif origin is typing.Literal:
        column = Column(key, "choice", tuple(str(v) for v in typing.get_args(annotation)))
    elif _is_enum(annotation):
        column = Column(key, "choice", tuple(member.value for member in annotation))
    else:
        column = Column(key, _SCALARS.get(annotation, "text"))
    return column


def _columns(model: type[BaseModel], prefix: str = "") -> list[Column]:
    found = []
    for name, field in model.model_fields.items():
        annotation = _unwrapped(field.annotation)
        if _is_model(annotation):
            found.extend(_columns(annotation, f"{prefix}{name}."))
        else:
            found.append(_leaf(prefix + name, annotation))
    return found


COLUMNS: tuple[Column, ...] = (
    Column("id", "key"),
    Column("version", "key"),
    *_columns(SystemFields),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)


def _get(document: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = document
    for name in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


def _cell(column: Column, value: Any, unit_names: Mapping[str, str]) -> Any:
    if value is None or value in ([], {}):
        return None
    if column.kind == "units":
        return SEPARATOR.join(unit_names.get(str(unit), str(unit)) for unit in value)
    if column.kind in ("list", "choices"):
        return SEPARATOR.join(str(item) for item in value)
    if column.kind == "json":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if column.kind == "date":
        return date.fromisoformat(str(value)[:10])
    return value


def row_of(document: Mapping[str, Any], unit_names: Mapping[str, str]) -> dict[str, Any]:
    """A stored system (its API representation) as one row: column key -> cell."""
    return {column.key: _cell(column, _get(document, column.path), unit_names) for column in COLUMNS}


async def register_rows(actor: Actor, org_id: str) -> list[dict[str, Any]]:
    """Every system of the organization the actor may see (a steward limited to units: those), as
    rows, in the order of the register's list (newest first)."""
    unit_names = {str(unit["id"]): str(unit["name"]) for unit in await list_units(actor, org_id)}
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await list_systems(actor, org_id, SystemFilter(), limit=MAX_LIMIT, cursor=cursor)
        rows.extend(row_of(json.loads(item), unit_names) for item in page.items)
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


__all__ = ["COLUMNS", "COLUMN_KEYS", "Column", "register_rows", "row_of"]
