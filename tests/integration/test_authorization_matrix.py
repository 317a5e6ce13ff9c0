"""Who may call which route on whose objects, over every route of the API.

The expected answer comes from the rules of the contract (design.md section 3), written down here as a
small table, not from the implementation:

* a role without the right gets 403, whatever the object (the role check comes first);
* a role bound to an organization gets 404 for another organization's object (never 403, never data);
* platform-wide roles (platform admin, auditor without an organization) reach every organization.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.support.world import API, CVRS, World, system_body

PLATFORM_ADMIN = "platform_admin"
EMPLOYER_ADMIN = "employer_admin"
STEWARD = "steward"
AUDITOR = "auditor"
GLOBAL_AUDITOR = "auditor_without_org"

ROLES = (PLATFORM_ADMIN, EMPLOYER_ADMIN, STEWARD, AUDITOR, GLOBAL_AUDITOR)
ORG_BOUND = frozenset({EMPLOYER_ADMIN, STEWARD, AUDITOR})
PLATFORM_WIDE = frozenset({PLATFORM_ADMIN, GLOBAL_AUDITOR})

# Who holds the right to call a route (before asking whose object it is).
EVERYONE = frozenset(ROLES)
ORGANIZATION_MANAGERS = frozenset({PLATFORM_ADMIN, EMPLOYER_ADMIN})
REGISTER_READERS = frozenset({EMPLOYER_ADMIN, STEWARD, AUDITOR, GLOBAL_AUDITOR})
REGISTER_WRITERS = frozenset({EMPLOYER_ADMIN})
LOG_READERS = frozenset({AUDITOR, GLOBAL_AUDITOR})

OWN, OTHER, NO_OBJECT = "own", "other", "no object"
ORG_INDEX = {OWN: 0, OTHER: 1, NO_OBJECT: 0}

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "errors"}


@dataclass(frozen=True)
class Route:
    method: str
    app_path: str  # the path as the app declares it
    path: str  # the same path with {org}, {unit} or {system} to fill in
    allowed: frozenset[str]
    success: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None  # a body that is not JSON (an uploaded file)

    @property
    def addresses_an_organization(self) -> bool:
        return "{" in self.path and "{card}" not in self.path  # the catalogue is the platform's

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    def __str__(self) -> str:
        return f"{self.method} {self.app_path}"


ROUTES = (
    Route("GET", "/organizations", "/organizations", EVERYONE, 200),
    Route(
        "POST",
        "/organizations",
        "/organizations",
        frozenset({PLATFORM_ADMIN}),
        201,
        body={"name": "Ny arbejdsgiver", "cvr": CVRS[2], "sector": "private", "cooperation_body": "SU"},
    ),
    Route("GET", "/organizations/{org_id:uuid}", "/organizations/{org}", EVERYONE, 200),
    Route(
        "PATCH",
        "/organizations/{org_id:uuid}",
        "/organizations/{org}",
        ORGANIZATION_MANAGERS,
        200,
        body={"notice_period_days": 30},
    ),
    Route("GET", "/organizations/{org_id:uuid}/units", "/organizations/{org}/units", REGISTER_READERS, 200),
    Route(
        "POST",
        "/organizations/{org_id:uuid}/units",
        "/organizations/{org}/units",
        REGISTER_WRITERS,
        201,
        body={"name": "Køkkenet", "committee": "lokal-MED", "headcount": 12},
    ),
    Route("GET", "/units/{unit_id:uuid}", "/units/{unit}", REGISTER_READERS, 200),
    Route("PATCH", "/units/{unit_id:uuid}", "/units/{unit}", REGISTER_WRITERS, 200, body={"headcount": 99}),
    Route(
        "GET",
        "/organizations/{org_id:uuid}/systems",
        "/organizations/{org}/systems",
        REGISTER_READERS,
        200,
    ),
    Route(
        "POST",
        "/organizations/{org_id:uuid}/systems",
        "/organizations/{org}/systems",
        REGISTER_WRITERS,
        201,
        body=system_body(name="Vagtplanlægning"),
    ),
    Route(
        "GET",
        "/organizations/{org_id:uuid}/systems/export",
        "/organizations/{org}/systems/export",
        REGISTER_READERS,
        200,
    ),
    Route(
        "GET",
        "/organizations/{org_id:uuid}/imports/template",
        "/organizations/{org}/imports/template",
        REGISTER_WRITERS,
        200,
    ),
    Route(
        "POST",
        "/organizations/{org_id:uuid}/imports",
        "/organizations/{org}/imports?dry_run=false",
        REGISTER_WRITERS,
        200,
        headers={"Content-Type": "text/csv"},
        content="Navn,Formål,Anvendelse,Kontrolforanstaltning,Status\nX,Y,other,Nej,planned\n".encode(),
    ),
    Route("GET", "/systems/{system_id:uuid}", "/systems/{system}", REGISTER_READERS, 200),
    Route(
        "PATCH",
        "/systems/{system_id:uuid}",
        "/systems/{system}",
        REGISTER_WRITERS,
        200,
        body={"status": "in_use", "change_note": "Taken into use."},
        headers={"If-Match": '"1"'},
    ),
    Route(
        "GET",
        "/systems/{system_id:uuid}/revisions",
        "/systems/{system}/revisions",
        REGISTER_READERS,
        200,
    ),
    Route(
        "GET",
        "/systems/{system_id:uuid}/revisions/{version:int}",
        "/systems/{system}/revisions/1",
        REGISTER_READERS,
        200,
    ),
    Route(
        "GET",
        "/systems/{system_id:uuid}/revisions/{version:int}/diff",
        "/systems/{system}/revisions/1/diff",
        REGISTER_READERS,
        200,
    ),
    Route(
        "POST",
        "/systems/{system_id:uuid}/notices",
        "/systems/{system}/notices",
        REGISTER_WRITERS,
        201,
        body={"given_at": "2025-01-10", "audience": "Alle i hjemmeplejen"},
    ),
    Route("GET", "/systems/{system_id:uuid}/notices", "/systems/{system}/notices", REGISTER_READERS, 200),
    Route(
        "POST",
        "/systems/{system_id:uuid}/consultations",
        "/systems/{system}/consultations",
        REGISTER_WRITERS,
        201,
        body={"committee": "lokal-MED", "informed_at": "2025-01-05"},
    ),
    Route(
        "GET",
        "/systems/{system_id:uuid}/consultations",
        "/systems/{system}/consultations",
        REGISTER_READERS,
        200,
    ),
    Route(
        "POST",
        "/systems/{system_id:uuid}/worker-information",
        "/systems/{system}/worker-information",
        REGISTER_WRITERS,
        201,
        body={"party": "workers", "informed_at": "2025-01-12", "channel": "personalemøde"},
    ),
    Route(
        "GET",
        "/systems/{system_id:uuid}/worker-information",
        "/systems/{system}/worker-information",
        REGISTER_READERS,
        200,
    ),
    Route(
        "POST",
        "/systems/{system_id:uuid}/questions",
        "/systems/{system}/questions",
        frozenset({STEWARD}),
        201,
        body={"kind": "correction", "text": "Adgangen er bredere end angivet.", "fields": ["access"]},
    ),
    Route(
        "GET",
        "/systems/{system_id:uuid}/questions",
        "/systems/{system}/questions",
        REGISTER_READERS,
        200,
    ),
    Route("GET", "/questions/{question_id:uuid}", "/questions/{question}", REGISTER_READERS, 200),
    Route(
        "POST",
        "/questions/{question_id:uuid}/answers",
        "/questions/{question}/answers",
        REGISTER_WRITERS,
        201,
        body={"text": "Kun teamlederen ser resultaterne.", "committee": "lokal-MED", "minutes_ref": "pkt. 3"},
    ),
    Route(
        "GET",
        "/organizations/{org_id:uuid}/questions",
        "/organizations/{org}/questions?status=open",
        REGISTER_READERS,
        200,
    ),
    Route(
        "POST",
        "/organizations/{org_id:uuid}/webhooks",
        "/organizations/{org}/webhooks",
        REGISTER_WRITERS,
        201,
        body={"url": "https://93.184.215.14/another-hook", "event_types": ["system.updated"]},
    ),
    Route(
        "GET", "/organizations/{org_id:uuid}/webhooks", "/organizations/{org}/webhooks", REGISTER_WRITERS, 200
    ),
    Route("GET", "/webhooks/{subscription_id:uuid}", "/webhooks/{webhook}", REGISTER_WRITERS, 200),
    Route(
        "PATCH",
        "/webhooks/{subscription_id:uuid}",
        "/webhooks/{webhook}",
        REGISTER_WRITERS,
        200,
        body={"status": "paused"},
    ),
    Route("DELETE", "/webhooks/{subscription_id:uuid}", "/webhooks/{webhook}", REGISTER_WRITERS, 204),
    Route(
        "POST",
        "/webhooks/{subscription_id:uuid}/rotate-secret",
        "/webhooks/{webhook}/rotate-secret",
        REGISTER_WRITERS,
        200,
    ),
    Route("POST", "/webhooks/{subscription_id:uuid}/test", "/webhooks/{webhook}/test", REGISTER_WRITERS, 202),
    Route(
        "GET",
        "/webhooks/{subscription_id:uuid}/deliveries",
        "/webhooks/{webhook}/deliveries",
        REGISTER_WRITERS,
        200,
    ),
    Route(
        "POST",
        "/webhooks/{subscription_id:uuid}/deliveries/{delivery_id:int}/redeliver",
        "/webhooks/{webhook}/deliveries/{delivery}/redeliver",
        REGISTER_WRITERS,
        202,
    ),
    Route("GET", "/systems/{system_id:uuid}/findings", "/systems/{system}/findings", REGISTER_READERS, 200),
    Route(
        "GET",
        "/systems/{system_id:uuid}/statement",
        "/systems/{system}/statement?format=md&lang=en",
        REGISTER_READERS,
        200,
    ),
    Route(
        "GET",
        "/organizations/{org_id:uuid}/findings",
        "/organizations/{org}/findings?status=all",
        REGISTER_READERS,
        200,
    ),
    Route(
        "GET",
        "/organizations/{org_id:uuid}/overview",
        "/organizations/{org}/overview",
        REGISTER_READERS,
        200,
    ),
    Route(
        "GET",
        "/organizations/{org_id:uuid}/apv-reassessments",
        "/organizations/{org}/apv-reassessments",
        REGISTER_READERS,
        200,
    ),
    Route(
        "GET",
        "/apv-reassessments/{reassessment_id:uuid}",
        "/apv-reassessments/{reassessment}",
        REGISTER_READERS,
        200,
    ),
    Route(
        "PATCH",
        "/apv-reassessments/{reassessment_id:uuid}",
        "/apv-reassessments/{reassessment}",
        REGISTER_WRITERS,
        200,
        body={
            "status": "completed",
            "amo_participation": {"participated": True, "participants": ["AMR Hjemmeplejen"]},
            "findings": "Ingen nye psykosociale risici.",
        },
    ),
    Route(
        "GET",
        "/access-log",
        "/access-log?from=2020-01-01T00:00:00Z&to=2020-12-31T00:00:00Z",
        LOG_READERS,
        200,
    ),
    Route("GET", "/access-log/verify", "/access-log/verify", LOG_READERS, 200),
    Route("GET", "/access-log/public-key", "/access-log/public-key", LOG_READERS, 200),
    Route("GET", "/access-log/checkpoints", "/access-log/checkpoints", LOG_READERS, 200),
    Route(
        "GET",
        "/organizations/{org_id:uuid}/members",
        "/organizations/{org}/members",
        ORGANIZATION_MANAGERS,
        200,
    ),
    Route(
        "POST",
        "/organizations/{org_id:uuid}/members",
        "/organizations/{org}/members",
        ORGANIZATION_MANAGERS,
        201,
        body={"email": "ny@example.com", "name": "Ny Kollega", "role": "steward"},
    ),
    Route(
        "PATCH",
        "/organizations/{org_id:uuid}/members/{member_id:uuid}",
        "/organizations/{org}/members/{member}",
        ORGANIZATION_MANAGERS,
        200,
        body={"title": "AMR"},
    ),
    Route(
        "DELETE",
        "/organizations/{org_id:uuid}/members/{member_id:uuid}",
        "/organizations/{org}/members/{member}",
        ORGANIZATION_MANAGERS,
        204,
    ),
    Route("GET", "/products", "/products", EVERYONE, 200),
    Route("GET", "/products/{card_id:uuid}", "/products/{card}", EVERYONE, 200),
    Route(
        "POST",
        "/products",
        "/products",
        frozenset({PLATFORM_ADMIN}),
        201,
        body={"vendor": "Eksempel A/S", "product": "PlanAssist"},
    ),
    Route(
        "PATCH",
        "/products/{card_id:uuid}",
        "/products/{card}",
        frozenset({PLATFORM_ADMIN}),
        200,
        body={"product_version": "2.0"},
        headers={"If-Match": '"1"'},
    ),
)


def expected_status(route: Route, role: str, target: str) -> int:
    if role not in route.allowed:
        return 403
    if target == OTHER and role in ORG_BOUND:
        return 404
    return route.success


def matrix() -> list[Any]:
    cases = []
    for route in ROUTES:
        targets = (OWN, OTHER) if route.addresses_an_organization else (NO_OBJECT,)
        for role in ROLES:
            for target in targets:
                cases.append(pytest.param(route, role, target, id=f"{route}-{role}-{target}"))
    return cases


def headers_of(world: World, role: str) -> dict[str, str]:
    """The caller; organization-bound roles belong to organization 0 ("own")."""
    if role == GLOBAL_AUDITOR:
        return world.headers(AUDITOR, None)
    return world.headers(role, 0)


def owner_headers(world: World, org_index: int) -> dict[str, str]:
    return world.headers(EMPLOYER_ADMIN, org_index)


def other_organization_data(world: World) -> list[str]:
    """Strings that only another organization's data would contain (the two systems share a name, and
    an error body should carry no register data at all)."""
    body = system_body()
    return [
        world.orgs[1],
        world.units[1],
        world.systems[1],
        world.webhooks[1],
        *world.questions[1:2],
        "spørgsmål 1",
        "Fagforeningens sagssystem 1",
        "Organisation 1",
        CVRS[1],
        body["name"],
        body["vendor"],
        body["purpose"],
        "Hjemmeplejen",
    ]


async def register_state(world: World) -> dict[str, Any]:
    """Everything in the register, read by those who may read it."""
    c = world.client
    r = await c.get(f"{API}/organizations", headers=world.headers(PLATFORM_ADMIN, None))
    assert r.status_code == 200, r.text
    state: dict[str, Any] = {"organizations": r.json()}
    products = await c.get(f"{API}/products", headers=world.headers(PLATFORM_ADMIN, None))
    assert products.status_code == 200, products.text
    state["products"] = products.json()
    for index, org in enumerate(world.orgs):
        members = await c.get(f"{API}/organizations/{org}/members", headers=owner_headers(world, index))
        assert members.status_code == 200, members.text
        state[f"members-{org}"] = members.json()
    for index, org in enumerate(world.orgs):
        owner = owner_headers(world, index)
        units = await c.get(f"{API}/organizations/{org}/units", headers=owner)
        systems = await c.get(f"{API}/organizations/{org}/systems", headers=owner)
        assert units.status_code == systems.status_code == 200
        webhooks = await c.get(f"{API}/organizations/{org}/webhooks", headers=owner)
        assert units.status_code == systems.status_code == webhooks.status_code == 200
        deliveries = [
            (await c.get(f"{API}/webhooks/{hook['id']}/deliveries", headers=owner)).json()
            for hook in webhooks.json()
        ]
        apv = await c.get(f"{API}/organizations/{org}/apv-reassessments", headers=owner)
        assert apv.status_code == 200, apv.text
        questions = await c.get(f"{API}/organizations/{org}/questions", headers=owner)
        assert questions.status_code == 200, questions.text
        state[org] = {
            "units": units.json(),
            "systems": systems.json(),
            "webhooks": webhooks.json(),
            "deliveries": deliveries,
            "questions": questions.json(),
            "apv": apv.json(),
        }
    return state


async def system_version(world: World, org_index: int) -> int:
    system = world.systems[org_index]
    r = await world.client.get(f"{API}/systems/{system}", headers=owner_headers(world, org_index))
    assert r.status_code == 200, r.text
    return int(r.json()["version"])


def assert_refusal_reveals_nothing(response: httpx.Response, world: World) -> None:
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) <= PROBLEM_KEYS
    assert body["status"] == response.status_code
    for secret in other_organization_data(world):
        assert secret not in response.text


def assert_success_shows_only_what_the_role_may_see(
    route: Route, role: str, response: httpx.Response, world: World
) -> None:
    if role in PLATFORM_WIDE:
        return
    if route.path == "/organizations" and route.method == "GET":
        assert [o["id"] for o in response.json()] == [world.orgs[0]]
    for secret in (
        world.orgs[1],
        world.units[1],
        world.systems[1],
        world.webhooks[1],
        *world.questions[1:2],
        "Organisation 1",
        CVRS[1],
    ):
        assert secret not in response.text


def test_the_matrix_covers_every_route_of_the_app(app: Any) -> None:
    declared = {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if route.path.startswith(API) and method not in {"OPTIONS", "HEAD"}
    }
    public = {("GET", f"{API}/health"), ("GET", f"{API}/ready")}
    # The caller's own settings and feed addresses: no object of anyone else to reach
    # (tests/integration/test_members.py, test_digests.py).
    own = {
        ("GET", f"{API}/me/preferences"),
        ("PATCH", f"{API}/me/preferences"),
        ("GET", f"{API}/me/feeds"),
        ("POST", f"{API}/me/feeds/rotate"),
    }
    covered = {(route.method, API + route.app_path) for route in ROUTES}
    assert declared - public - own == covered


def changes(case: Any) -> bool:
    """Whether a case of the matrix changes the register (a write that is allowed)."""
    route, role, target = case.values
    return bool(route.writes) and expected_status(route, role, target) not in (403, 404)


@pytest.mark.parametrize(("route", "role", "target"), [p for p in matrix() if not changes(p)])
async def test_authorization_of_reads_and_refusals(
    shared_world: World, route: Route, role: str, target: str
) -> None:
    """Calls that change nothing share one world: a refused write checks that nothing changed."""
    await check_authorization(shared_world, route, role, target)


@pytest.mark.parametrize(("route", "role", "target"), [p for p in matrix() if changes(p)])
async def test_authorization_of_changes(world: World, route: Route, role: str, target: str) -> None:
    if "question" in route.path:
        await world.ask_questions()
    if "reassessment" in route.path:
        await world.open_reassessments()
    await check_authorization(world, route, role, target)


async def check_authorization(world: World, route: Route, role: str, target: str) -> None:
    org_index = ORG_INDEX[target]
    path = route.path.format(
        question=world.questions[org_index] if world.questions else None,
        reassessment=world.reassessments[org_index] if world.reassessments else None,
        org=world.orgs[org_index],
        unit=world.units[org_index],
        system=world.systems[org_index],
        webhook=world.webhooks[org_index],
        delivery=world.deliveries[org_index],
        card=world.cards[0],
        member=world.members[org_index],
    )
    before = await register_state(world) if route.writes else None

    body: dict[str, Any] = {"content": route.content} if route.content is not None else {"json": route.body}
    response = await world.client.request(
        route.method, API + path, headers={**headers_of(world, role), **route.headers}, **body
    )

    expected = expected_status(route, role, target)
    assert response.status_code == expected, response.text
    if expected in (403, 404):
        assert_refusal_reveals_nothing(response, world)
        if route.writes:
            assert await register_state(world) == before
            assert await system_version(world, org_index) == 1
    else:
        assert_success_shows_only_what_the_role_may_see(route, role, response, world)
        if route.writes:  # the state comparison above is able to see a change
            assert await register_state(world) != before


@pytest.mark.parametrize("role", ROLES)
async def test_list_of_organizations_holds_exactly_those_the_role_sees(world: World, role: str) -> None:
    r = await world.client.get(f"{API}/organizations", headers=headers_of(world, role))
    assert r.status_code == 200
    seen = {o["id"] for o in r.json()}
    assert seen == (set(world.orgs) if role in PLATFORM_WIDE else {world.orgs[0]})


async def test_a_global_auditor_reads_every_organizations_register(world: World) -> None:
    auditor = headers_of(world, GLOBAL_AUDITOR)
    for index, org in enumerate(world.orgs):
        r = await world.client.get(f"{API}/organizations/{org}/systems", headers=auditor)
        assert r.status_code == 200
        assert [s["id"] for s in r.json()["items"]] == [world.systems[index]]


async def test_an_unknown_object_and_another_organizations_object_look_the_same(world: World) -> None:
    steward = headers_of(world, STEWARD)
    unknown = "00000000-0000-4000-8000-000000000000"
    other = await world.client.get(f"{API}/systems/{world.systems[1]}", headers=steward)
    missing = await world.client.get(f"{API}/systems/{unknown}", headers=steward)
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


# --- stewards limited to units ----------------------------------------------------------------------


@dataclass
class UnitTree:
    """Organization 0: `unit` (from the world) with `child` below it, and `sibling` beside it."""

    unit: str
    child: str
    sibling: str
    systems: dict[str, str]  # label -> system id


async def create_unit(world: World, name: str, parent_id: str | None = None) -> str:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/units",
        json={"name": name, "parent_id": parent_id},
        headers=owner_headers(world, 0),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def register(world: World, name: str, unit_ids: list[str]) -> str:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(name=name, unit_ids=unit_ids),
        headers=owner_headers(world, 0),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.fixture
async def tree(world: World) -> UnitTree:
    unit = world.units[0]
    child = await create_unit(world, "Hjemmeplejen Nord", parent_id=unit)
    grandchild = await create_unit(world, "Hjemmeplejen Nord, nattevagt", parent_id=child)
    sibling = await create_unit(world, "Rådhuset")
    systems = {
        "unit": world.systems[0],
        "child": await register(world, "Nøglesystem", [child]),
        "grandchild": await register(world, "Nattevagtsplan", [grandchild]),
        "whole organization": await register(world, "Chatassistent", []),
        "sibling": await register(world, "Sagsbehandling", [sibling]),
        "sibling and unit": await register(world, "Fælles kalender", [sibling, unit]),
    }
    return UnitTree(unit=unit, child=child, sibling=sibling, systems=systems)


async def assert_steward_sees(world: World, units: list[str], visible: set[str], tree: UnitTree) -> None:
    steward = bearer_of(world, units)
    r = await world.client.get(f"{API}/organizations/{world.orgs[0]}/systems", headers=steward)
    assert r.status_code == 200
    listed = {s["id"] for s in r.json()["items"]}
    assert listed == {tree.systems[label] for label in visible}
    for label, system in tree.systems.items():
        for suffix in ("", "/revisions", "/revisions/1", "/revisions/1/diff"):
            r = await world.client.get(f"{API}/systems/{system}{suffix}", headers=steward)
            if label in visible:
                assert r.status_code == 200, (label, suffix)
            else:
                assert r.status_code == 404, (label, suffix)
                assert_refusal_reveals_nothing(r, world)
                assert system not in r.text


def bearer_of(world: World, units: list[str]) -> dict[str, str]:
    return world.headers(STEWARD, 0, units=units)


async def test_a_steward_limited_to_a_unit_sees_it_the_units_below_and_the_whole_organization(
    world: World, tree: UnitTree
) -> None:
    await assert_steward_sees(
        world, [tree.unit], {"unit", "child", "grandchild", "whole organization", "sibling and unit"}, tree
    )


async def test_a_steward_limited_to_a_lower_unit_does_not_see_the_units_above(
    world: World, tree: UnitTree
) -> None:
    await assert_steward_sees(world, [tree.child], {"child", "grandchild", "whole organization"}, tree)


async def test_a_steward_limited_to_several_units_sees_each_of_them(world: World, tree: UnitTree) -> None:
    await assert_steward_sees(
        world,
        [tree.child, tree.sibling],
        {"child", "grandchild", "whole organization", "sibling", "sibling and unit"},
        tree,
    )


async def test_a_steward_limited_to_another_organizations_unit_sees_only_whole_organization_systems(
    world: World, tree: UnitTree
) -> None:
    await assert_steward_sees(world, [world.units[1]], {"whole organization"}, tree)


async def test_a_steward_without_units_sees_every_system_of_the_organization(
    world: World, tree: UnitTree
) -> None:
    steward = headers_of(world, STEWARD)
    r = await world.client.get(f"{API}/organizations/{world.orgs[0]}/systems", headers=steward)
    assert r.status_code == 200
    assert {s["id"] for s in r.json()["items"]} == set(tree.systems.values())


async def test_a_unit_filter_does_not_widen_a_stewards_units(world: World, tree: UnitTree) -> None:
    steward = bearer_of(world, [tree.child])
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems", params={"unit_id": tree.sibling}, headers=steward
    )
    assert r.status_code == 200
    assert r.json()["items"] == []
