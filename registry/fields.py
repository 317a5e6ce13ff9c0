"""Field types every feature's documents share: bounded, stripped text without NUL characters, unit
ids, and the strict base model that rejects unknown fields."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

from registry.errors import FieldProblem


def no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text or JSON, and no person means one: refuse it everywhere.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _unit_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise ValueError("is not a unit id") from exc


def _record_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise ValueError("is not an id") from exc


EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)


OUT_OF_RANGE = f"must lie between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}"


def days_out_of_range(value: Any, path: str = "") -> list[FieldProblem]:
    """Every date in a model (nested models, lists and mappings included) outside 1900-01-01 to
    2199-12-31, by its field path. A typo such as 0202 or 20205 is well-formed, but no workplace fact
    the rules could reason with: the services refuse it as a contradiction (422), naming the field."""
    if isinstance(value, date):
        return [] if EARLIEST_DAY <= value <= LATEST_DAY else [FieldProblem(path or "date", OUT_OF_RANGE)]
    if isinstance(value, BaseModel):
        items: Iterable[tuple[Any, Any]] = ((name, getattr(value, name)) for name in type(value).model_fields)
    elif isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return []
    problems: list[FieldProblem] = []
    for key, inner in items:
        inner_path = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else str(key)
        problems += days_out_of_range(inner, inner_path)
    return problems


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(no_nul)
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), AfterValidator(no_nul)
]
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(no_nul)]


def _whole_number(value: Any) -> Any:
    # Checked before any conversion (the API's validation is lax, and would read "12" as 12).
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number, written as a JSON number")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number, written as a JSON number")
    return value


Count = Annotated[int, BeforeValidator(_whole_number)]
"""A whole number as JSON writes one: "12" is text and true is a truth value, neither is a count."""
Amount = Annotated[float, BeforeValidator(_number)]
"""A number as JSON writes one (whole or not); text and truth values are refused."""
Day = date
"""A calendar day the register reasons with; the services refuse one outside 1900-01-01 to 2199-12-31
(days_out_of_range)."""
UnitId = Annotated[str, StringConstraints(max_length=64), AfterValidator(_unit_id)]
RecordId = Annotated[str, StringConstraints(max_length=64), AfterValidator(_record_id)]
"""The id (a UUID) of another record of the register, such as a product card."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)
