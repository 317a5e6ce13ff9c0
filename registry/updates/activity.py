"""What happened in an organization's register in a period, and what of it one member may see.

An organization's activity is read once (a handful of queries, whatever the number of its members);
each member's view of it keeps what that member may read, exactly as the API decides it: a steward
limited to units sees the systems touching those units (and the units below them) and the systems with
no units; the answers are those to the member's own questions."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from registry.access import Actor, touches, unit_scope
from registry.obligations.findings import stored_message
from registry.obligations.tables import SystemFinding
from registry.organizations.tables import Organization
from registry.organizations.units import unit_parents
from registry.questions.tables import Answer
from registry.systems.tables import AISystem, SystemRevision
from registry.updates.deadlines import Deadline, organization_deadlines

APV_AHEAD_DAYS = 30
"""APV revisions due within this many days (or overdue) are in a digest."""
PLANS_AHEAD_DAYS = 56
"""Notice deadlines and planned go-lives within this many days (8 weeks) are in a digest."""


@dataclass(frozen=True)
class SystemNews:
    """One version of a system recorded in the period."""

    system_id: str
    system_name: str
    version: int
    at: datetime
    registered: bool  # version 1
    retired: bool  # this version retired the system
    changed_fields: tuple[str, ...]
    material_reasons: tuple[str, ...]
    change_note: str | None


@dataclass(frozen=True)
class SystemSummary:
    """What happened to one system in a member's period: its versions folded into one line."""

    system_id: str
    system_name: str
    at: datetime  # the latest version's time
    version: int  # the latest version
    changed_fields: tuple[str, ...]
    material_reasons: tuple[str, ...]
    change_notes: tuple[str, ...]

    @property
    def material(self) -> bool:
        return bool(self.material_reasons)


@dataclass(frozen=True)
class FindingNews:
    finding_id: str
    system_id: str
    system_name: str
    rule_id: str
    severity: str
    message: dict[str, Any]  # a catalogue key and its values, as the finding keeps it
    at: datetime  # opened or resolved then
    resolved: bool


@dataclass(frozen=True)
class AnswerNews:
    answer_id: str
    question_id: str
    system_id: str
    system_name: str
    asked_by: str
    question: str
    answer: str
    at: datetime


@dataclass(frozen=True)
class MemberView:
    """What one member hears about: the period's news and the days ahead, as they may see them."""

    organization_id: str
    organization_name: str
    since: datetime
    until: datetime
    today: date
    registered: tuple[SystemSummary, ...]
    changed: tuple[SystemSummary, ...]  # material changes first, then by time
    retired: tuple[SystemSummary, ...]
    findings_opened: tuple[FindingNews, ...]
    findings_resolved: tuple[FindingNews, ...]
    answers: tuple[AnswerNews, ...]
    apv_due: tuple[Deadline, ...]  # open, due within 30 days or overdue
    plans: tuple[Deadline, ...]  # notice deadlines and planned go-lives within 8 weeks

    @property
    def quiet(self) -> bool:
        """Nothing happened (days ahead alone are no news: a digest is sent only with news)."""
        return not (
            self.registered
            or self.changed
            or self.retired
            or self.findings_opened
            or self.findings_resolved
            or self.answers
        )


@dataclass
class Activity:
    """An organization's news from `since` to `until`, and its open deadlines."""

    organization_id: str
    organization_name: str
    since: datetime
    until: datetime
    today: date
    systems: dict[str, tuple[str, tuple[str, ...]]]  # id -> (name, unit ids)
    parents: dict[str, str | None]  # unit id -> parent unit id
    versions: list[SystemNews] = field(default_factory=list)
    findings: list[FindingNews] = field(default_factory=list)
    answers: list[AnswerNews] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)

    def visible_systems(self, actor: Actor) -> set[str] | None:
        """The systems the actor may see; None: all of them."""
        scope = unit_scope(actor, self.parents)
        if scope is None:
            return None
        return {key for key, (_, units) in self.systems.items() if touches(units, scope)}

    def news_for(
        self, actor: Actor, since: datetime
    ) -> tuple[list[SystemNews], list[FindingNews], list[AnswerNews], list[Deadline]]:
        """The versions, findings and answers from `since` (not before this activity's own start),
        and the open deadlines, that `actor` may see."""
        since = max(since, self.since)
        seen = self.visible_systems(actor)

        def shown(system_id: str) -> bool:
            return seen is None or system_id in seen

        return (
            [v for v in self.versions if since <= v.at < self.until and shown(v.system_id)],
            [f for f in self.findings if since <= f.at < self.until and shown(f.system_id)],
            [
                a
                for a in self.answers
                if since <= a.at < self.until and a.asked_by == actor.sub and shown(a.system_id)
            ],
            [d for d in self.deadlines if shown(d.system_id)],
        )

    def for_member(self, actor: Actor, since: datetime) -> MemberView:
        """A digest's content: the news from `since` that `actor` may see, and the days ahead."""
        versions, findings, answers, ahead = self.news_for(actor, since)
        registered, changed, retired = _fold(versions)
        return MemberView(
            organization_id=self.organization_id,
            organization_name=self.organization_name,
            since=max(since, self.since),
            until=self.until,
            today=self.today,
            registered=registered,
            changed=changed,
            retired=retired,
            findings_opened=tuple(f for f in findings if not f.resolved),
            findings_resolved=tuple(f for f in findings if f.resolved),
            answers=tuple(answers),
            apv_due=tuple(
                d for d in ahead if d.kind == "apv" and d.day <= self.today + timedelta(days=APV_AHEAD_DAYS)
            ),
            plans=tuple(
                d
                for d in ahead
                if d.kind in ("notice", "go_live")
                and self.today <= d.day <= self.today + timedelta(days=PLANS_AHEAD_DAYS)
            ),
        )


