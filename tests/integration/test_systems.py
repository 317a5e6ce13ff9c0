"""Registering, changing and reading AI systems through the HTTP API."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.support.world import API, World, system_body

FULL_SYSTEM: dict[str, Any] = {
    "name": "Kvalitetsmåling i kundeservice",
    "vendor": "Talevejen ApS",
    "product": "CallInsight 4",
    "description": "Talegenkendelse og scoring af optagede samtaler.",
    "purpose": "Forbedre kvaliteten af kundesamtaler gennem målrettet sparring.",
    "operational_reason": "Klager over sagsbehandlingen i kundeservice steg i 2025.",
    "category": "monitoring",
    "control_measure": True,
    "status": "in_use",
    "unit_ids": [],
    "affected_groups": ["kundeservicemedarbejdere"],
    "affected_headcount": 85,
    "data_categories": ["voice", "work_performance", "health"],
    "data_subjects": {"voice": ["employees", "customers"]},
    "data_sources": ["telefonianlæg", "CRM"],
    "access": [
        {"role": "teamleder", "scope": "individual", "purpose": "sparring"},
        {"role": "direktion", "scope": "aggregate", "purpose": "styring"},
    ],
    "retention": {"period_days": 90, "description": "Optagelser slettes efter 90 dage."},
    "log_retention_days": 183,
    "legal_basis": "legitimate_interests",
    "legitimate_interest": "At kunne give målrettet sparring til den enkelte.",
    "special_category_basis": "employment_obligations",
    "automated_decision": "supports_human",
    "significant_effect": False,
    "human_oversight": {
        "description": "Teamleder gennemgår score.",
        "overseer_role": "teamleder",
        "trained": True,
        "can_stop": True,
    },
    "contest_channel": "Henvendelse til TR eller HR.",
    "decision_logic": "Scoren vægter samtalens længde, pauser og kundens tilfredshed.",
    "ai_act": {
        "risk_class": "high_risk",
        "annex_iii_point": "4(b)",
        "profiling": False,
        "emotion_recognition": False,
        "biometric_categorisation": False,
        "annex_i_product": False,
        "interacts_with_public": False,
        "publishes_generated_content": False,
        "significant_design_change_at": None,
        "provider_eu_db_ref": None,
        "deployer_eu_db_ref": None,
        "fria_date": None,
    },
    "dpia": {"status": "done", "date": "2025-01-15", "reference": "DPIA-2025-03"},
    "notice": {
        "given_at": "2025-02-01",
        "audience": "alle i kundeservice",
        "text_ref": "Varsel v2",
        "exception_reason": None,
        "late_notice_at": None,
    },
    "consultation": {
        "committee": "SU",
        "informed_at": "2025-01-10",
        "discussed_at": "2025-01-20",
        "decided_at": "2025-01-25",
        "minutes_ref": "SU-referat 2025-01-25 pkt. 4",
    },
    "workers_informed_at": "2025-02-01",
    "employee_notice_ref": "Medarbejderinformation v2",
    "employee_notice_given_at": "2025-02-01",
    "dpo_contact": {"name": "Dorte DPO", "email": "dpo@example.dk"},
    "processors": ["Talevejen ApS"],
    "processor_agreement_ref": "DBA-2025-07",
    "third_country_transfer": {"countries": [], "safeguard": "none"},
    "control_measure_assessment": {
        "proportionality": "Kun stikprøver på 5 samtaler pr. måned.",
        "less_intrusive_alternatives": "Selvevaluering blev prøvet i 2024.",
        "not_offensive": "Ingen optagelse af private samtaler.",
        "no_loss": "Bruges ikke til løn.",
        "not_used_for": "Løn, bonus og afskedigelse.",
    },
    "go_live_at": "2025-03-15",
    "retired_at": None,
    "data_deleted_at": None,
    "operated_by": "employer",
    "operator_name": None,
    "usage_policy": {
        "expected_use": "Kun til sparring.",
        "guideline_ref": "AI-retningslinje 1.2",
        "ai_content_labelled": True,
    },
    "training": {"provided": True, "description": "To timers introduktion.", "hours_per_employee": 2},
    "time_savings": {
        "expected_hours_per_week": 10,
        "realised_hours_per_week": None,
        "realised_at": None,
        "freed_time_use": "Mere tid til sparring.",
    },
    "apv_last_assessed_at": "2025-04-01",
    "contact": {"name": "Hanne HR", "email": "hr@example.dk"},
    "accountable_manager": "Kundeservicechef Mette Holm",
}


async def test_every_field_round_trips(world: World) -> None:
    c, admin = world.client, world.headers("employer_admin", 0)
    r = await c.post(f"{API}/organizations/{world.orgs[0]}/systems", json=FULL_SYSTEM, headers=admin)
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["location"] == f"{API}/systems/{body['id']}"
    assert r.headers["etag"] == '"1"'
    for name, value in FULL_SYSTEM.items():
        assert body[name] == value, name
    assert body["special_categories"] == ["health"]
    assert body["organization_id"] == world.orgs[0]
    assert body["version"] == 1
    read = await c.get(f"{API}/systems/{body['id']}", headers=world.headers("steward", 0))
    assert read.json() == body


async def test_unknown_fields_and_bad_values_are_named(world: World) -> None:
    c, admin = world.client, world.headers("employer_admin", 0)
    bad = system_body(
        colour="blue",
        category="magic",
        data_categories=["health", "shoe_size"],
        ai_act={"risk_class": "spicy"},
        access=[{"role": "x", "scope": "everything"}],
    )
    r = await c.post(f"{API}/organizations/{world.orgs[0]}/systems", json=bad, headers=admin)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"colour", "category", "data_categories[1]", "ai_act.risk_class", "access[0].scope"} <= fields
    listed = await c.get(f"{API}/organizations/{world.orgs[0]}/systems", headers=admin)
    assert len(listed.json()["items"]) == 1  # nothing was written


async def test_missing_required_fields_are_named(world: World) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json={"name": "x"},
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"purpose", "category", "control_measure", "status"} <= fields


async def test_malformed_json_is_a_clear_400(world: World) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        content=b"{not json",
        headers={**world.headers("employer_admin", 0), "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_contradicting_dates_get_422_and_write_nothing(world: World) -> None:
    c, admin = world.client, world.headers("employer_admin", 0)
    r = await c.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(status="retired", go_live_at="2025-05-01", retired_at="2025-04-01"),
        headers=admin,
    )
    assert r.status_code == 422
    assert {"field": "retired_at", "reason": "is before go_live_at"} in r.json()["errors"]
    sid = world.systems[0]
    r = await c.patch(
        f"{API}/systems/{sid}",
        json={"go_live_at": "2025-05-01", "status": "retired", "retired_at": "2025-01-01"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert r.status_code == 422
    after = await c.get(f"{API}/systems/{sid}", headers=admin)
    assert after.json()["version"] == 1
    revisions = await c.get(f"{API}/systems/{sid}/revisions", headers=admin)
    assert len(revisions.json()) == 1


async def test_retiring_is_a_status_change_and_there_is_no_delete(world: World) -> None:
    c, admin = world.client, world.headers("employer_admin", 0)
    sid = world.systems[0]
    r = await c.patch(
        f"{API}/systems/{sid}",
        json={"status": "retired", "change_note": "Udfaset"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert r.status_code == 200
    assert r.json()["retired_at"] is not None
    assert (await c.delete(f"{API}/systems/{sid}", headers=admin)).status_code == 405
    assert (await c.delete(f"{API}/systems/{sid}/revisions/1", headers=admin)).status_code == 405


async def test_unit_of_another_organization_is_refused(world: World) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(unit_ids=[world.units[1]]),
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "unit_ids[0]", "reason": "is not a unit of this organization"}]


async def test_patch_needs_if_match_and_rejects_stale_versions(world: World) -> None:
    c, admin = world.client, world.headers("employer_admin", 0)
    sid = world.systems[0]
    r = await c.patch(f"{API}/systems/{sid}", json={"status": "in_use"}, headers=admin)
    assert r.status_code == 428
    r = await c.patch(f"{API}/systems/{sid}", json={"status": "in_use"}, headers={**admin, "If-Match": "*"})
    assert r.status_code == 428
    r = await c.patch(f"{API}/systems/{sid}", json={"status": "in_use"}, headers={**admin, "If-Match": '"1"'})
    assert r.status_code == 200
    r = await c.patch(
        f"{API}/systems/{sid}", json={"status": "suspended"}, headers={**admin, "If-Match": '"1"'}
    )
    assert r.status_code == 412
    assert r.headers["etag"] == '"2"'
    assert (await c.get(f"{API}/systems/{sid}", headers=admin)).json()["status"] == "in_use"


async def test_patch_cannot_clear_required_fields_or_add_unknown_ones(world: World) -> None:
    c, admin = world.client, world.headers("employer_admin", 0)
    sid = world.systems[0]
    for body, field in (({"name": None}, "name"), ({"hat": 1}, "hat"), ({"status": "gone"}, "status")):
        r = await c.patch(f"{API}/systems/{sid}", json=body, headers={**admin, "If-Match": '"1"'})
        assert r.status_code == 400, body
        assert field in {e["field"] for e in r.json()["errors"]}


async def test_each_change_writes_a_revision_with_author_and_note(world: World) -> None:
    c = world.client
    admin = world.headers("employer_admin", 0, sub="hr@kommune.dk")
    sid = world.systems[0]
    for version, (body, note) in enumerate(
        [
            ({"status": "in_use"}, "Godkendt i lokal-MED"),
            ({"dpia": {"status": "done", "date": "2025-01-02"}}, "DPIA lavet"),
            ({"dpia": {"status": "done", "date": "2025-01-03"}, "affected_headcount": 40}, None),
        ],
        start=1,
    ):
        r = await c.patch(
            f"{API}/systems/{sid}",
            json={**body, "change_note": note},
            headers={**admin, "If-Match": f'"{version}"'},
        )
        assert r.status_code == 200, r.text
    revisions = (await c.get(f"{API}/systems/{sid}/revisions", headers=admin)).json()
    assert [r["version"] for r in revisions] == [4, 3, 2, 1]
    assert revisions[0]["author"] == "hr@kommune.dk"
    assert revisions[2]["change_note"] == "Godkendt i lokal-MED"
    assert revisions[0]["changed_fields"] == ["affected_headcount", "dpia"]
    old = (await c.get(f"{API}/systems/{sid}/revisions/2", headers=admin)).json()
    assert old["document"]["status"] == "in_use"
    assert old["document"]["dpia"] is None
    diff = (await c.get(f"{API}/systems/{sid}/revisions/4/diff", headers=admin)).json()
    assert diff["from_version"] == 3
    assert {"field": "dpia.date", "old": "2025-01-02", "new": "2025-01-03"} in diff["changes"]
    across = (await c.get(f"{API}/systems/{sid}/revisions/4/diff?against=1", headers=admin)).json()
    assert {ch["field"] for ch in across["changes"]} == {
        "status",
        "dpia.status",
        "dpia.date",
        "affected_headcount",
    }
    assert (await c.get(f"{API}/systems/{sid}/revisions/9", headers=admin)).status_code == 404
    assert (await c.get(f"{API}/systems/{sid}/revisions/4/diff?against=7", headers=admin)).status_code == 404


async def test_concurrent_patches_on_one_version_one_wins(world: World) -> None:
    c, admin = world.client, world.headers("employer_admin", 0)
    sid = world.systems[0]

    async def edit(i: int) -> httpx.Response:
        return await c.patch(
            f"{API}/systems/{sid}",
            json={"affected_headcount": i, "change_note": f"edit {i}"},
            headers={**admin, "If-Match": '"1"'},
        )

    results = await asyncio.gather(*(edit(i) for i in range(8)))
    codes = sorted(r.status_code for r in results)
    assert codes == [200] + [412] * 7
    winner = next(r for r in results if r.status_code == 200).json()
    revisions = (await c.get(f"{API}/systems/{sid}/revisions", headers=admin)).json()
    assert [r["version"] for r in revisions] == [2, 1]
    current = (await c.get(f"{API}/systems/{sid}", headers=admin)).json()
    assert current["affected_headcount"] == winner["affected_headcount"]


async def test_body_over_one_mebibyte_gets_413(world: World) -> None:
    huge = system_body(description="x" * (1024 * 1024 + 10))
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems", json=huge, headers=world.headers("employer_admin", 0)
    )
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
