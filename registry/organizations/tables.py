"""Piccolo tables of employers and their units. Never returned from the API: services turn rows into
models."""

from __future__ import annotations

from typing import Any

from piccolo.columns import (
    UUID,
    ForeignKey,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Organization(Table, tablename="organization"):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    cvr = Varchar(length=8, unique=True)
    sector = Varchar(length=16)
    # private | municipal | regional | state: which cooperation agreements apply (None: an organization
    # registered before it was asked; its sector is then all the rules know).
    employer_type = Varchar(length=16, null=True, default=None)
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


__all__ = ["Organization", "Unit"]
