"""AI-system schemas: read, create, update, plus list pages, revisions and diffs."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from registry.fields import Day, NoteText, Strict
from registry.systems.models import DataCategory, SystemFields

ChangeNote = Field(default=None, description="Why this change was made (kept in history).")
EffectiveAt = Field(
    default=None,
    description="The day the change took effect at the workplace (default: today). It may lie in the "
    "past, even before the system was first recorded, for a history entered afterwards; never in the "
    "future. Every rule reasons with this date.",
)
Material = Field(
    default=False,
    description="The employer judges the change material even where no rule of the register does "
    "(material reason `stated_material`): it opens an APV revision like any material change.",
)


class AISystem(SystemFields):
    """One AI system as registered now. `special_categories` is derived from `data_categories`."""

    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    version: int
    special_categories: list[DataCategory]
    created_at: datetime
    updated_at: datetime


class AISystemCreate(SystemFields):
    change_note: NoteText | None = ChangeNote
    effective_at: Day | None = EffectiveAt


def _optional(field: FieldInfo) -> tuple[Any, FieldInfo]:
    """The same field, optional: its constraints stay on the value, so `null` passes and anything
    else is checked as before."""
    info = copy.copy(field)
    info.default = None
    info.default_factory = None
    annotation: Any = field.annotation
    if field.metadata:
        annotation = Annotated[annotation, *field.metadata]
        info.metadata = []
    return Optional[annotation], info  # noqa: UP045 - the annotation is a runtime value here


if TYPE_CHECKING:

    class AISystemUpdate(Strict):
        change_note: NoteText | None
        effective_at: Day | None
        material: bool

else:
    # Every field optional: a PATCH names only what changes; each named top-level field is replaced whole.
    AISystemUpdate = create_model(
        "AISystemUpdate",
        __base__=Strict,
        __doc__="Fields to change. Named top-level fields are replaced as a whole; omitted ones stay.",
        change_note=(NoteText | None, ChangeNote),
        effective_at=(Day | None, EffectiveAt),
        material=(bool, Material),
        **{name: _optional(field) for name, field in SystemFields.model_fields.items()},
    )


class AISystemPage(BaseModel):
    items: list[AISystem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class RevisionSummary(BaseModel):
    version: int
    author: str = Field(description="`sub` of the token that made the change.")
    created_at: datetime
    change_note: str | None
    changed_fields: list[str]
    material_reasons: list[str] = Field(
        description="Why the change is material (it then opens an APV revision); empty: not material."
    )
    effective_at: date = Field(description="The day the change took effect at the workplace.")


class Revision(RevisionSummary):
    document: AISystem


class FieldChange(BaseModel):
    field: str = Field(description="Field name; nested fields as 'notice.given_at'.")
    old: Any
    new: Any


class RevisionDiff(BaseModel):
    system_id: str
    from_version: int | None
    to_version: int
    changes: list[FieldChange]
