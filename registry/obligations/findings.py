"""Compliance findings of AI systems: computed by the pure rules of registry/obligations/rules/, kept
while a rule holds, and recomputed on every change (in its transaction) and daily (dates pass: a
notice period runs out, an effective date of the AI Act arrives). Each finding that appears or goes
away is an event."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from typing import Any

from registry import schedules
from registry.access import Actor, require_register_reader, require_register_writer
from registry.clock import iso, utcnow
from registry.db import dialect_of, write_transaction
from registry.errors import NotFound
from registry.events import Event, EventType, emit
from registry.obligations.rules import Change, Context, Finding, evaluate
from registry.obligations.settings import RuleSettings
from registry.obligations.tables import ApvReassessment, SystemFinding
from registry.organizations.service import organization_exists
from registry.organizations.tables import Organization
from registry.products.service import card_versions
from registry.systems.models import special_categories_of
from registry.systems.record_service import entries_of
from registry.systems.tables import AISystem, SystemRevision
from registry.systems.visibility import system_scope, visible_system

log = logging.getLogger("airegistry.findings")
SEVERITIES = ("violation", "warning", "info")
_settings: RuleSettings | None = None


def rule_settings() -> RuleSettings:
    """The dates and periods the rules use (AIREG_RULES_*), read once per process."""
    global _settings  # noqa: PLW0603 - read once, then kept
    if _settings is None:
        _settings = RuleSettings()
    return _settings


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


YIELD_EVERY = 50
"""A recompute hands the event loop back after this many systems (about 12 ms of work)."""


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "system_id": str(row["system"]),
        "organization_id": str(row["organization"]),
        "rule_id": row["rule_id"],
        "severity": row["severity"],
        "message": stored_message(row),
        "source": row["source"],
        "fields": _loads(row["fields"]) or [],
        "status": row["status"],
        "opened_at": iso(row["opened_at"]),
        "resolved_at": iso(row["resolved_at"]) if row["resolved_at"] else None,
    }


def stored_message(row: dict[str, Any]) -> dict[str, Any]:
    """A finding's message as kept (a catalogue key and its values), from its row."""
    return dict(_loads(row["message"]) or _earlier_text(row))


def _earlier_text(row: dict[str, Any]) -> dict[str, Any]:
    """A finding kept before messages were keys: its sentences as they were (empty: nothing to say)."""
    if row.get("message_da") or row.get("message_en"):
        return {"text": {"da": row["message_da"], "en": row["message_en"]}}
    return {}


def _as_day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # raw queries on SQLite give dates back as text


async def _material_changes(system_keys: list[uuid.UUID]) -> dict[str, list[Change]]:
    """The material changes of each system after its registration, oldest first, with the day each
    took effect (a revision recorded before changes had one took effect the day it was recorded)."""
    if not system_keys:
        return {}
    dialect = dialect_of(SystemRevision._meta.db)
    reasons = '"material_reasons"' if dialect.sqlite else '"material_reasons"::text'
    placeholders = ", ".join(["{}"] * len(system_keys))
    rows = await SystemRevision.raw(
        # Only fixed fragments are formatted in; the ids are bound parameters.
        f'SELECT "system", "version", "created_at", "effective_at", {reasons} AS "reasons" '  # noqa: S608
        f'FROM "system_revision" WHERE "version" > 1 AND {reasons} <> \'[]\' '
        f'AND "system" IN ({placeholders}) ORDER BY "system", "version"',
        *system_keys,
    )
    found: dict[str, list[Change]] = {}
    for row in rows:
        moment = row["effective_at"] or row["created_at"]
        change = Change(row["version"], _as_day(moment), tuple(_loads(row["reasons"])))
        found.setdefault(str(row["system"]), []).append(change)
    return found


def _latest(changes: list[Change]) -> date | None:
    days = [change.effective_at for change in changes if change.changes_what_it_does]
    return max(days) if days else None


async def apv_facts(system_ids: list[uuid.UUID], today: date) -> dict[str, dict[str, Any]]:
    """What the APV rules read, per system: an overdue open reassessment, the latest completion and
    whether the AMO took part."""
    if not system_ids:
        return {}
    rows = await ApvReassessment.select(
        ApvReassessment.system,
        ApvReassessment.status,
        ApvReassessment.due_date,
        ApvReassessment.completed_at,
        ApvReassessment.amo_participation,
    ).where(ApvReassessment.system.is_in(system_ids))
    facts: dict[str, dict[str, Any]] = {}
    for row in rows:
        fact = facts.setdefault(
            str(row["system"]), {"overdue": False, "last_completed": None, "without_amo": False}
        )
        if row["status"] == "open" and row["due_date"] < today:
            fact["overdue"] = True
        if row["status"] == "completed" and row["completed_at"] is not None:
            completed = row["completed_at"].date()
            if fact["last_completed"] is None or completed >= fact["last_completed"]:
                fact["last_completed"] = completed
                amo = _loads(row["amo_participation"]) or {}
                fact["without_amo"] = not amo.get("participated")
    return facts


