"""Odd and hostile input gets a clear 4xx problem, never a 500, and writes nothing."""

from __future__ import annotations

import json

import pytest

from tests.support.world import API, World, system_body

PROBLEM = "application/problem+json"


async def _assert_problem(response, status: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"", "application/json"),
        (b"[]", "application/json"),
        (b'"just a string"', "application/json"),
        (b"null", "application/json"),
        (b"name=x", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00", "application/json"),
        (b"[" * 5000 + b"]" * 5000, "application/json"),
    ],
)
async def test_bodies_that_are_not_a_system(world: World, content: bytes, content_type: str) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        content=content,
        headers={**world.headers("employer_admin", 0), "Content-Type": content_type},
    )
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    listed = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems", headers=world.headers("employer_admin", 0)
    )
    assert len(listed.json()["items"]) == 1


async def test_nul_characters_are_refused_naming_the_field(world: World) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(name="Rute\x00planner", notice={"audience": "alle\x00"}),
        headers=world.headers("employer_admin", 0),
    )
    await _assert_problem(r, 400)
    assert {"name", "notice.audience"} <= {e["field"] for e in r.json()["errors"]}
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems?q=a%00b", headers=world.headers("steward", 0)
    )
    await _assert_problem(r, 400)


async def test_danish_letters_and_emoji_round_trip(world: World) -> None:
    name = "Æblegrød-ørkenens ÅBNE system 🤖"
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(name=name, description="Medarbejdere på Ærø"),
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code == 201
    found = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems?q=ærø", headers=world.headers("steward", 0)
    )
    assert [item["name"] for item in found.json()["items"]] == [name]


@pytest.mark.parametrize("version", ["0", "-1", "99999999999999999999", "2147483648", "abc"])
async def test_impossible_versions(world: World, version: str) -> None:
    steward = world.headers("steward", 0)
    for path in (f"revisions/{version}", f"revisions/{version}/diff", f"revisions/1/diff?against={version}"):
        r = await world.client.get(f"{API}/systems/{world.systems[0]}/{path}", headers=steward)
        assert r.status_code in (400, 404), (path, r.status_code, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)


async def test_numbers_out_of_range_are_refused(world: World) -> None:
    bodies = [
        json.dumps(system_body(affected_headcount=10**30)),
        json.dumps(system_body(retention={"period_days": -5})),
        json.dumps(system_body(training={"provided": True, "hours_per_employee": 1})).replace(
            '"hours_per_employee": 1', '"hours_per_employee": 1e999'
        ),
    ]
    for body in bodies:
        r = await world.client.post(
            f"{API}/organizations/{world.orgs[0]}/systems",
            content=body.encode(),
            headers={**world.headers("employer_admin", 0), "Content-Type": "application/json"},
        )
        await _assert_problem(r, 400)


async def test_if_match_garbage_counts_as_missing(world: World) -> None:
    for header in ('"', "W/", '"99999999999999999999999"', "x" * 5000):
        r = await world.client.patch(
            f"{API}/systems/{world.systems[0]}",
            json={"status": "in_use"},
            headers={**world.headers("employer_admin", 0), "If-Match": header},
        )
        assert r.status_code in (412, 428), (header, r.status_code)


async def test_every_api_answer_is_kept_by_no_cache_and_read_as_what_it_is(world: World) -> None:
    c, admin = world.client, world.headers("employer_admin", 0)
    answers = [
        await c.get(f"{API}/organizations/{world.orgs[0]}/systems", headers=admin),
        await c.get(f"{API}/systems/{world.systems[0]}", headers=admin),
        await c.get(f"{API}/systems/{world.systems[1]}", headers=admin),  # another organization's: 404
        await c.get(f"{API}/organizations/{world.orgs[0]}/systems?cursor=zz", headers=admin),
        await c.get(f"{API}/organizations"),  # no token: 401
    ]
    assert [r.status_code for r in answers] == [200, 200, 404, 400, 401]
    for r in answers:
        assert r.headers["cache-control"] == "no-store", r.url
        assert r.headers["x-content-type-options"] == "nosniff", r.url


async def test_a_400_names_at_most_50_problems_and_how_many_more(world: World) -> None:
    body = {f"unknown_{n}": n for n in range(500)}
    r = await world.client.patch(
        f"{API}/systems/{world.systems[0]}",
        json=body,
        headers={**world.headers("employer_admin", 0), "If-Match": '"1"'},
    )
    assert r.status_code == 400
    problem = r.json()
    assert len(problem["errors"]) == 50
    assert problem["more_errors"] == 450
    assert len(r.content) < 10_000


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("affected_headcount", "12"),
        ("affected_headcount", True),
        ("log_retention_days", "183"),
        ("retention", {"period_days": False}),
        ("training", {"provided": True, "hours_per_employee": "2"}),
    ],
)
async def test_a_number_must_be_a_json_number(world: World, field: str, value: object) -> None:
    r = await world.client.patch(
        f"{API}/systems/{world.systems[0]}",
        json={field: value},
        headers={**world.headers("employer_admin", 0), "If-Match": '"1"'},
    )
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["field"].startswith(field)


async def test_the_api_document_is_served_and_no_page_loads_a_script_from_elsewhere(world: World) -> None:
    document = await world.client.get("/schema/openapi.json")
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "Workplace AI register"
    for path in ("/schema", "/schema/swagger", "/schema/redoc", "/schema/elements"):
        r = await world.client.get(path)
        assert "cdn.jsdelivr.net" not in r.text, path
        assert "unpkg.com" not in r.text, path
