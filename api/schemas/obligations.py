"""Schemas of the workplace obligations: APV reassessments, compliance findings, the overview."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.i18n import translator
from registry.obligations.models import ActionItem, AmoParticipation, ReassessmentPatch


class ApvReassessment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    system_id: str
    unit_id: str | None = Field(description="The unit it concerns; none: the whole organization.")
    status: Literal["open", "completed", "cancelled"] = Field(
        description="cancelled: the system was retired before the revision was completed."
    )
    reasons: list[str] = Field(
        description="The material-change rules that opened it, and those of later changes while it was open."
    )
    opened_version: int = Field(description="The version of the system whose change opened it.")
    opened_at: datetime
    due_date: date
    overdue: bool
    completed_at: datetime | None
    completed_by: str | None
    amo_participation: AmoParticipation | None
    findings: str | None
    action_items: list[ActionItem]
    updated_at: datetime
    cancelled_reason: str | None = Field(description="Why it was cancelled.")


class ApvReassessmentUpdate(ReassessmentPatch):
    """Record the reassessment; send `"status": "completed"` to complete it."""


class ComplianceFinding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    system_id: str
    organization_id: str
    rule_id: str
    severity: Literal["info", "warning", "violation"]
    message_da: str
    message_en: str
    source: str = Field(description="The legal source of the rule.")
    fields: list[str] = Field(description="The fields of the system the finding is about.")
    status: Literal["open", "resolved"]
    opened_at: datetime
    resolved_at: datetime | None

    @classmethod
    def of(cls, finding: dict[str, Any]) -> ComplianceFinding:
        """A finding as the register keeps it, with its message put in words in both languages."""
        fallback = f"rule.{finding['rule_id']}"
        words = {
            f"message_{lang}": translator(lang).message(finding["message"], fallback=fallback)
            for lang in ("da", "en")
        }
        return cls.model_validate({key: value for key, value in finding.items() if key != "message"} | words)


class Overview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: str
    systems: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    control_measures: int
    high_risk: int
    monitoring_or_control: int
    special_category_data: int
    fully_automated: int
    open_findings: dict[str, int] = Field(description="Open findings by severity.")
    apv_open: int
    apv_overdue: int
