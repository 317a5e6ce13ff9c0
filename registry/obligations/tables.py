"""Piccolo tables of what the rules require of AI systems: APV reassessments and compliance findings."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from registry.organizations.tables import Organization
from registry.systems.tables import AISystem


class ApvReassessment(Table, tablename="apv_reassessment"):
    """An APV reassessment (arbejdsmiljøloven §15a) of one AI system for one unit (no unit: the whole
    organization), opened by a material change and completed by the employer with the working-environment
    organisation (AMO) taking part. At most one is open per system and unit."""

    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=False, index=True)
    system = ForeignKey(references=AISystem, null=False, index=True)
    unit_id = Varchar(length=36, null=True, default=None)
    status = Varchar(length=16)  # open | completed | cancelled (the system was retired)
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
    cancelled_reason = Text(null=True, default=None)


class SystemFinding(Table, tablename="system_finding"):
    """A compliance finding of one AI system, kept while its rule holds: opened when the rule starts to
    hold, resolved (never deleted) when it stops."""

    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=False, index=True)
    system = ForeignKey(references=AISystem, null=False, index=True)
    rule_id = Varchar(length=64)
    severity = Varchar(length=16)
    # What the finding says: a key of the catalogues and the values it puts in words
    # (registry/obligations/rules/engine.py Message), read in the reader's language when shown.
    message = JSON(default="{}")
    # What a finding kept by an earlier release said, in each language: its values cannot be read back
    # out of the sentences, so they are kept and shown as they were until it is restated. Empty for the
    # findings opened since.
    message_da = Text(default="")
    message_en = Text(default="")
    source = Text()
    fields = JSON()
    status = Varchar(length=16)  # open | resolved
    opened_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)


__all__ = ["ApvReassessment", "SystemFinding"]
