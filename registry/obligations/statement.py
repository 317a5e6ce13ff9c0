"""The written account (skriftlig redegørelse) of one AI system: everything the employer tells the
employee side about it, gathered in one plain structure for a renderer (shared/domain.md §2: purpose,
data, access, storage, use and changes; the notices, consultations and information of the workers;
the questions on record).

Who may read it is decided exactly as for the system itself: another organization's system, or one
outside a unit-limited steward's units, is NotFound."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from registry.access import Actor
from registry.clock import parse_iso, utcnow
from registry.errors import NotFound
from registry.obligations.apv import list_reassessments
from registry.obligations.findings import list_system_findings
from registry.organizations.tables import Organization, Unit
from registry.products.service import card_versions
from registry.systems.history import field_changes
from registry.systems.record_service import entries_of
from registry.systems.tables import AISystem, SystemRevision
from registry.systems.visibility import visible_system


@dataclass(frozen=True)
class OrganizationFacts:
    id: str
    name: str
    sector: str
    cooperation_body: str
    notice_period_days: int
    employer_type: str | None = None


@dataclass(frozen=True)
class UnitFacts:
    id: str
    name: str
    committee: str | None


@dataclass(frozen=True)
class FindingFacts:
    rule_id: str
    severity: str  # info | warning | violation
    message: dict[str, Any]  # a key of the catalogues and its values (rules/engine.py Message)
    source: str
    opened_at: datetime


@dataclass(frozen=True)
class ActionItemFacts:
    description: str
    owner: str
    deadline: date


@dataclass(frozen=True)
class ReassessmentFacts:
    unit_id: str | None  # None: the whole organization
    status: str  # open | completed
    overdue: bool
    reasons: tuple[str, ...]  # material-change rule ids
    opened_version: int
    opened_at: datetime
    due_date: date
    completed_at: datetime | None
    amo_participated: bool | None  # None: not stated yet
    amo_participants: tuple[str, ...]
    findings: str | None
    action_items: tuple[ActionItemFacts, ...]
    id: str = ""  # the reassessment's id (GET /apv-reassessments/{id})


@dataclass(frozen=True)
class FieldChange:
    field: str  # "purpose", or "notice.given_at" for a key of a nested object
    old: Any
    new: Any


@dataclass(frozen=True)
class RevisionFacts:
    version: int
    author: str
    created_at: datetime
    change_note: str | None
    changed_fields: tuple[str, ...]
    material_reasons: tuple[str, ...]
    changes: tuple[FieldChange, ...]  # from the version before (version 1: from nothing)
    effective_at: date | None = None  # the day it took effect; None: the day it was recorded

    @property
    def effective(self) -> date:
        return self.effective_at or self.created_at.date()


@dataclass(frozen=True)
class Statement:
    system: dict[str, Any]  # the current document, as GET /systems/{id} returns it
    organization: OrganizationFacts
    units: dict[str, UnitFacts]  # every unit of the organization, by id (to name the system's units)
    findings: tuple[FindingFacts, ...]  # open, most severe first
    reassessments: tuple[ReassessmentFacts, ...]  # due first
    revisions: tuple[RevisionFacts, ...]  # newest first
    generated_at: datetime
    # The histories of notices, consultations and workers' information, oldest first, as the API
    # lists them (registry/systems/record_service.py).
    entries: tuple[dict[str, Any], ...] = ()
    # The questions on record with their answers, as the API lists them (newest first). The questions
    # package builds on this one, so the caller adds them (api/controllers/statement.py).
    questions: tuple[dict[str, Any], ...] = ()
    # The product cards the system and its versions name (product_card_id), by id: vendor and product.
    products: dict[str, str] = field(default_factory=dict)

    def history(self, kind: str) -> list[dict[str, Any]]:
        """The entries of one history that stand (no later entry replaces them), oldest first. Without
        any entries, the system's own notice, consultation and workers_informed_at stand for them."""
        if not self.entries:
            return [entry for entry in _from_document(self.system) if entry["kind"] == kind]
        replaced = {entry.get("replaces") for entry in self.entries if entry.get("replaces")}
        return [e for e in self.entries if e["kind"] == kind and e["id"] not in replaced]