async def _organization_facts(org_id: str) -> dict[str, Any]:
    org = (
        await Organization.select(
            Organization.sector,
            Organization.employer_type,
            Organization.cooperation_body,
            Organization.notice_period_days,
        )
        .where(Organization.id == uuid.UUID(org_id))
        .first()
    )
    if org is None:
        raise NotFound("Organization not found.")
    return dict(org)


async def rule_contexts(org_id: str, system_keys: list[uuid.UUID], today: date) -> dict[str, Context]:
    org = await _organization_facts(org_id)
    cards = await _cards_of(system_keys)
    materials = await _material_changes(system_keys)
    histories = await entries_of(system_keys)
    apv = await apv_facts(system_keys, today)
    settings = rule_settings()
    contexts = {}
    for key in system_keys:
        facts = apv.get(str(key), {})
        changes = materials.get(str(key), [])
        entries = histories.get(str(key), [])
        contexts[str(key)] = Context(
            today=today,
            sector=org["sector"],
            employer_type=org["employer_type"],
            cooperation_body=org["cooperation_body"],
            notice_period_days=org["notice_period_days"],
            changes=tuple(changes),
            notices=tuple(e for e in entries if e["kind"] == "notice"),
            consultations=tuple(e for e in entries if e["kind"] == "consultation"),
            worker_information=tuple(e for e in entries if e["kind"] == "worker_information"),
            latest_material_change=_latest(changes),
            apv_overdue=bool(facts.get("overdue")),
            apv_completed_without_amo=bool(facts.get("without_amo")),
            last_apv_completed=facts.get("last_completed"),
            product_cards=cards,
            settings=settings,
        )
    return contexts


async def _cards_of(system_keys: list[uuid.UUID]) -> dict[str, dict[str, Any]]:
    """The product cards these systems were filled in from, as the checks read them."""
    if not system_keys:
        return {}
    rows = await AISystem.select(AISystem.product_card_id).where(
        AISystem.id.is_in(system_keys) & AISystem.product_card_id.is_not_null()
    )
    return await card_versions(sorted({str(row["product_card_id"]) for row in rows}))


async def preview_findings(
    actor: Actor, org_id: str, stated: dict[str, Any], *, system_id: str | None = None
) -> list[Finding]:
    """What the checks would find in a system with the fields `stated` (SystemFields as JSON), before
    it is saved: a new system of the organization, or (`system_id`) a change of that one, with its
    histories and APV. Nothing is written; the employer fixes what it says first."""
    require_register_writer(actor, org_id)
    today = utcnow().date()  # as the recomputation reads it
    document = {
        **stated,
        "special_categories": special_categories_of(list(stated.get("data_categories") or [])),
    }
    cards = await card_versions([str(stated["product_card_id"])] if stated.get("product_card_id") else [])
    if system_id is not None:
        context = (await rule_contexts(org_id, [uuid.UUID(system_id)], today))[system_id]
        context = dataclasses.replace(context, product_cards=cards)
    else:
        org = await _organization_facts(org_id)
        context = Context(
            today=today,
            sector=org["sector"],
            employer_type=org["employer_type"],
            cooperation_body=org["cooperation_body"],
            notice_period_days=org["notice_period_days"],
            product_cards=cards,
            settings=rule_settings(),
        )
    return evaluate(document, context)


def _event(kind: EventType, org_id: str, row: dict[str, Any]) -> Event:
    return Event(
        type=kind,
        organization_id=org_id,
        data={
            "finding_id": str(row["id"]),
            "system_id": str(row["system"]),
            "rule_id": row["rule_id"],
            "severity": row["severity"],
        },
    )


