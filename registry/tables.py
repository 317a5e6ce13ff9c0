"""Piccolo tables of the register. Never returned from the API: services turn rows into models."""

from __future__ import annotations

from typing import Any

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


class Organization(Table, tablename="organization"):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    cvr = Varchar(length=8, unique=True)
    sector = Varchar(length=16)
    cooperation_body = Varchar(length=16)
    notice_period_days = Integer(default=42)
    maturity_level = Varchar(length=32, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Unit(Table, tablename="unit"):
    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=False, index=True)
    name = Varchar(length=200)
    parent: ForeignKey[Any] = ForeignKey(references="self", null=True, default=None)
    committee = Varchar(length=16, null=True, default=None)
    headcount = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


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
    # The material-change rules the change fired (registry/rules/materiality.py); empty: not material.
    material_reasons = JSON(default="[]")
    change_note = Text(null=True, default=None)
    author = Varchar(length=200)
    created_at = Timestamptz()


class ApvReassessment(Table, tablename="apv_reassessment"):
    """An APV reassessment (arbejdsmiljøloven §15a) of one AI system for one unit (no unit: the whole
    organization), opened by a material change and completed by the employer with the working-environment
    organisation (AMO) taking part. At most one is open per system and unit."""

    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=False, index=True)
    system = ForeignKey(references=AISystem, null=False, index=True)
    unit_id = Varchar(length=36, null=True, default=None)
    status = Varchar(length=16)  # open | completed
    reasons = JSON()  # the material-change rules that opened it
    opened_version = Integer()
    opened_at = Timestamptz()
    due_date = Date()
    completed_at = Timestamptz(null=True, default=None)
    completed_by = Varchar(length=200, null=True, default=None)
    amo_participation = JSON(null=True, default=None)
    findings = Text(null=True, default=None)
    action_items = JSON()
    updated_at = Timestamptz()


class SystemFinding(Table, tablename="system_finding"):
    """A compliance finding of one AI system, kept while its rule holds: opened when the rule starts to
    hold, resolved (never deleted) when it stops."""

    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=False, index=True)
    system = ForeignKey(references=AISystem, null=False, index=True)
    rule_id = Varchar(length=64)
    severity = Varchar(length=16)
    message_da = Text()
    message_en = Text()
    source = Text()
    fields = JSON()
    status = Varchar(length=16)  # open | resolved
    opened_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)


__all__ = ["AISystem", "ApvReassessment", "Organization", "SystemFinding", "SystemRevision", "Unit"]