def _from_document(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A document's own notice, consultation and workers_informed_at as entries of their histories."""
    entries: list[dict[str, Any]] = []
    notice = document.get("notice") or {}
    if notice:
        exception = None
        if notice.get("exception_reason") or notice.get("late_notice_at"):
            exception = {
                "reason": notice.get("exception_reason"),
                "late_notice_at": notice.get("late_notice_at"),
            }
        entries.append({"kind": "notice", "id": "notice", **notice, "exception": exception})
    if document.get("consultation"):
        entries.append({"kind": "consultation", "id": "consultation", **document["consultation"]})
    if document.get("workers_informed_at"):
        entries.append(
            {
                "kind": "worker_information",
                "id": "workers",
                "party": "workers",
                "informed_at": document["workers_informed_at"],
            }
        )
    return entries


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else parse_iso(str(value))


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _finding(view: dict[str, Any]) -> FindingFacts:
    return FindingFacts(
        rule_id=view["rule_id"],
        severity=view["severity"],
        message=view["message"],
        source=view["source"],
        opened_at=parse_iso(view["opened_at"]),
    )


def _reassessment(view: dict[str, Any]) -> ReassessmentFacts:
    amo = view.get("amo_participation") or {}
    return ReassessmentFacts(
        id=view["id"],
        unit_id=view["unit_id"],
        status=view["status"],
        overdue=bool(view["overdue"]),
        reasons=tuple(view["reasons"]),
        opened_version=view["opened_version"],
        opened_at=parse_iso(view["opened_at"]),
        due_date=date.fromisoformat(view["due_date"]),
        completed_at=parse_iso(view["completed_at"]) if view["completed_at"] else None,
        amo_participated=amo.get("participated") if amo else None,
        amo_participants=tuple(amo.get("participants") or ()),
        findings=view["findings"],
        action_items=tuple(
            ActionItemFacts(
                description=item["description"],
                owner=item["owner"],
                deadline=date.fromisoformat(item["deadline"]),
            )
            for item in view["action_items"]
        ),
    )


def _history(rows: list[dict[str, Any]]) -> tuple[RevisionFacts, ...]:
    """Each version with its field-level changes from the one before, newest first."""
    revisions = []
    previous: dict[str, Any] | None = None
    for row in rows:  # oldest first
        document = _loads(row["document"])
        revisions.append(
            RevisionFacts(
                version=row["version"],
                author=row["author"],
                created_at=_moment(row["created_at"]),
                change_note=row["change_note"],
                changed_fields=tuple(_loads(row["changed_fields"]) or ()),
                material_reasons=tuple(_loads(row["material_reasons"]) or ()),
                changes=tuple(FieldChange(**change) for change in field_changes(previous, document)),
                effective_at=_day(row.get("effective_at")),
            )
        )
        previous = document
    return tuple(reversed(revisions))


async def system_statement(actor: Actor, system_id: str) -> Statement:
    """The written account of a system, as the actor may read it."""
    key, org_id = await visible_system(actor, system_id)
    row = await AISystem.select(AISystem.document).where(AISystem.id == key).first()
    org = await Organization.select().where(Organization.id == uuid.UUID(org_id)).first()
    if row is None or org is None:
        raise NotFound("AI system not found.")
    document = _loads(row["document"])
    # Revisions up to the version read, so a change made meanwhile cannot make the history run ahead
    # of the document it explains.
    revisions = (
        await SystemRevision.select(
            SystemRevision.version,
            SystemRevision.author,
            SystemRevision.created_at,
            SystemRevision.change_note,
            SystemRevision.changed_fields,
            SystemRevision.material_reasons,
            SystemRevision.document,
            SystemRevision.effective_at,
        )
        .where((SystemRevision.system == key) & (SystemRevision.version <= document["version"]))
        .order_by(SystemRevision.version)
    )
    units = await Unit.select(Unit.id, Unit.name, Unit.committee).where(
        Unit.organization == uuid.UUID(org_id)
    )
    findings = await list_system_findings(actor, system_id)
    entries = (await entries_of([key])).get(str(key), [])
    reassessments = await list_reassessments(actor, org_id, system_id=str(key))
    return Statement(
        system=document,
        organization=OrganizationFacts(
            id=org_id,
            name=org["name"],
            sector=org["sector"],
            cooperation_body=org["cooperation_body"],
            notice_period_days=org["notice_period_days"],
            employer_type=org["employer_type"],
        ),
        units={
            str(unit["id"]): UnitFacts(id=str(unit["id"]), name=unit["name"], committee=unit["committee"])
            for unit in units
        },
        findings=tuple(_finding(view) for view in findings),
        reassessments=tuple(_reassessment(view) for view in reassessments),
        revisions=_history(revisions),
        generated_at=utcnow(),
        entries=tuple(entries),
        products=await _product_names([document, *(_loads(r["document"]) for r in revisions)]),
    )


async def _product_names(documents: list[Any]) -> dict[str, str]:
    ids = sorted(
        {str(d["product_card_id"]) for d in documents if isinstance(d, dict) and d.get("product_card_id")}
    )
    return {card_id: card["name"] for card_id, card in (await card_versions(ids)).items()}


__all__ = [
    "ActionItemFacts",
    "FieldChange",
    "FindingFacts",
    "OrganizationFacts",
    "ReassessmentFacts",
    "RevisionFacts",
    "Statement",
    "UnitFacts",
    "system_statement",
]