def _fold(versions: list[SystemNews]) -> tuple[tuple[SystemSummary, ...], ...]:
    """Each system's versions of the period as one line: registered (whatever followed), retired, or
    changed; material changes first."""
    by_system: dict[str, list[SystemNews]] = {}
    for version in sorted(versions, key=lambda v: (v.at, v.version)):
        by_system.setdefault(version.system_id, []).append(version)
    registered, changed, retired = [], [], []
    for group in by_system.values():
        last = group[-1]
        summary = SystemSummary(
            system_id=last.system_id,
            system_name=last.system_name,
            at=last.at,
            version=last.version,
            changed_fields=tuple(dict.fromkeys(f for v in group for f in v.changed_fields)),
            material_reasons=tuple(dict.fromkeys(r for v in group for r in v.material_reasons)),
            change_notes=tuple(v.change_note for v in group if v.change_note),
        )
        if any(v.registered for v in group):
            registered.append(summary)
        elif any(v.retired for v in group):
            retired.append(summary)
        else:
            changed.append(summary)
    changed.sort(key=lambda s: (not s.material, s.at))
    return tuple(registered), tuple(changed), tuple(retired)


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def organization_activity(org_id: str, since: datetime, until: datetime, today: date) -> Activity:
    """Read an organization's news from `since` to `until` and its open deadlines (as of `today`)."""
    key = uuid.UUID(org_id)
    org = await Organization.select(Organization.name).where(Organization.id == key).first()
    systems = {
        str(row["id"]): (row["name"], tuple(row["unit_ids"] or ()))
        for row in await AISystem.select(AISystem.id, AISystem.name, AISystem.unit_ids).where(
            AISystem.organization == key
        )
    }
    activity = Activity(
        organization_id=org_id,
        organization_name=org["name"] if org else "",
        since=since,
        until=until,
        today=today,
        systems=systems,
        parents=await unit_parents(org_id),
    )
    if not systems:
        return activity
    window = (SystemRevision.created_at >= since) & (SystemRevision.created_at < until)
    for row in await SystemRevision.select(
        SystemRevision.system,
        SystemRevision.version,
        SystemRevision.created_at,
        SystemRevision.changed_fields,
        SystemRevision.material_reasons,
        SystemRevision.change_note,
        SystemRevision.document,
    ).where((SystemRevision.system.organization == key) & window):
        changed = tuple(_loads(row["changed_fields"]) or ())
        system_id = str(row["system"])
        activity.versions.append(
            SystemNews(
                system_id=system_id,
                system_name=systems.get(system_id, ("", ()))[0],
                version=row["version"],
                at=row["created_at"],
                registered=row["version"] == 1,
                retired="status" in changed and _loads(row["document"]).get("status") == "retired",
                changed_fields=changed,
                material_reasons=tuple(_loads(row["material_reasons"]) or ()),
                change_note=row["change_note"],
            )
        )
    opened = (SystemFinding.opened_at >= since) & (SystemFinding.opened_at < until)
    resolved = (SystemFinding.resolved_at >= since) & (SystemFinding.resolved_at < until)
    for row in await SystemFinding.select(
        SystemFinding.id,
        SystemFinding.system,
        SystemFinding.rule_id,
        SystemFinding.severity,
        SystemFinding.message,
        SystemFinding.message_da,
        SystemFinding.message_en,
        SystemFinding.opened_at,
        SystemFinding.resolved_at,
    ).where((SystemFinding.organization == key) & (opened | resolved)):
        system_id = str(row["system"])
        for at, is_resolved in ((row["opened_at"], False), (row["resolved_at"], True)):
            if at is not None and since <= at < until:
                activity.findings.append(
                    FindingNews(
                        finding_id=str(row["id"]),
                        system_id=system_id,
                        system_name=systems.get(system_id, ("", ()))[0],
                        rule_id=row["rule_id"],
                        severity=row["severity"],
                        message=stored_message(row),
                        at=at,
                        resolved=is_resolved,
                    )
                )
    for row in await Answer.select(
        Answer.id,
        Answer.question.id.as_alias("question_id"),
        Answer.question.system.as_alias("system"),
        Answer.question.asked_by.as_alias("asked_by"),
        Answer.question.text.as_alias("question"),
        Answer.text,
        Answer.answered_at,
    ).where(
        (Answer.question.organization == key) & (Answer.answered_at >= since) & (Answer.answered_at < until)
    ):
        system_id = str(row["system"])
        activity.answers.append(
            AnswerNews(
                answer_id=str(row["id"]),
                question_id=str(row["question_id"]),
                system_id=system_id,
                system_name=systems.get(system_id, ("", ()))[0],
                asked_by=row["asked_by"],
                question=row["question"],
                answer=row["text"],
                at=row["answered_at"],
            )
        )
    activity.deadlines = await organization_deadlines(org_id, today)
    return activity


__all__ = [
    "APV_AHEAD_DAYS",
    "PLANS_AHEAD_DAYS",
    "Activity",
    "AnswerNews",
    "FindingNews",
    "MemberView",
    "SystemNews",
    "SystemSummary",
    "organization_activity",
]
