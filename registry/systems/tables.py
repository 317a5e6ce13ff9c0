"""Piccolo tables of AI systems and their history. Never returned from the API: services turn rows into
models."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    Array,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from registry.organizations.tables import Organization


class AISystem(Table, tablename="ai_system"):
    """The current version of each AI system. Filterable fields are copied out of `document` into
    columns so lists filter in SQL; `document` holds every stated field as JSON."""

    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=False, index=True)
    version = Integer(default=1)
    document = JSON()
    name = Varchar(length=200)
    status = Varchar(length=16, index=True)
    category = Varchar(length=32)
    control_measure = Boolean(default=False)
    risk_class = Varchar(length=16)
    data_categories = Array(base_column=Varchar(length=32))
    unit_ids = Array(base_column=Varchar(length=36))
    search_text = Text()
    # The product card the system was filled in from (document.product_card_id): who to tell when it changes.
    product_card_id = Varchar(length=36, null=True, default=None, index=True)
    # Microseconds since the epoch: integers sort and compare the same on SQLite and PostgreSQL,
    # which timestamps stored as text on SQLite do not. sort_key never changes (stable pagination).
    sort_key = BigInt(index=True)
    changed_us = BigInt(index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    created_by = Varchar(length=200)
    updated_by = Varchar(length=200)


class SystemRevision(Table, tablename="system_revision"):
    """One immutable row per version of an AI system. Nothing updates or deletes these rows."""

    id = UUID(primary_key=True)
    system = ForeignKey(references=AISystem, null=False, index=True)
    version = Integer()
    document = JSON()
    changed_fields = JSON()
    # The material-change rules the change fired (registry/obligations/materiality.py); empty: not material.
    material_reasons = JSON(default="[]")
    change_note = Text(null=True, default=None)
    author = Varchar(length=200)
    created_at = Timestamptz()
    # The day the change took effect at the workplace (stated by the employer; by default the day it was
    # recorded). Every rule reasons with this date, never with created_at.
    effective_at = Date(null=True, default=None)


class SystemRecord(Table, tablename="system_record"):
    """One entry of a system's notices, consultations or workers' information (registry/systems/
    records.py). Append-only: nothing updates or deletes these rows."""

    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=False)
    system = ForeignKey(references=AISystem, null=False, index=True)
    kind = Varchar(length=24)
    number = Integer()  # 1, 2, ... per system, in the order recorded
    document = JSON()
    covers_version = Integer(null=True, default=None)
    replaces = UUID(null=True, default=None)
    recorded_at = Timestamptz()
    recorded_by = Varchar(length=200)


__all__ = ["AISystem", "SystemRecord", "SystemRevision"]
