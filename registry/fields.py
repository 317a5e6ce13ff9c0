"""Field types every feature's documents share: bounded, stripped text without NUL characters, unit
ids, and the strict base model that rejects unknown fields."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints


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


EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)


def _plausible_day(value: date) -> date:
    # A typo such as 0202 or 20205 is caught here, before a rule reasons with it.
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"must lie between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}")
    return value


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(no_nul)
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), AfterValidator(no_nul)
]
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(no_nul)]
Day = Annotated[date, AfterValidator(_plausible_day)]
"""A calendar day the register reasons with: 1900-01-01 to 2199-12-31."""
UnitId = Annotated[str, StringConstraints(max_length=64), AfterValidator(_unit_id)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)
