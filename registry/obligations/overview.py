"""An organization at a glance: its systems by category and status, control measures, high-risk
systems, open findings by severity, and open and overdue APV reassessments."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

from registry.access import Actor, require_register_reader
from registry.clock import utcnow
from registry.errors import NotFound
from registry.obligations.tables import ApvReassessment, SystemFinding
from registry.organizations.service import organization_exists
from registry.systems.tables import AISystem
from registry.systems.visibility import system_scope


async def organization_overview(actor: Actor, org_id: str) -> dict[str, Any]:
    require_register_reader(actor, org_id)
    if not await organization_exists(org_id):
        raise NotFound("Organization not found.")
    org = uuid.UUID(org_id)
    scope = await system_scope(actor, org_id)
    systems = [
        row
        for row in await AISystem.select(
            AISystem.id, AISystem.status, AISystem.category, AISystem.control_measure, AISystem.risk_class,
            AISystem.document,
        ).where(AISystem.organization == org)
        if scope is None or str(row["id"]) in scope
    ]  # fmt: skip
    documents = [
        json.loads(r["document"]) if isinstance(r["document"], str) else r["document"] for r in systems
    ]
    findings = [
        row
        for row in await SystemFinding.select(SystemFinding.system, SystemFinding.severity).where(
            (SystemFinding.organization == org) & (SystemFinding.status == "open")
        )
        if scope is None or str(row["system"]) in scope
    ]
    today = utcnow().date()
    apv = [
        row
        for row in await ApvReassessment.select(ApvReassessment.system, ApvReassessment.due_date).where(
            (ApvReassessment.organization == org) & (ApvReassessment.status == "open")
        )
        if scope is None or str(row["system"]) in scope
    ]
    severities = Counter(row["severity"] for row in findings)
    return {
        "organization_id": org_id,
        "systems": len(systems),
        "by_status": dict(Counter(row["status"] for row in systems)),
        "by_category": dict(Counter(row["category"] for row in systems)),
        "control_measures": sum(1 for row in systems if row["control_measure"]),
        "high_risk": sum(1 for row in systems if row["risk_class"] == "high_risk"),
        "monitoring_or_control": sum(
            1 for row in systems if row["category"] == "monitoring" or row["control_measure"]
        ),
        "special_category_data": sum(1 for doc in documents if doc.get("special_categories")),
        "fully_automated": sum(1 for doc in documents if doc.get("automated_decision") == "fully_automated"),
        "open_findings": {
            severity: severities.get(severity, 0) for severity in ("violation", "warning", "info")
        },
        "apv_open": len(apv),
        "apv_overdue": sum(1 for row in apv if row["due_date"] < today),
    }
