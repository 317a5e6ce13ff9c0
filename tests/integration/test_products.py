"""The shared catalogue of product cards: platform admins add and change cards (If-Match), everyone
reads them; a system filled in from a card names it; a change of the card tells each organization
using it (`product.changed`) and opens a finding on each such system, until the employer states the
version it reviewed the system against."""

from __future__ import annotations

import json
from typing import Any

from tests.support.world import API, World, system_body
from webhooks.tables import WebhookEvent

CARD = {
    "vendor": "Omsorgsruter ApS",
    "product": "RutePlan",
    "product_version": "4.2",
    "description": "Planlægger besøg og ruter i hjemmeplejen.",
    "intended_purpose": "Ruteplanlægning for hjemmepleje.",
    "provider_role": "provider",
    "ai_act": {"risk_class": "limited", "provider_eu_db_ref": "EU-DB-12345"},
    "processing_locations": ["Danmark", "Tyskland"],
    "instructions_url": "https://omsorgsruter.example/brugsanvisning",
}


def platform(world: World) -> dict[str, str]:
    return world.headers("platform_admin", None)


async def new_card(world: World, **fields: Any) -> dict[str, Any]:
    r = await world.client.post(f"{API}/products", json=CARD | fields, headers=platform(world))
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/api/v1/products/{r.json()['id']}"
    assert r.headers["etag"] == '"1"'
    return dict(r.json())


async def finding_ids(world: World, system_id: str, org_index: int = 0) -> set[str]:
    r = await world.client.get(
        f"{API}/systems/{system_id}/findings", headers=world.headers("employer_admin", org_index)
    )
    assert r.status_code == 200, r.text
    return {f["rule_id"] for f in r.json()}


async def test_platform_admins_keep_the_catalogue_and_everyone_reads_it(world: World) -> None:
    card = await new_card(world)
    assert card["version"] == 1
    assert card["processing_locations"] == ["Danmark", "Tyskland"]
    for role in ("employer_admin", "steward", "auditor"):
        r = await world.client.get(f"{API}/products", headers=world.headers(role, 0))
        assert r.status_code == 200
        assert card["id"] in {c["id"] for c in r.json()}
    r = await world.client.post(f"{API}/products", json=CARD, headers=world.headers("employer_admin", 0))
    assert r.status_code == 403
    r = await world.client.post(f"{API}/products", json={"vendor": "X"}, headers=platform(world))
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"product"}
    r = await world.client.post(
        f"{API}/products", json=CARD | {"instructions_url": "ikke en adresse"}, headers=platform(world)
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "instructions_url"
    assert (
        await world.client.get(f"{API}/products/{world.orgs[0]}", headers=platform(world))
    ).status_code == 404


async def test_a_change_needs_the_version_it_was_made_from(world: World) -> None:
    card = await new_card(world)
    url = f"{API}/products/{card['id']}"
    r = await world.client.patch(url, json={"product_version": "5.0"}, headers=platform(world))
    assert r.status_code == 428
    r = await world.client.patch(
        url, json={"product_version": "5.0"}, headers=platform(world) | {"If-Match": '"7"'}
    )
    assert r.status_code == 412
    r = await world.client.patch(
        url, json={"product_version": "5.0"}, headers=platform(world) | {"If-Match": '"1"'}
    )
    assert r.status_code == 200
    assert r.json()["version"] == 2
    assert r.headers["etag"] == '"2"'
    # The same again changes nothing.
    r = await world.client.patch(
        url, json={"product_version": "5.0"}, headers=platform(world) | {"If-Match": '"2"'}
    )
    assert r.json()["version"] == 2


async def test_a_changed_card_tells_each_organization_using_it_and_asks_for_a_review(world: World) -> None:
    card = await new_card(world)
    admin = world.headers("employer_admin", 0)
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(name="RutePlan i hjemmeplejen", product_card_id=card["id"], product_card_version=1),
        headers=admin,
    )
    assert r.status_code == 201, r.text
    system_id = r.json()["id"]
    assert "product.card_changed" not in await finding_ids(world, system_id)
    before = await WebhookEvent.count().where(WebhookEvent.type == "product.changed")

    r = await world.client.patch(
        f"{API}/products/{card['id']}",
        json={"processing_locations": ["Danmark", "USA"]},
        headers=platform(world) | {"If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text
    rows = await WebhookEvent.select().where(WebhookEvent.type == "product.changed")
    assert len(rows) == before + 1  # one organization uses the card: one event
    event = json.loads(rows[-1]["payload"])
    assert str(rows[-1]["organization"]) == world.orgs[0]
    assert {k: v for k, v in event["data"].items() if k not in ("organization_id", "links")} == {
        "product_card_id": card["id"],
        "version": 2,
        "changed_fields": ["processing_locations"],
        "system_ids": [system_id],
    }
    assert "product.card_changed" in await finding_ids(world, system_id)
    # Another organization's systems are not touched.
    assert "product.card_changed" not in await finding_ids(world, world.systems[1], 1)

    # The employer reviews the system and says so: the finding is resolved.
    current = await world.client.get(f"{API}/systems/{system_id}", headers=admin)
    r = await world.client.patch(
        f"{API}/systems/{system_id}",
        json={"product_card_version": 2, "change_note": "Gennemgået efter produktkort version 2"},
        headers=admin | {"If-Match": current.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    assert "product.card_changed" not in await finding_ids(world, system_id)


async def test_a_system_can_name_only_a_card_of_the_catalogue(world: World) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(product_card_id="5f0c3c1e-8f7e-4c55-9a55-2d3f9d6e7a10"),
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "product_card_id", "reason": "is not a product card of the catalogue"}
    ]
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(product_card_id="not-an-id"),
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code in (400, 422)
    assert r.json()["errors"][0]["field"] == "product_card_id"


async def test_a_system_states_only_a_version_the_card_has_and_a_new_cards_own(world: World) -> None:
    first, second = await new_card(world), await new_card(world, product="Samtaleindsigt")
    admin = world.headers("employer_admin", 0)
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(product_card_id=first["id"], product_card_version=2),
        headers=admin,
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "product_card_version", "reason": "the card has versions 1 to 1"}]
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(product_card_id=first["id"], product_card_version=1),
        headers=admin,
    )
    assert r.status_code == 201, r.text
    # Naming another card with the old card's version is no review of the new one.
    r = await world.client.patch(
        f"{API}/systems/{r.json()['id']}",
        json={"product_card_id": second["id"]},
        headers=admin | {"If-Match": r.headers["etag"]},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "product_card_version"
