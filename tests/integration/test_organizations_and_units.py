"""Organizations (CVR-checked) and their units (a tree of workplaces and MED/SU areas)."""

from __future__ import annotations

from tests.support.world import API, CVRS, World, bearer


def _org(cvr: str = CVRS[0], **extra: object) -> dict[str, object]:
    return {"name": "Fjordby Kommune", "cvr": cvr, "sector": "public", "cooperation_body": "MED", **extra}


async def test_platform_admin_creates_an_organization_with_defaults(client, token) -> None:
    r = await client.post(
        f"{API}/organizations",
        json=_org(maturity_level="ai_explorer"),
        headers=bearer(token("platform_admin")),
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["notice_period_days"] == 42
    assert body["maturity_level"] == "ai_explorer"
    listed = await client.get(f"{API}/organizations", headers=bearer(token("platform_admin")))
    assert [o["id"] for o in listed.json()] == [body["id"]]


async def test_cvr_must_be_eight_digits_passing_modulus_11(client, token) -> None:
    admin = bearer(token("platform_admin"))
    for cvr, reason in (
        ("1234567", "8 digits"),
        ("1234567a", "8 digits"),
        ("12345678", "modulus-11"),
        ("29189918", "modulus-11"),
    ):
        r = await client.post(f"{API}/organizations", json=_org(cvr), headers=admin)
        assert r.status_code == 400, cvr
        [error] = r.json()["errors"]
        assert error["field"] == "cvr"
        assert reason in error["reason"]
    assert (await client.get(f"{API}/organizations", headers=admin)).json() == []


async def test_a_cvr_is_registered_once(client, token) -> None:
    admin = bearer(token("platform_admin"))
    assert (await client.post(f"{API}/organizations", json=_org(), headers=admin)).status_code == 201
    r = await client.post(f"{API}/organizations", json=_org(name="Kopi"), headers=admin)
    assert r.status_code == 409
    assert r.json()["errors"] == [{"field": "cvr", "reason": "is already registered"}]


async def test_employer_admin_changes_its_own_organization(world: World) -> None:
    c = world.client
    r = await c.patch(
        f"{API}/organizations/{world.orgs[0]}",
        json={"notice_period_days": 56},
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code == 200
    assert r.json()["notice_period_days"] == 56
    r = await c.patch(
        f"{API}/organizations/{world.orgs[0]}",
        json={"cvr": CVRS[3]},
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code == 400
    r = await c.patch(
        f"{API}/organizations/{world.orgs[0]}",
        json={"name": None},
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "name"


async def test_units_form_a_tree_within_one_organization(world: World) -> None:
    c, admin = world.client, world.headers("employer_admin", 0)
    url = f"{API}/organizations/{world.orgs[0]}/units"
    top = (await c.post(url, json={"name": "Hoved-MED", "committee": "hoved-MED"}, headers=admin)).json()
    child = (
        await c.post(
            url,
            json={"name": "Vej og park", "committee": "lokal-MED", "parent_id": top["id"], "headcount": 60},
            headers=admin,
        )
    ).json()
    assert child["parent_id"] == top["id"]
    r = await c.patch(f"{API}/units/{top['id']}", json={"parent_id": child["id"]}, headers=admin)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "parent_id"
    r = await c.post(url, json={"name": "Fremmed", "parent_id": world.units[1]}, headers=admin)
    assert r.status_code == 422
    r = await c.post(url, json={"name": "Negativ", "headcount": -1, "committee": "bestyrelse"}, headers=admin)
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"headcount", "committee"}
    r = await c.patch(f"{API}/units/{child['id']}", json={"headcount": 64, "parent_id": None}, headers=admin)
    assert r.status_code == 200
    assert r.json()["headcount"] == 64
    assert r.json()["parent_id"] is None
    names = [u["name"] for u in (await c.get(url, headers=world.headers("steward", 0))).json()]
    assert names == sorted(names)
    assert "Vej og park" in names


async def test_health_and_readiness_need_no_token(client) -> None:
    assert (await client.get(f"{API}/health")).json() == {"status": "ok", "detail": None}
    ready = await client.get(f"{API}/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"
