"""Workplace obligations through the API: material changes open APV reassessments, findings follow
every change (and the passing of dates), and an organization's overview adds it all up."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from registry.clock import utcnow, workplace_today
from registry.obligations.findings import recompute_organization
from registry.obligations.tables import ApvReassessment, SystemFinding
from tests.support.world import API, World, system_body
from webhooks.tables import WebhookEvent

AMO = {"participated": True, "participants": ["AMR, Hjemmeplejen"], "description": "Drøftet i lokal-MED."}


def admin(world: World, org_index: int = 0) -> dict[str, str]:
    return world.headers("employer_admin", org_index)


async def register(world: World, **fields: Any) -> str:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems", json=system_body(**fields), headers=admin(world)
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def change(world: World, system_id: str, **fields: Any) -> httpx.Response:
    current = await world.client.get(f"{API}/systems/{system_id}", headers=admin(world))
    return await world.client.patch(
        f"{API}/systems/{system_id}",
        json=fields,
        headers={**admin(world), "If-Match": current.headers["etag"]},
    )


async def reassessments(
    world: World, query: str = "", role: str = "employer_admin", **token: Any
) -> list[Any]:
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/apv-reassessments{query}",
        headers=world.headers(role, 0, **token),
    )
    assert r.status_code == 200, r.text
    # The world's own systems are pilots, which opened revisions when they were registered.
    return [item for item in r.json() if item["system_id"] not in world.systems]


async def findings(world: World, system_id: str, query: str = "") -> list[dict[str, Any]]:
    r = await world.client.get(f"{API}/systems/{system_id}/findings{query}", headers=admin(world))
    assert r.status_code == 200, r.text
    return list(r.json())


async def rule_ids(world: World, system_id: str) -> set[str]:
    return {f["rule_id"] for f in await findings(world, system_id)}


async def events(kind: str, world: World | None = None) -> list[dict[str, Any]]:
    """The events of a kind; with `world`, leaving out those about the world's own systems."""
    rows = await WebhookEvent.select().where(WebhookEvent.type == kind).order_by(WebhookEvent.id)
    if world is None:
        return list(rows)
    return [row for row in rows if json.loads(row["payload"])["data"].get("system_id") not in world.systems]


# --- APV reassessments ----------------------------------------------------------------------------------


async def test_a_material_change_opens_one_reassessment_per_affected_unit(world: World) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/units", json={"name": "Køkkenet"}, headers=admin(world)
    )
    kitchen = r.json()["id"]
    system = await register(world, unit_ids=[world.units[0], kitchen], status="planned")
    assert await reassessments(world) == []  # a planned system is not yet material

    r = await change(world, system, status="in_use", change_note="Godkendt i MED")
    assert r.status_code == 200, r.text

    opened = await reassessments(world)
    assert {a["unit_id"] for a in opened} == {world.units[0], kitchen}
    for item in opened:
        assert item["system_id"] == system
        assert item["status"] == "open"
        assert item["reasons"] == ["went_into_use"]
        assert item["opened_version"] == 2
        assert date.fromisoformat(item["due_date"]) == workplace_today() + timedelta(days=30)
        assert item["overdue"] is False
    required = await events("apv.reassessment_required", world)
    assert len(required) == 2
    revisions = await world.client.get(f"{API}/systems/{system}/revisions", headers=admin(world))
    assert revisions.json()[0]["material_reasons"] == ["went_into_use"]
    assert revisions.json()[1]["material_reasons"] == []


async def test_a_system_without_units_gets_one_reassessment_for_the_whole_organization(world: World) -> None:
    await register(world, unit_ids=[], status="in_use")
    [whole] = await reassessments(world)
    assert whole["unit_id"] is None


async def test_no_second_reassessment_while_one_is_open(world: World) -> None:
    system = await register(world, status="in_use", unit_ids=[world.units[0]])
    r = await change(world, system, category="monitoring")
    assert r.status_code == 200
    assert len(await reassessments(world)) == 1
    assert len(await events("apv.reassessment_required", world)) == 1


async def test_changes_that_are_not_material_open_nothing(world: World) -> None:
    system = await register(world, status="in_use")
    before = await reassessments(world)
    r = await change(world, system, affected_headcount=12, data_categories=[])
    assert r.status_code == 200
    assert await reassessments(world) == before
    revisions = await world.client.get(f"{API}/systems/{system}/revisions", headers=admin(world))
    assert revisions.json()[0]["material_reasons"] == []


