"""What a list of AI systems needs to flag at a glance, for a page of systems at a time: the number
of open findings and the open APV reassessments of each. Two queries per page, whatever its size."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from registry.access import Actor, require_register_reader
from registry.clock import utcnow
from registry.obligations.tables import ApvReassessment, SystemFinding


@dataclass(frozen=True)
class SystemFlags:
    open_findings: int = 0
    apv_due: date | None = None  # the earliest due date of an open APV reassessment
    apv_overdue: bool = False


async def system_flags(
    actor: Actor, org_id: str, system_ids: Iterable[str], *, today: date | None = None
) -> dict[str, SystemFlags]:
    """Flags of the organization's systems among `system_ids` (ids of other organizations' systems
    are ignored). Systems with nothing to flag are absent."""
    require_register_reader(actor, org_id)
    keys = [uuid.UUID(system_id) for system_id in system_ids]
    if not keys:
        return {}
    org = uuid.UUID(org_id)
    today = today or utcnow().date()
    findings = await SystemFinding.select(SystemFinding.system).where(
        (SystemFinding.organization == org)
        & SystemFinding.system.is_in(keys)
        & (SystemFinding.status == "open")
    )
    counts: dict[str, int] = {}
    for row in findings:
        counts[str(row["system"])] = counts.get(str(row["system"]), 0) + 1
    reassessments = await ApvReassessment.select(ApvReassessment.system, ApvReassessment.due_date).where(
        (ApvReassessment.organization == org)
        & ApvReassessment.system.is_in(keys)
        & (ApvReassessment.status == "open")
    )
    due: dict[str, date] = {}
    for row in reassessments:
        key = str(row["system"])
        if key not in due or row["due_date"] < due[key]:
            due[key] = row["due_date"]
    return {
        key: SystemFlags(
            open_findings=counts.get(key, 0),
            apv_due=due.get(key),
            apv_overdue=key in due and due[key] < today,
        )
        for key in counts.keys() | due.keys()
    }


__all__ = ["SystemFlags", "system_flags"]
