"""Notices, consultations and workers' information as histories; effective dates of changes; a change
that changes nothing (through the HTTP API, on both engines)."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from typing import Any

from registry.clock import workplace_today
from tests.support.world import API, World
from webhooks.tables import WebhookEvent


async def events_of(system_id: str) -> list[str]:
    """The types of the events about one system, in the order written to the outbox."""
    rows = await WebhookEvent.select().order_by(WebhookEvent.id)
    found = []
    for row in rows:
        payload = json.loads(row["payload"])
        if payload.get("data", {}).get("system_id") == system_id:
            found.append(row["type"])
    return found


async def _patch(world: World, sid: str, version: int, **body: Any) -> Any:
    admin = world.headers("employer_admin", 0)
    return await world.client.patch(
        f"{API}/systems/{sid}", json=body, headers={**admin, "If-Match": f'"{version}"'}
    )


async def test_notices_are_appended_and_listed_oldest_first_without_a_new_version(world: World) -> None:
    c, admin, sid = world.client, world.headers("employer_admin", 0), world.systems[0]
    first = await c.post(
        f"{API}/systems/{sid}/notices",
        json={"given_at": "2025-01-10", "takes_effect_at": "2025-02-21", "audience": "Alle i hjemmeplejen"},
        headers=admin,
    )
    assert first.status_code == 201, first.text
    assert first.headers["location"] == f"{API}/systems/{sid}/notices"
    r = await _patch(world, sid, 1, affected_headcount=140, change_note="Distrikt Syd med")
    assert r.status_code == 200
    assert r.json()["version"] == 2
    second = await c.post(
        f"{API}/systems/{sid}/notices",
        json={"given_at": "2025-05-01", "takes_effect_at": "2025-06-16", "covers_version": 2},
        headers=admin,
    )
    assert second.status_code == 201, second.text
    listed = (await c.get(f"{API}/systems/{sid}/notices", headers=admin)).json()["items"]
    assert [(n["given_at"], n["covers_version"], n["number"]) for n in listed] == [
        ("2025-01-10", None, 1),
        ("2025-05-01", 2, 2),
    ]
    system = await c.get(f"{API}/systems/{sid}", headers=admin)
    assert system.json()["version"] == 2
    assert system.headers["etag"] == '"2"'
    assert system.json()["notice"]["given_at"] == "2025-05-01"  # the latest, for clients of before
    steward = world.headers("steward", 0)
    assert (await c.get(f"{API}/systems/{sid}/notices", headers=steward)).status_code == 200
    refused = await c.post(f"{API}/systems/{sid}/notices", json={"given_at": "2025-01-10"}, headers=steward)
    assert refused.status_code == 403


async def test_a_wrong_notice_is_corrected_by_one_that_replaces_it(world: World) -> None:
    c, admin, sid = world.client, world.headers("employer_admin", 0), world.systems[0]
    wrong = (
        await c.post(f"{API}/systems/{sid}/notices", json={"given_at": "2025-11-01"}, headers=admin)
    ).json()
    right = await c.post(
        f"{API}/systems/{sid}/notices",
        json={"given_at": "2025-01-11", "replaces": wrong["id"]},
        headers=admin,
    )
    assert right.status_code == 201
    assert right.json()["replaces"] == wrong["id"]
    listed = (await c.get(f"{API}/systems/{sid}/notices", headers=admin)).json()["items"]
    assert [n["id"] for n in listed] == [wrong["id"], right.json()["id"]]  # nothing is deleted
    other = (
        await c.post(f"{API}/systems/{sid}/consultations", json={"informed_at": "2025-01-02"}, headers=admin)
    ).json()
    mixed = await c.post(
        f"{API}/systems/{sid}/notices",
        json={"given_at": "2025-01-12", "replaces": other["id"]},
        headers=admin,
    )
    assert mixed.status_code == 422
    assert mixed.json()["errors"][0]["field"] == "replaces"


async def test_bad_entries_are_refused_naming_the_field_and_nothing_is_written(world: World) -> None:
    c, admin, sid = world.client, world.headers("employer_admin", 0), world.systems[0]
    # Well-formed but contradicting itself or the system: 422 naming the field.
    contradictions: list[tuple[str, dict[str, Any], str]] = [
        ("notices", {"given_at": "2025-03-01", "takes_effect_at": "2025-02-01"}, "takes_effect_at"),
        ("notices", {"given_at": "1899-12-31"}, "given_at"),
        ("notices", {"given_at": "2025-03-01", "covers_version": 7}, "covers_version"),
        ("notices", {"audience": "alle"}, "given_at"),
        (
            "notices",
            {"given_at": "2025-03-01", "exception": {"reason": "x", "late_notice_at": "2025-02-01"}},
            "exception.late_notice_at",
        ),
        ("consultations", {"informed_at": "2025-03-01", "decided_at": "2025-02-01"}, "decided_at"),
        (
            "consultations",
            {"informed_at": "2025-01-01", "discussed_at": "2025-03-01", "decided_at": "2025-02-01"},
            "decided_at",
        ),
        ("consultations", {"informed_at": "2200-01-01"}, "informed_at"),
        ("consultations", {"committee": "SU"}, "informed_at"),
        ("worker-information", {"party": "workers", "informed_at": "1800-01-01"}, "informed_at"),
    ]
    for path, body, field in contradictions:
        r = await c.post(f"{API}/systems/{sid}/{path}", json=body, headers=admin)
        assert r.status_code == 422, (path, body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == [field], (path, body, r.text)
    # Not well-formed: 400 naming the field.
    malformed: list[tuple[str, dict[str, Any], str]] = [
        ("worker-information", {"party": "bosses", "informed_at": "2025-01-01"}, "party"),
        ("worker-information", {"party": "workers"}, "informed_at"),
        ("notices", {"given_at": "not a date"}, "given_at"),
    ]
    for path, body, field in malformed:
        r = await c.post(f"{API}/systems/{sid}/{path}", json=body, headers=admin)
        assert r.status_code == 400, (path, body, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (path, body, r.text)
    # A late notice is valid with the exception that allows it.
    late = await c.post(
        f"{API}/systems/{sid}/notices",
        json={
            "given_at": "2025-03-01",
            "takes_effect_at": "2025-02-01",
            "exception": {
                "reason": "Mistanke om tyveri; formålet ville gå tabt.",
                "late_notice_at": "2025-03-01",
            },
        },
        headers=admin,
    )
    assert late.status_code == 201, late.text
    for path in ("notices", "consultations", "worker-information"):
        items = (await c.get(f"{API}/systems/{sid}/{path}", headers=admin)).json()["items"]
        assert len(items) == (1 if path == "notices" else 0)


async def test_workers_information_names_the_party_and_another_organization_sees_nothing(
    world: World,
) -> None:
    c, admin, sid = world.client, world.headers("employer_admin", 0), world.systems[0]
    for party, day in (("representatives", "2025-02-01"), ("workers", "2025-02-10")):
        r = await c.post(
            f"{API}/systems/{sid}/worker-information",
            json={"party": party, "informed_at": day, "channel": "personalemøde"},
            headers=admin,
        )
        assert r.status_code == 201, r.text
    system = (await c.get(f"{API}/systems/{sid}", headers=admin)).json()
    assert system["workers_informed_at"] == "2025-02-10"
    foreign = world.headers("employer_admin", 1)
    assert (await c.get(f"{API}/systems/{sid}/worker-information", headers=foreign)).status_code == 404
    post = await c.post(
        f"{API}/systems/{sid}/worker-information",
        json={"party": "workers", "informed_at": "2025-01-01"},
        headers=foreign,
    )
    assert post.status_code == 404


async def test_writing_the_systems_notice_records_a_new_notice(world: World) -> None:
    c, admin, sid = world.client, world.headers("employer_admin", 0), world.systems[0]
    r = await _patch(world, sid, 1, notice={"given_at": "2025-01-10", "audience": "alle"})
    assert r.status_code == 200
    assert r.headers["etag"] == '"1"'  # a history entry, not a version
    r = await _patch(
        world, sid, 1, affected_headcount=12, notice={"given_at": "2025-04-01", "audience": "alle"}
    )
    assert r.status_code == 200
    assert r.json()["version"] == 2
    listed = (await c.get(f"{API}/systems/{sid}/notices", headers=admin)).json()["items"]
    # The first notice is about the system as first put into use, the next about the change it came with.
    assert [(n["given_at"], n["covers_version"]) for n in listed] == [("2025-01-10", None), ("2025-04-01", 2)]
    removed = await _patch(world, sid, 2, notice=None)
    assert removed.status_code == 422
    assert removed.json()["errors"][0]["field"] == "notice"
    events = await events_of(sid)
    assert events.count("system.record_added") == 2


async def test_a_change_that_changes_nothing_writes_nothing(world: World) -> None:
    c, admin, sid = world.client, world.headers("employer_admin", 0), world.systems[0]
    before = await c.get(f"{API}/systems/{sid}", headers=admin)
    events_before = await events_of(sid)
    same = await _patch(
        world, sid, 1, name=before.json()["name"], status=before.json()["status"], change_note="igen"
    )
    assert same.status_code == 200
    assert same.headers["etag"] == '"1"'
    assert same.json() == before.json()
    assert len((await c.get(f"{API}/systems/{sid}/revisions", headers=admin)).json()) == 1
    assert await events_of(sid) == events_before


async def test_changes_carry_the_day_they_took_effect(world: World) -> None:
    c, admin, sid = world.client, world.headers("employer_admin", 0), world.systems[0]
    r = await _patch(
        world, sid, 1, status="in_use", effective_at="2019-03-24", change_note="I drift siden 2019"
    )
    assert r.status_code == 200, r.text
    revisions = (await c.get(f"{API}/systems/{sid}/revisions", headers=admin)).json()
    assert revisions[0]["effective_at"] == "2019-03-24"  # before the system was first recorded: allowed
    assert revisions[1]["effective_at"] == workplace_today().isoformat()  # registered without one: today
    assert revisions[0]["created_at"][:4] != "2019"
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    future = await _patch(world, sid, 2, affected_headcount=3, effective_at=tomorrow)
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "effective_at"
    old = await _patch(world, sid, 2, affected_headcount=3, effective_at="1899-01-01")
    assert old.status_code in (400, 422)
    assert "effective_at" in old.text
    assert (await c.get(f"{API}/systems/{sid}", headers=admin)).json()["version"] == 2


async def test_the_employer_can_mark_a_change_material(world: World) -> None:
    c, admin, sid = world.client, world.headers("employer_admin", 0), world.systems[0]
    r = await _patch(world, sid, 1, operational_reason="Færre ubesatte ruter.", material=True)
    assert r.status_code == 200, r.text
    revisions = (await c.get(f"{API}/systems/{sid}/revisions", headers=admin)).json()
    assert "stated_material" in revisions[0]["material_reasons"]
    apv = (await c.get(f"{API}/organizations/{world.orgs[0]}/apv-reassessments", headers=admin)).json()
    assert any("stated_material" in a["reasons"] for a in apv)


async def test_a_notice_sent_again_without_its_empty_keys_is_the_same_notice(world: World) -> None:
    c, admin, sid = world.client, world.headers("employer_admin", 0), world.systems[0]
    r = await _patch(world, sid, 1, notice={"given_at": "2025-01-10", "audience": "alle"})
    assert r.status_code == 200
    again = await _patch(world, sid, 1, notice={"given_at": "2025-01-10", "audience": "alle"})
    assert again.status_code == 200
    assert len((await c.get(f"{API}/systems/{sid}/notices", headers=admin)).json()["items"]) == 1
    marked = await _patch(world, sid, 1, material=True)
    assert marked.status_code == 422
    assert marked.json()["errors"][0]["field"] == "material"


async def test_a_date_out_of_range_anywhere_in_a_system_is_refused_naming_it(world: World) -> None:
    admin = world.headers("employer_admin", 0)
    for body, field in (
        ({"go_live_at": "1800-01-01"}, "go_live_at"),
        ({"dpia": {"status": "done", "date": "2300-05-01"}}, "dpia.date"),
        ({"affected_headcount": 4, "effective_at": "1899-12-31"}, "effective_at"),
    ):
        r = await _patch(world, world.systems[0], 1, **body)
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == [field]
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json={"name": "X", "purpose": "Y", "category": "other", "control_measure": False}
        | {"status": "planned", "ai_act": {"fria_date": "0202-02-02"}},
        headers=admin,
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "ai_act.fria_date"


async def test_entries_recorded_at_once_are_numbered_one_after_the_other(world: World) -> None:
    c, admin, sid = world.client, world.headers("employer_admin", 0), world.systems[0]
    days = [f"2025-01-{day:02d}" for day in range(10, 16)]
    answers = await asyncio.gather(
        *(c.post(f"{API}/systems/{sid}/notices", json={"given_at": day}, headers=admin) for day in days)
    )
    assert [r.status_code for r in answers] == [201] * len(days)
    listed = (await c.get(f"{API}/systems/{sid}/notices", headers=admin)).json()["items"]
    assert [n["number"] for n in listed] == list(range(1, len(days) + 1))
    latest = (await c.get(f"{API}/systems/{sid}", headers=admin)).json()["notice"]["given_at"]
    assert latest == listed[-1]["given_at"]


async def test_an_employer_states_which_kind_of_employer_it_is(world: World) -> None:
    platform = world.headers("platform_admin", None)
    base = {"name": "Region Test", "cvr": "41853743", "cooperation_body": "MED"}
    r = await world.client.post(
        f"{API}/organizations", json={**base, "employer_type": "regional"}, headers=platform
    )
    assert r.status_code == 201, r.text
    assert (r.json()["employer_type"], r.json()["sector"]) == ("regional", "public")
    org = r.json()["id"]
    contradiction = await world.client.patch(
        f"{API}/organizations/{org}", json={"employer_type": "state", "sector": "private"}, headers=platform
    )
    assert contradiction.status_code in (400, 422)
    assert "sector" in contradiction.text
    changed = await world.client.patch(
        f"{API}/organizations/{org}", json={"employer_type": "state"}, headers=platform
    )
    assert (changed.json()["employer_type"], changed.json()["sector"]) == ("state", "public")
    # A client of before that states only the sector still registers; a public employer's kind is then
    # unknown, and the register cites no municipal agreement to it.
    unknown = await world.client.post(
        f"{API}/organizations", json={**base, "cvr": "38521918", "sector": "public"}, headers=platform
    )
    assert unknown.status_code == 201, unknown.text
    assert (unknown.json()["employer_type"], unknown.json()["sector"]) == (None, "public")
    neither = await world.client.post(
        f"{API}/organizations", json={**base, "cvr": "31648254"}, headers=platform
    )
    assert neither.status_code == 400
    assert "employer_type" in neither.text