async def test_completing_needs_amo_participation_and_then_is_on_record(world: World) -> None:
    await register(world, status="in_use", unit_ids=[world.units[0]])
    [task] = await reassessments(world)
    url = f"{API}/apv-reassessments/{task['id']}"

    r = await world.client.patch(url, json={"status": "completed"}, headers=admin(world))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "amo_participation"

    plan = [{"description": "Kursus i det nye system", "owner": "Teamleder", "deadline": "2027-01-15"}]
    r = await world.client.patch(
        url, json={"action_items": plan, "findings": "Øget tidspres."}, headers=admin(world)
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "open"  # a draft, not yet completed

    r = await world.client.patch(
        url, json={"status": "completed", "amo_participation": AMO}, headers=admin(world)
    )
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "completed"
    assert done["completed_by"] == "test-employer_admin"
    assert done["amo_participation"]["participated"] is True
    assert done["action_items"] == plan
    assert done["findings"] == "Øget tidspres."
    [completed] = await events("apv.reassessment_completed")
    assert '"amo_participated":true' in completed["payload"]

    r = await world.client.patch(url, json={"findings": "Ændret bagefter."}, headers=admin(world))
    assert r.status_code == 409
    assert (await world.client.get(url, headers=admin(world))).json()["findings"] == "Øget tidspres."


async def test_bad_completion_input_names_the_field(world: World) -> None:
    await register(world, status="in_use")
    [task] = await reassessments(world)
    r = await world.client.patch(
        f"{API}/apv-reassessments/{task['id']}",
        json={"action_items": [{"description": "x", "owner": "y", "deadline": "soon"}]},
        headers=admin(world),
    )
    assert r.status_code == 400
    assert "action_items" in r.text


async def test_overdue_reassessments_are_flagged_filtered_and_found(world: World) -> None:
    system = await register(world, status="in_use")
    [task] = await reassessments(world)
    await ApvReassessment.update({ApvReassessment.due_date: utcnow().date() - timedelta(days=1)}).where(
        ApvReassessment.id == uuid.UUID(task["id"])
    )
    [late] = await reassessments(world, "?overdue=true")
    assert late["overdue"] is True
    assert await reassessments(world, "?overdue=false") == []
    assert await reassessments(world, "?status=completed") == []

    await recompute_organization(world.orgs[0])  # the daily run sees that the due date passed

    assert "apv.reassessment_overdue" in await rule_ids(world, system)


async def test_a_steward_reads_reassessments_but_cannot_complete_them(world: World) -> None:
    await register(world, status="in_use", unit_ids=[world.units[0]])
    [task] = await reassessments(world, role="steward")
    r = await world.client.patch(
        f"{API}/apv-reassessments/{task['id']}",
        json={"status": "completed", "amo_participation": AMO},
        headers=world.headers("steward", 0),
    )
    assert r.status_code == 403


async def test_a_steward_limited_to_units_sees_only_reassessments_of_systems_they_see(world: World) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/units", json={"name": "Rengøring"}, headers=admin(world)
    )
    elsewhere = r.json()["id"]
    await register(world, name="Rengøringsplan", status="in_use", unit_ids=[elsewhere])
    mine = await register(world, name="Besøgsplan", status="in_use", unit_ids=[world.units[0]])

    seen = await reassessments(world, role="steward", units=[world.units[0]])
    assert [a["system_id"] for a in seen] == [mine]
    hidden = next(a for a in await reassessments(world) if a["system_id"] != mine)
    r = await world.client.get(
        f"{API}/apv-reassessments/{hidden['id']}", headers=world.headers("steward", 0, units=[world.units[0]])
    )
    assert r.status_code == 404


# --- findings ----------------------------------------------------------------------------------------


async def test_findings_open_and_resolve_with_the_changes_that_cause_them(world: World) -> None:
    system = await register(world, control_measure=True, status="planned", go_live_at="2027-06-01")
    [notice] = [f for f in await findings(world, system) if f["rule_id"] == "control_measure.notice_missing"]
    assert notice["status"] == "open"
    # Each language writes the dates and the notice period its own way.
    assert "1. juni 2027" in notice["message_da"]
    assert "42 dage" in notice["message_da"]
    assert "1 June 2027" in notice["message_en"]
    assert notice["source"]
    assert "notice.given_at" in notice["fields"]
    opened = [e for e in await events("finding.opened") if notice["id"] in e["payload"]]
    assert len(opened) == 1

    r = await change(world, system, notice={"given_at": "2027-01-04", "audience": "Alle chauffører"})
    assert r.status_code == 200, r.text

    assert "control_measure.notice_missing" not in await rule_ids(world, system)
    [resolved] = [f for f in await findings(world, system, "?status=resolved") if f["id"] == notice["id"]]
    assert resolved["resolved_at"] is not None
    assert any(notice["id"] in e["payload"] for e in await events("finding.resolved"))


