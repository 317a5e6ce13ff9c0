from __future__ import annotations

from tests.conftest import API, World, system_body


async def test_register_read_patch_and_history(world: World) -> None:
    c, admin = world.client, world.headers("employer_admin", 0)
    sid = world.systems[0]
    r = await c.get(f"{API}/systems/{sid}", headers=admin)
    assert r.status_code == 200
    assert r.headers["etag"] == '"1"'
    assert r.json()["version"] == 1
    r = await c.patch(f"{API}/systems/{sid}", json={"status": "in_use", "change_note": "Go"},
                      headers={**admin, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    r = await c.get(f"{API}/systems/{sid}/revisions/2/diff", headers=admin)
    assert r.status_code == 200
    assert r.json()["changes"] == [{"field": "status", "old": "pilot", "new": "in_use"}]
    r = await c.get(f"{API}/organizations/{world.orgs[0]}/systems?status=in_use", headers=world.headers("steward", 0))
    assert r.status_code == 200
    assert [s["id"] for s in r.json()["items"]] == [sid]
    r = await c.post(f"{API}/organizations/{world.orgs[0]}/systems", json=system_body(bogus=1), headers=admin)
    assert r.status_code == 400
    print(r.json())