async def _sync(
    org_id: str,
    system_key: uuid.UUID,
    computed: Iterable[Finding],
    existing: list[dict[str, Any]],
    now: datetime,
    opening: list[SystemFinding],
) -> tuple[int, int]:
    """Make the stored open findings of one system match the computed ones; returns (opened, resolved).
    The new findings are added to `opening`: the caller inserts them, for many systems at once."""
    wanted = {finding.rule_id: finding for finding in computed}
    current = {row["rule_id"]: row for row in existing}
    resolved = [row for rule, row in current.items() if rule not in wanted]
    if resolved:
        await SystemFinding.update({SystemFinding.status: "resolved", SystemFinding.resolved_at: now}).where(
            SystemFinding.id.is_in([row["id"] for row in resolved])
        )
        await emit(*(_event(EventType.finding_resolved, org_id, row) for row in resolved))
    for rule, finding in wanted.items():
        row = current.get(rule)
        message = finding.message.to_json()
        if row is not None and (row["severity"], _loads(row["message"])) != (finding.severity, message):
            # The same finding, restated (a warning became a violation on an effective date).
            await SystemFinding.update(
                {
                    SystemFinding.severity: str(finding.severity),
                    SystemFinding.message: json.dumps(message, ensure_ascii=False),
                }
            ).where(SystemFinding.id == row["id"])
    opened = [
        SystemFinding(
            id=uuid.uuid4(),
            organization=uuid.UUID(org_id),
            system=system_key,
            rule_id=rule,
            severity=str(finding.severity),
            message=json.dumps(finding.message.to_json(), ensure_ascii=False),
            source=finding.source,
            fields=json.dumps(list(finding.fields)),
            status="open",
            opened_at=now,
        )
        for rule, finding in wanted.items()
        if rule not in current
    ]
    opening.extend(opened)
    return len(opened), len(resolved)


INSERT_CHUNK = 500


async def _open(org_id: str, opening: list[SystemFinding]) -> None:
    """Insert new findings (in chunks of multi-row inserts) and tell subscribers of each, in order."""
    for start in range(0, len(opening), INSERT_CHUNK):
        await SystemFinding.insert(*opening[start : start + INSERT_CHUNK])
    if opening:
        await emit(
            *(
                _event(
                    EventType.finding_opened,
                    org_id,
                    {"id": row.id, "system": row.system, "rule_id": row.rule_id, "severity": row.severity},
                )
                for row in opening
            )
        )


async def _recompute(
    org_id: str,
    system_keys: list[uuid.UUID] | None,
    today: date,
    documents: dict[uuid.UUID, Any] | None = None,
) -> tuple[int, int]:
    """`documents`, when the caller has them (a change just wrote them), saves reading them again."""
    if documents is None:
        query = AISystem.select(AISystem.id, AISystem.document).where(
            AISystem.organization == uuid.UUID(org_id)
        )
        if system_keys is not None:
            query = query.where(AISystem.id.is_in(system_keys))
        if not dialect_of(AISystem._meta.db).sqlite:
            # A daily run can overlap another (the operator's command, a run taken over after its
            # lease lapsed), and changes recompute too: holding the systems' rows (in one order, so
            # two runs cannot deadlock) makes them take turns, each seeing the findings the one
            # before committed. SQLite's write lock already does that.
            query = query.order_by(AISystem.id).lock_rows()
        documents = {row["id"]: row["document"] for row in await query}  # each decoded when evaluated
    keys = list(documents)
    contexts = await rule_contexts(org_id, keys, today)
    stored = (
        await SystemFinding.select().where(
            SystemFinding.system.is_in(keys) & (SystemFinding.status == "open")
        )
        if keys
        else []
    )
    by_system: dict[str, list[dict[str, Any]]] = {}
    for row in stored:
        by_system.setdefault(str(row["system"]), []).append(row)
    now = utcnow()
    opened = resolved = 0
    opening: list[SystemFinding] = []
    for index, (key, document) in enumerate(documents.items(), 1):
        if index % YIELD_EVERY == 0:
            # Decoding and evaluating touch no database, so nothing else in the process would run
            # for the length of a large organization (about a second at 5,000 systems): let
            # requests in now and then.
            await asyncio.sleep(0)
        computed = evaluate(_loads(document), contexts[str(key)])
        o, r = await _sync(org_id, key, computed, by_system.get(str(key), []), now, opening)
        opened += o
        resolved += r
    await _open(org_id, opening)
    return opened, resolved


async def recompute_documents(org_id: str, documents: dict[uuid.UUID, Any]) -> None:
    """Recompute the findings of these systems of one organization, as just written, in one pass."""
    if documents:
        await _recompute(org_id, list(documents), utcnow().date(), documents)


async def recompute_system(
    system_id: str, *, document: dict[str, Any] | None = None, today: date | None = None
) -> None:
    """Recompute one system's findings. Call inside the transaction of the change, with the document
    it just wrote when it has it."""
    key = uuid.UUID(system_id)
    if document is None:
        row = (
            await AISystem.select(AISystem.organization, AISystem.document).where(AISystem.id == key).first()
        )
        if row is None:
            raise NotFound("AI system not found.")
        document = _loads(row["document"])
    await _recompute(str(document["organization_id"]), [key], today or utcnow().date(), {key: document})