async def test_a_warning_becomes_a_violation_when_its_effective_date_passes(world: World) -> None:
    system = await register(
        world,
        status="in_use",
        category="generative_assistant",
        ai_act={"publishes_generated_content": True},
        usage_policy={"ai_content_labelled": False},
    )
    before = date(2026, 8, 1)
    await recompute_organization(world.orgs[0], today=before)
    [disclosure] = [f for f in await findings(world, system) if f["rule_id"] == "ai_act.disclosure_missing"]
    assert disclosure["severity"] == "warning"

    await recompute_organization(world.orgs[0], today=date(2026, 8, 2))

    [same] = [f for f in await findings(world, system) if f["rule_id"] == "ai_act.disclosure_missing"]
    assert same["id"] == disclosure["id"]  # the same finding, restated: no new one
    assert same["severity"] == "violation"


async def test_daily_runs_of_two_processes_at_once_open_each_finding_once(world: World) -> None:
    """Every `airegistry serve` runs the daily recompute; runs that overlap (and changes during them)
    take the systems' rows in turn, so no finding is opened twice."""
    systems = [await register(world, control_measure=True, status="in_use") for _ in range(3)]
    expected = {s: sorted(f["rule_id"] for f in await findings(world, s)) for s in systems}
    assert all(expected.values())
    # As if the rules had just begun to hold: no open findings stored, the next run opens them.
    await SystemFinding.delete().where(SystemFinding.organization == uuid.UUID(world.orgs[0]))

    await asyncio.gather(*(recompute_organization(world.orgs[0]) for _ in range(4)))

    assert {s: sorted(f["rule_id"] for f in await findings(world, s)) for s in systems} == expected


async def test_a_retired_system_is_only_asked_to_delete_its_data_and_its_apv_revisions_close(
    world: World,
) -> None:
    system = await register(world, control_measure=True, status="in_use", data_categories=["location"])
    assert len(await findings(world, system)) > 1
    [revision] = [a for a in await reassessments(world) if a["system_id"] == system]
    r = await change(world, system, status="retired")
    assert r.status_code == 200
    assert [f["rule_id"] for f in await findings(world, system)] == ["gdpr.data_not_deleted"]
    r = await change(world, system, data_deleted_at=utcnow().date().isoformat())
    assert r.status_code == 200
    assert await findings(world, system) == []
    [cancelled] = [a for a in await reassessments(world) if a["id"] == revision["id"]]
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelled_reason"]
    r = await world.client.patch(
        f"{API}/apv-reassessments/{revision['id']}", json={"findings": "x"}, headers=admin(world)
    )
    assert r.status_code == 409


async def test_an_open_apv_revision_collects_the_reasons_of_later_changes(world: World) -> None:
    system = await register(world, status="in_use", unit_ids=[world.units[0]])
    r = await change(world, system, vendor="Ny Leverandør A/S")
    assert r.status_code == 200
    [revision] = [a for a in await reassessments(world) if a["system_id"] == system]
    assert revision["reasons"] == ["went_into_use", "vendor_or_product_changed"]


async def test_organization_findings_filter_by_severity_rule_and_system(world: World) -> None:
    monitored = await register(world, control_measure=True, status="in_use", category="monitoring")
    await register(world, status="in_use", ai_act={"risk_class": "limited", "emotion_recognition": True})
    url = f"{API}/organizations/{world.orgs[0]}/findings"
    everything = (await world.client.get(url, headers=admin(world))).json()
    severities = [f["severity"] for f in everything]
    assert severities == sorted(severities, key=["violation", "warning", "info"].index)
    violations = (await world.client.get(f"{url}?severity=violation", headers=admin(world))).json()
    assert violations
    assert {f["severity"] for f in violations} == {"violation"}
    emotion = (
        await world.client.get(f"{url}?rule_id=ai_act.emotion_recognition", headers=admin(world))
    ).json()
    assert len(emotion) == 1
    assert emotion[0]["severity"] == "violation"
    only = (await world.client.get(f"{url}?system_id={monitored}", headers=admin(world))).json()
    assert {f["system_id"] for f in only} == {monitored}
    r = await world.client.get(f"{url}?severity=fatal", headers=admin(world))
    assert r.status_code == 400


async def test_findings_of_another_organization_are_not_found(world: World) -> None:
    r = await world.client.get(f"{API}/systems/{world.systems[1]}/findings", headers=admin(world))
    assert r.status_code == 404


async def test_a_failed_change_changes_no_finding(world: World) -> None:
    system = await register(world, control_measure=True, status="in_use")
    before = await findings(world, system)
    r = await world.client.patch(
        f"{API}/systems/{system}",
        json={"notice": {"given_at": "2026-01-01"}},
        headers={**admin(world), "If-Match": '"7"'},
    )
    assert r.status_code == 412
    assert await findings(world, system) == before


