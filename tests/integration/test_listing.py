"""Listing AI systems: every filter, cursor pagination, and what a unit-limited steward sees."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tests.support.world import API, World, system_body


async def _register(world: World, **fields: object) -> str:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(**fields),
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def _ids(world: World, query: str, role: str = "steward", **token_args: object) -> list[str]:
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems?{query}", headers=world.headers(role, 0, **token_args)
    )
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()["items"]]


async def test_each_filter_selects_exactly_the_matching_systems(world: World) -> None:
    base = world.systems[0]  # decision_support, pilot, not a control measure, unit 0
    monitor = await _register(
        world,
        name="Telematik",
        category="monitoring",
        control_measure=True,
        status="in_use",
        data_categories=["location", "health"],
        ai_act={"risk_class": "high_risk"},
        description="GPS-styring af chauffører",
    )
    mental = await _register(
        world,
        name="Trivselsmåling 50%_rabat",
        data_categories=["behaviour"],
        ai_act={"risk_class": "minimal"},
    )
    assert set(await _ids(world, "")) == {base, monitor, mental}
    assert await _ids(world, "status=in_use") == [monitor]
    assert await _ids(world, "category=monitoring") == [monitor]
    assert await _ids(world, "control_measure=true") == [monitor]
    assert set(await _ids(world, "control_measure=false")) == {base, mental}
    assert await _ids(world, "risk_class=high_risk") == [monitor]
    assert await _ids(world, "risk_class=unknown") == [base]
    assert await _ids(world, "data_category=health") == [monitor]
    assert await _ids(world, f"unit_id={world.units[0]}") == [base]
    assert await _ids(world, "q=gps-STYRING") == [monitor]
    assert await _ids(world, "q=50%25_") == [mental]  # % and _ only separate words, never wildcards
    assert await _ids(world, "q=trivsels%25ling") == []  # as a LIKE wildcard, % would match "måling"
    assert await _ids(world, "status=in_use&category=decision_support") == []


async def test_changed_since_follows_the_latest_change(world: World) -> None:
    await asyncio.sleep(0.01)
    mark = datetime.now(UTC)
    await asyncio.sleep(0.01)
    r = await world.client.patch(
        f"{API}/systems/{world.systems[0]}",
        json={"status": "in_use"},
        headers={**world.headers("employer_admin", 0), "If-Match": '"1"'},
    )
    assert r.status_code == 200
    since = mark.isoformat().replace("+00:00", "Z")
    assert await _ids(world, f"changed_since={since}") == [world.systems[0]]
    assert await _ids(world, f"changed_since={datetime.now(UTC).isoformat().replace('+00:00', 'Z')}") == []


async def test_bad_query_values_get_400_naming_the_parameter(world: World) -> None:
    c, steward = world.client, world.headers("steward", 0)
    url = f"{API}/organizations/{world.orgs[0]}/systems"
    for query, name in (
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("status=lost", "status"),
        ("data_category=shoe", "data_category"),
        ("changed_since=yesterday", "changed_since"),
        ("cursor=not-a-cursor", "cursor"),
        ("unit_id=12", "unit_id"),
        ("q=%25", "q"),  # no word to search for
    ):
        r = await c.get(f"{url}?{query}", headers=steward)
        assert r.status_code == 400, query
        assert r.headers["content-type"].startswith("application/problem+json")
        assert name in {e["field"] for e in r.json()["errors"]}, (query, r.json())


async def test_cursor_pages_cover_everything_once_despite_concurrent_inserts(world: World) -> None:
    for i in range(11):
        await _register(world, name=f"System {i}")
    before = set(await _ids(world, "limit=100"))
    seen: list[str] = []
    cursor = ""
    pages = 0
    while True:
        r = await world.client.get(
            f"{API}/organizations/{world.orgs[0]}/systems?limit=5{cursor}",
            headers=world.headers("auditor", 0),
        )
        page = r.json()
        seen.extend(item["id"] for item in page["items"])
        pages += 1
        await _register(world, name=f"Added while paging {pages}")  # lands before the pages already read
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert len(seen) == len(set(seen))
    assert set(seen) == before
    assert pages == 3


async def test_unit_limited_steward_sees_only_systems_touching_its_units(world: World) -> None:
    c, admin = world.client, world.headers("employer_admin", 0)
    r = await c.post(
        f"{API}/organizations/{world.orgs[0]}/units",
        json={"name": "Skoler", "committee": "lokal-MED"},
        headers=admin,
    )
    schools = r.json()["id"]
    r = await c.post(
        f"{API}/organizations/{world.orgs[0]}/units",
        json={"name": "Nordskolen", "parent_id": schools},
        headers=admin,
    )
    north = r.json()["id"]
    at_school = await _register(world, name="Elevplan", unit_ids=[north])
    whole_org = await _register(world, name="Copilot", unit_ids=[])
    limited = {"units": [schools]}
    assert set(await _ids(world, "", **limited)) == {at_school, whole_org}
    hidden = await c.get(f"{API}/systems/{world.systems[0]}", headers=world.headers("steward", 0, **limited))
    assert hidden.status_code == 404
    assert set(await _ids(world, "")) == {world.systems[0], at_school, whole_org}


async def test_a_cursor_with_a_sort_key_beyond_64_bits_is_a_400_naming_cursor(world: World) -> None:
    import base64

    for sort_key in (2**63, -(2**63) - 1, 10**30):
        raw = f'[1,{sort_key},"{world.systems[0]}"]'.encode()
        cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        for path in (
            f"{API}/organizations/{world.orgs[0]}/systems?cursor={cursor}",
            f"{API}/webhooks/{world.webhooks[0]}/deliveries?cursor={cursor}",
        ):
            r = await world.client.get(path, headers=world.headers("employer_admin", 0))
            assert r.status_code == 400, (path, r.text)
            assert r.json()["errors"][0]["field"] == "cursor"