async def recompute_organization(org_id: str, *, today: date | None = None) -> tuple[int, int]:
    """Recompute every system of an organization in one transaction; returns (opened, resolved)."""
    async with write_transaction(SystemFinding._meta.db):
        return await _recompute(org_id, None, today or utcnow().date())


RECOMPUTE_RUN = "findings-recompute"
"""The daily recompute's name in the scheduled_run table (registry/schedules/service.py)."""


async def recompute_all(
    *, today: date | None = None, between: Callable[[], Awaitable[None]] | None = None
) -> tuple[int, int]:
    """The daily run: every organization, one transaction each, each on its own: one that fails (data
    no rule can read) is logged and tried again once; the others carry on, and the run then fails naming
    how many failed, so the next run takes it up again. `between` is awaited after each organization
    (the scheduled run renews its claim there)."""
    opened = resolved = 0
    failed: list[str] = []
    for row in await Organization.select(Organization.id):
        org_id = str(row["id"])
        for attempt in (1, 2):
            try:
                o, r = await recompute_organization(org_id, today=today)
            except Exception:
                log.exception(
                    "recomputing the findings of organization %s failed (attempt %d)", org_id, attempt
                )
                if attempt == 2:
                    failed.append(org_id)
                continue
            opened += o
            resolved += r
            break
        if between is not None:
            await between()
    if failed:
        raise RecomputeFailed(failed, opened, resolved)
    return opened, resolved


class RecomputeFailed(Exception):
    """Some organizations' findings could not be recomputed; the others were."""

    def __init__(self, organizations: list[str], opened: int, resolved: int) -> None:
        super().__init__(
            f"the findings of {len(organizations)} organization(s) could not be recomputed: "
            f"{', '.join(organizations)}; the others were ({recompute_result(opened, resolved)})"
        )
        self.organizations = organizations


def recompute_result(opened: int, resolved: int) -> str:
    return f"{opened} opened, {resolved} resolved"


async def _recompute_job(claim: schedules.Claim) -> str:
    return recompute_result(*await recompute_all(between=claim.renew))


async def recompute_when_due(
    interval_seconds: float, holder: str, *, today: date | None = None
) -> tuple[int, int] | None:
    """Runs the daily recompute if no process of the deployment has within `interval_seconds` (and
    none is running it now); (opened, resolved), or None when it was not due."""
    counts: list[tuple[int, int]] = []

    async def job(claim: schedules.Claim) -> str:
        counts.append(await recompute_all(today=today, between=claim.renew))
        return recompute_result(*counts[0])

    done = await schedules.run_when_due(RECOMPUTE_RUN, job, interval_seconds=interval_seconds, holder=holder)
    return None if done is None else counts[0]


async def keep_recomputing(interval_seconds: float, *, holder: str | None = None) -> None:
    """Until cancelled (the served app runs it): the daily recompute, once per deployment."""
    await schedules.keep_running(
        RECOMPUTE_RUN, _recompute_job, interval_seconds=interval_seconds, holder=holder
    )


async def list_system_findings(
    actor: Actor, system_id: str, *, status: str | None = "open"
) -> list[dict[str, Any]]:
    key, _ = await visible_system(actor, system_id)
    query = SystemFinding.select().where(SystemFinding.system == key)
    if status is not None:
        query = query.where(SystemFinding.status == status)
    return _ordered([_view(row) for row in await query])


async def list_organization_findings(
    actor: Actor,
    org_id: str,
    *,
    status: str | None = "open",
    severity: str | None = None,
    rule_id: str | None = None,
    system_id: str | None = None,
) -> list[dict[str, Any]]:
    require_register_reader(actor, org_id)
    if not await organization_exists(org_id):
        raise NotFound("Organization not found.")
    query = SystemFinding.select().where(SystemFinding.organization == uuid.UUID(org_id))
    for column, value in (
        (SystemFinding.status, status),
        (SystemFinding.severity, severity),
        (SystemFinding.rule_id, rule_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if system_id is not None:
        query = query.where(SystemFinding.system == uuid.UUID(system_id))
    rows = [_view(row) for row in await query]
    scope = await system_scope(actor, org_id)
    if scope is not None:
        rows = [row for row in rows if row["system_id"] in scope]
    return _ordered(rows)


def _ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most severe first, then the oldest."""
    return sorted(rows, key=lambda r: (SEVERITIES.index(r["severity"]), r["opened_at"], r["rule_id"]))