# --- the overview ------------------------------------------------------------------------------------


async def test_the_overview_adds_up_the_register(world: World) -> None:
    await register(
        world, control_measure=True, status="in_use", category="monitoring", data_categories=["health"]
    )
    await register(
        world, status="in_use", ai_act={"risk_class": "high_risk"}, automated_decision="fully_automated"
    )
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/overview", headers=world.headers("steward", 0)
    )
    assert r.status_code == 200, r.text
    overview = r.json()
    assert overview["systems"] == 3  # with the world's own
    assert overview["by_status"] == {"pilot": 1, "in_use": 2}
    assert overview["by_category"]["monitoring"] == 1
    assert overview["control_measures"] == 1
    assert overview["high_risk"] == 1
    assert overview["special_category_data"] == 1
    assert overview["fully_automated"] == 1
    listed = (
        await world.client.get(f"{API}/organizations/{world.orgs[0]}/findings", headers=admin(world))
    ).json()
    assert sum(overview["open_findings"].values()) == len(listed)
    assert overview["apv_open"] == len(await reassessments(world, "?status=open")) + 1  # the world's pilot
    assert overview["apv_overdue"] == 0


async def test_an_apv_the_employer_states_covers_what_it_was_made_for(world: World) -> None:
    """A system registered with its APV opens no revision; a change entered afterwards opens one due
    30 days after it took effect, unless the APV stated was made since; a revision can be completed on
    the day it was, never in the future."""
    covered = await register(world, status="in_use", apv_last_assessed_at="2025-01-10")
    assert [a for a in await reassessments(world) if a["system_id"] == covered] == []
    system = await register(world, status="in_use", unit_ids=[world.units[0]])
    [first] = [a for a in await reassessments(world) if a["system_id"] == system]
    body = {"status": "completed", "completed_on": "2025-03-01", "amo_participation": AMO}
    r = await world.client.patch(f"{API}/apv-reassessments/{first['id']}", json=body, headers=admin(world))
    assert r.status_code == 200, r.text
    assert r.json()["completed_at"].startswith("2025-03-01")
    current = await world.client.get(f"{API}/systems/{system}", headers=admin(world))
    r = await world.client.patch(
        f"{API}/systems/{system}",
        json={"vendor": "Ny A/S", "effective_at": "2025-06-01", "apv_last_assessed_at": "2025-06-20"},
        headers={**admin(world), "If-Match": current.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    assert [a for a in await reassessments(world, "?status=open") if a["system_id"] == system] == []
    r = await change(world, system, product="Version 2", effective_at="2025-09-01")
    assert r.status_code == 200, r.text
    [late] = [a for a in await reassessments(world, "?status=open") if a["system_id"] == system]
    assert late["due_date"] == "2025-10-01"
    assert late["overdue"] is True
    future = {**body, "completed_on": (workplace_today() + timedelta(days=2)).isoformat()}
    r = await world.client.patch(f"{API}/apv-reassessments/{late['id']}", json=future, headers=admin(world))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "completed_on"


async def test_one_organization_that_cannot_be_recomputed_does_not_stop_the_others(
    world: World, monkeypatch: Any
) -> None:
    """Data no rule can read (a date of year 1, stored by an earlier release) fails its organization
    only: the others are recomputed, and the run names the one that failed."""
    from registry.obligations import findings as module

    broken_org = world.orgs[0]
    real = module.recompute_organization

    async def recompute(org_id: str, *, today: date | None = None) -> tuple[int, int]:
        if org_id == broken_org:
            raise ValueError("a stored date no rule can read")
        return await real(org_id, today=today)

    monkeypatch.setattr(module, "recompute_organization", recompute)
    other = world.systems[1]
    await SystemFinding.delete().where(SystemFinding.system == uuid.UUID(other))
    with pytest.raises(module.RecomputeFailed) as failed:
        await module.recompute_all()
    assert failed.value.organizations == [broken_org]
    assert await SystemFinding.count().where(SystemFinding.system == uuid.UUID(other)) > 0


def test_rules_cannot_overflow_on_dates_at_the_ends_of_the_calendar() -> None:
    from registry.obligations.rules import Context, evaluate
    from registry.obligations.settings import RuleSettings

    document = system_body(control_measure=True, status="planned", go_live_at="0001-01-02")
    context = Context(
        today=date(9999, 12, 30), sector="private", notice_period_days=365, settings=RuleSettings()
    )
    assert evaluate(document, context)  # findings, not an OverflowError
