"""Webhook subscriptions through the API: subscribe, read, change, pause, delete, rotate the secret, send
a test event, list deliveries and redeliver; the outbox the register fills in the transaction of each
change; the access log of every webhook route; and the signing secret, which is shown once and then
never again (not in responses, the database, the access log, error bodies or logs).

`client` is the app as deployed (private and http targets refused); `local_client` is the same app and
database with AIREG_WEBHOOKS_ALLOW_PRIVATE_TARGETS on."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.settings import ApiSettings
from registry.accesslog.tables import AccessLogEntry
from registry.piccolo_app import APP_CONFIG as REGISTRY_APP
from registry.systems.tables import AISystem
from tests.support.world import API, PUBLIC_RECEIVER, World, system_body
from webhooks.outbox import OutboxSink
from webhooks.piccolo_app import APP_CONFIG as WEBHOOKS_APP
from webhooks.runtime import WebhookRuntime
from webhooks.secretbox import SecretBox, SecretUnreadable, load_or_create_key
from webhooks.settings import WebhookSettings
from webhooks.tables import WebhookDelivery, WebhookEvent, WebhookSubscription

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
EVERY_TABLE = (*REGISTRY_APP.table_classes, *WEBHOOKS_APP.table_classes)

# --- helpers -----------------------------------------------------------------------------------------


def admin(world: World, org_index: int = 0) -> dict[str, str]:
    return world.headers("employer_admin", org_index)


def hooks_of(world: World, org_index: int = 0) -> str:
    return f"{API}/organizations/{world.orgs[org_index]}/webhooks"


async def create_webhook(world: World, org_index: int = 0, **body: Any) -> dict[str, Any]:
    """A new subscription of the organization (to a public address unless `url` is given)."""
    body.setdefault("url", f"{PUBLIC_RECEIVER}/extra")
    r = await world.client.post(hooks_of(world, org_index), json=body, headers=admin(world, org_index))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def get_webhook(world: World, hook: str, org_index: int = 0) -> dict[str, Any]:
    r = await world.client.get(f"{API}/webhooks/{hook}", headers=admin(world, org_index))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def patch_webhook(world: World, hook: str, body: dict[str, Any], org_index: int = 0) -> httpx.Response:
    return await world.client.patch(f"{API}/webhooks/{hook}", json=body, headers=admin(world, org_index))


async def send_test(world: World, hook: str, org_index: int = 0) -> dict[str, Any]:
    r = await world.client.post(f"{API}/webhooks/{hook}/test", headers=admin(world, org_index))
    assert r.status_code == 202, r.text
    return dict(r.json())


async def deliveries(world: World, hook: str, org_index: int = 0, **params: Any) -> list[dict[str, Any]]:
    """Every delivery of a subscription listed by the API, newest first (one page of at most 100)."""
    r = await world.client.get(
        f"{API}/webhooks/{hook}/deliveries",
        params={"limit": 100, **params},
        headers=admin(world, org_index),
    )
    assert r.status_code == 200, r.text
    assert r.json()["next_cursor"] is None
    return list(r.json()["items"])


async def event_types_delivered(world: World, hook: str, org_index: int = 0) -> list[str]:
    """The event types queued for a subscription, oldest first, without the world's test event."""
    return [d["event_type"] for d in reversed(await deliveries(world, hook, org_index))][1:]


async def event_count() -> int:
    """Events about systems (a change also raises finding and APV events, counted by their own tests)."""
    return int(await WebhookEvent.count().where(WebhookEvent.type.like("system.%")))


async def set_status_in_db(hook: str, status: str, reason: str | None = None) -> None:
    """What the relay does when it gives up on a subscription (410 Gone, or failing for days)."""
    await WebhookSubscription.update(
        {
            WebhookSubscription.status: status,
            WebhookSubscription.disabled_reason: reason,
            WebhookSubscription.failing_since_us: 1_700_000_000_000_000 if reason else None,
        }
    ).where(WebhookSubscription.id == uuid.UUID(hook))


async def subscription_row(hook: str) -> dict[str, Any]:
    rows = await WebhookSubscription.raw(
        'SELECT * FROM "webhook_subscription" WHERE "id" = {}', uuid.UUID(hook)
    )
    assert len(rows) == 1
    return dict(rows[0])


def as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


async def database_text() -> str:
    """Every value of every row of every table of the register, as one text."""
    parts: list[str] = []
    for table in EVERY_TABLE:
        rows = await table.raw(f'SELECT * FROM "{table._meta.tablename}"')  # noqa: S608 - fixed names
        parts.extend(as_text(value) for row in rows for value in row.values())
    return "\n".join(parts)


async def access_log() -> list[dict[str, Any]]:
    return list(await AccessLogEntry.select().order_by(AccessLogEntry.seq))


def field_errors(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return {e["field"]: e["reason"] for e in response.json().get("errors", [])}


def secrets_key_box(settings: ApiSettings) -> SecretBox:
    """The box made from the key file in the data dir: what the app encrypts secrets with."""
    return SecretBox(load_or_create_key(WebhookSettings(data_dir=settings.data_dir).secrets_key_file))


def webhook_runtime_of(app: Any) -> WebhookRuntime:
    runtime = app.dependencies["webhook_runtime"].dependency()
    assert isinstance(runtime, WebhookRuntime)
    return runtime


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def register_system(world: World, org_index: int = 0) -> str:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[org_index]}/systems",
        json=system_body(name="Vagtplanlægning", unit_ids=[world.units[org_index]]),
        headers=admin(world, org_index),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def patch_system(
    world: World, system: str, body: dict[str, Any], *, version: int, org_index: int = 0
) -> httpx.Response:
    return await world.client.patch(
        f"{API}/systems/{system}", json=body, headers={**admin(world, org_index), "If-Match": f'"{version}"'}
    )


# --- subscribing and the secret ----------------------------------------------------------------------


async def test_subscribing_answers_201_with_location_and_the_secret_once(world: World) -> None:
    r = await world.client.post(
        hooks_of(world),
        json={"url": f"{PUBLIC_RECEIVER}/new", "event_types": ["system.updated"], "description": "HR"},
        headers=admin(world),
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["location"] == f"{API}/webhooks/{created['id']}"
    assert r.headers["cache-control"] == "no-store"
    assert created["secret"].startswith("whsec_")
    assert len(created["secret"]) > len("whsec_") + 30
    assert created["url"] == f"{PUBLIC_RECEIVER}/new"
    assert created["organization_id"] == world.orgs[0]
    assert created["event_types"] == ["system.updated"]
    assert created["description"] == "HR"
    assert (created["status"], created["disabled_reason"], created["failing_since"]) == ("active", None, None)
    assert created["previous_secret_expires_at"] is None
    located = await world.client.get(r.headers["location"], headers=admin(world))
    assert located.status_code == 200
    assert located.json() == {key: value for key, value in created.items() if key != "secret"}


async def test_the_secret_is_never_returned_after_creation(world: World) -> None:
    created = await create_webhook(world)
    secret, hook = created["secret"], created["id"]
    responses = [
        await world.client.get(f"{API}/webhooks/{hook}", headers=admin(world)),
        await world.client.get(hooks_of(world), headers=admin(world)),
        await patch_webhook(world, hook, {"description": "changed"}),
        await patch_webhook(world, hook, {"status": "paused"}),
        await world.client.post(f"{API}/webhooks/{hook}/test", headers=admin(world)),
        await world.client.get(f"{API}/webhooks/{hook}/deliveries", headers=admin(world)),
    ]
    for response in responses:
        assert response.status_code < 300, response.text
        assert secret not in response.text
        assert '"secret"' not in response.text


async def test_the_secret_is_stored_only_encrypted(world: World) -> None:
    created = await create_webhook(world)
    secret = created["secret"]
    row = await subscription_row(created["id"])
    for value in row.values():
        assert secret not in as_text(value)
        assert secret.removeprefix("whsec_") not in as_text(value)
    assert row["secret"].startswith("v1.")
    everything = await database_text()
    assert secret.removeprefix("whsec_") not in everything


async def test_the_stored_secret_opens_only_with_the_key_file_and_only_in_its_own_row(
    world: World, settings: ApiSettings
) -> None:
    box = secrets_key_box(settings)
    first, second = await create_webhook(world), await create_webhook(world)
    ciphertext = (await subscription_row(first["id"]))["secret"]
    assert box.decrypt(ciphertext, bound_to=first["id"]) == first["secret"]

    # A database dump's ciphertext pasted into another row does not open there.
    await WebhookSubscription.update({WebhookSubscription.secret: ciphertext}).where(
        WebhookSubscription.id == uuid.UUID(second["id"])
    )
    pasted = (await subscription_row(second["id"]))["secret"]
    with pytest.raises(SecretUnreadable):
        box.decrypt(pasted, bound_to=second["id"])
    with pytest.raises(SecretUnreadable):
        SecretBox(b"\x01" * 32).decrypt(ciphertext, bound_to=first["id"])


async def test_the_secret_is_not_in_the_access_log(world: World) -> None:
    created = await create_webhook(world)
    rotated = await world.client.post(f"{API}/webhooks/{created['id']}/rotate-secret", headers=admin(world))
    assert rotated.status_code == 200
    log = await access_log()
    assert log[-1]["action"] == "rotate_secret"
    text = "\n".join(as_text(value) for entry in log for value in entry.values())
    for secret in (created["secret"], rotated.json()["secret"]):
        assert secret.removeprefix("whsec_") not in text


async def test_error_bodies_and_logs_never_echo_a_secret(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = await create_webhook(world)
    secret, hook = created["secret"], created["id"]
    refused = [
        await patch_webhook(world, hook, {"secret": secret}),
        await patch_webhook(world, hook, {"url": secret}),
        await patch_webhook(world, hook, {"url": f"http://93.184.215.14/?s={secret}"}),
        await patch_webhook(world, hook, {"event_types": [secret]}),
        await patch_webhook(world, hook, {"status": secret}),
        await patch_webhook(world, hook, {"description": secret * 200}),
        await world.client.post(
            hooks_of(world), json={"url": PUBLIC_RECEIVER, "secret": secret}, headers=admin(world)
        ),
        await world.client.get(
            f"{API}/webhooks/{hook}/deliveries?cursor={secret[:60]}", headers=admin(world)
        ),
    ]
    for response in refused:
        assert 400 <= response.status_code < 500, response.text
        assert secret.removeprefix("whsec_")[:20] not in response.text
    # The test's own HTTP client logs the URLs it requests; what the app logs is checked.
    app_logs = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith(("httpx", "httpcore"))
    )
    assert secret.removeprefix("whsec_") not in app_logs


# --- event types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [{}, {"event_types": []}, {"event_types": None}], ids=["omitted", "empty", "null"]
)
async def test_no_event_types_means_all(world: World, body: dict[str, Any]) -> None:
    created = await create_webhook(world, **body)
    assert created["event_types"] == []


async def test_duplicate_event_types_collapse_in_order(world: World) -> None:
    created = await create_webhook(
        world, event_types=["system.retired", "system.updated", "system.retired", "system.updated"]
    )
    assert created["event_types"] == ["system.retired", "system.updated"]
    assert (await get_webhook(world, created["id"]))["event_types"] == ["system.retired", "system.updated"]


async def test_an_unknown_event_type_is_422_naming_its_index(world: World) -> None:
    before = await world.client.get(hooks_of(world), headers=admin(world))
    r = await world.client.post(
        hooks_of(world),
        json={"url": PUBLIC_RECEIVER, "event_types": ["system.updated", "system.deleted", "System.Updated"]},
        headers=admin(world),
    )
    assert r.status_code == 422
    errors = field_errors(r)
    assert set(errors) == {"event_types[1]", "event_types[2]"}
    assert "system.updated" in errors["event_types[1]"]  # the reason lists the known types
    after = await world.client.get(hooks_of(world), headers=admin(world))
    assert after.json() == before.json()


@pytest.mark.parametrize(
    "event_types", ["system.updated", {"system.updated": True}, 7], ids=["text", "object", "number"]
)
async def test_event_types_that_are_not_a_list_are_400(world: World, event_types: Any) -> None:
    r = await world.client.post(
        hooks_of(world), json={"url": PUBLIC_RECEIVER, "event_types": event_types}, headers=admin(world)
    )
    assert r.status_code == 400
    assert "event_types" in field_errors(r)


async def test_patching_an_unknown_event_type_is_422_and_changes_nothing(world: World) -> None:
    hook = world.webhooks[0]
    before = await get_webhook(world, hook)
    r = await patch_webhook(world, hook, {"event_types": ["finding.opened", "finding.closed"]})
    assert r.status_code == 422
    assert set(field_errors(r)) == {"event_types[1]"}
    assert await get_webhook(world, hook) == before


# --- target URLs -------------------------------------------------------------------------------------

REFUSED_URLS = [
    pytest.param("http://93.184.215.14/hooks", "https", id="http"),
    pytest.param("https://127.0.0.1/hooks", "loopback", id="loopback"),
    pytest.param("https://127.8.9.10:8443/hooks", "loopback", id="loopback-range"),
    pytest.param("https://[::1]/hooks", "loopback", id="ipv6-loopback"),
    pytest.param("https://10.1.2.3/hooks", "private", id="private-10"),
    pytest.param("https://192.168.0.10/hooks", "private", id="private-192"),
    pytest.param("https://169.254.169.254/latest/meta-data", "link-local", id="cloud-metadata"),
    pytest.param("https://100.64.0.1/hooks", "shared", id="cgnat"),
    pytest.param("https://[fd00::1]/hooks", "private", id="unique-local"),
    pytest.param("https://[::ffff:127.0.0.1]/hooks", "loopback", id="ipv4-mapped-loopback"),
    pytest.param("https://[::ffff:10.0.0.1]/hooks", "private", id="ipv4-mapped-private"),
    pytest.param("https://localhost/hooks", "loopback", id="localhost"),
    pytest.param("https://api.localhost/hooks", "loopback", id="localhost-subdomain"),
    pytest.param("https://user:pw@93.184.215.14/hooks", "user name", id="userinfo"),
    pytest.param("https://93.184.215.14/hooks#top", "fragment", id="fragment"),
    pytest.param("https://2130706433/hooks", "host name", id="decimal-ipv4"),
    pytest.param("https://0x7f.1/hooks", "host name", id="hex-ipv4"),
    pytest.param("https://0.0.0.0/hooks", "unspecified", id="unspecified"),
    pytest.param("https://93.184.215.14/" + "a" * 2100, "2048", id="too-long"),
    pytest.param("https://93.184.215.14/ho oks", "whitespace", id="whitespace"),
    pytest.param("ftp://93.184.215.14/hooks", "https", id="ftp"),
    pytest.param("https:///hooks", "host", id="no-host"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED_URLS)
async def test_a_target_that_is_not_a_public_https_endpoint_is_422_naming_url(
    world: World, url: str, reason: str
) -> None:
    r = await world.client.post(hooks_of(world), json={"url": url}, headers=admin(world))
    assert r.status_code == 422, r.text
    errors = field_errors(r)
    assert list(errors) == ["url"]
    assert reason in errors["url"]
    hooks = (await world.client.get(hooks_of(world), headers=admin(world))).json()
    assert [h["id"] for h in hooks] == [world.webhooks[0]]


async def test_the_development_setting_allows_http_and_loopback(
    world: World, local_client: httpx.AsyncClient
) -> None:
    url = "http://127.0.0.1:9/x"
    refused = await world.client.post(hooks_of(world), json={"url": url}, headers=admin(world))
    assert refused.status_code == 422
    r = await local_client.post(hooks_of(world), json={"url": url}, headers=admin(world))
    assert r.status_code == 201, r.text
    assert r.json()["url"] == url


async def test_the_development_setting_still_refuses_unspecified_and_multicast(
    world: World, local_client: httpx.AsyncClient
) -> None:
    for url in ("http://0.0.0.0:9/x", "http://224.0.0.1/x", "http://[::]/x"):
        r = await local_client.post(hooks_of(world), json={"url": url}, headers=admin(world))
        assert r.status_code == 422, url
        assert list(field_errors(r)) == ["url"]


async def test_a_host_name_resolving_to_a_private_address_is_refused(
    world: World, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {"hooks.example.dk": ["93.184.215.14"], "intranet.example.dk": ["10.0.0.7"]}
    answers["mixed.example.dk"] = ["93.184.215.14", "192.168.1.1"]

    async def resolver(host: str, port: int) -> list[str]:
        return answers[host]

    monkeypatch.setattr(webhook_runtime_of(app), "resolver", resolver)
    for host in ("intranet.example.dk", "mixed.example.dk"):
        r = await world.client.post(hooks_of(world), json={"url": f"https://{host}/h"}, headers=admin(world))
        assert r.status_code == 422, host
        assert "private" in field_errors(r)["url"]
    ok = await world.client.post(
        hooks_of(world), json={"url": "https://hooks.example.dk/h"}, headers=admin(world)
    )
    assert ok.status_code == 201, ok.text


async def test_patching_a_refused_url_is_422_and_changes_nothing(world: World) -> None:
    hook = world.webhooks[0]
    before = await get_webhook(world, hook)
    r = await patch_webhook(world, hook, {"url": "https://169.254.169.254/", "description": "new"})
    assert r.status_code == 422
    assert list(field_errors(r)) == ["url"]
    assert await get_webhook(world, hook) == before


# --- changing, pausing, re-enabling ------------------------------------------------------------------


async def test_patch_changes_url_event_types_and_description(world: World) -> None:
    hook = world.webhooks[0]
    before = await get_webhook(world, hook)
    r = await patch_webhook(
        world,
        hook,
        {"url": f"{PUBLIC_RECEIVER}/moved", "event_types": ["system.retired"], "description": "Nyt system"},
    )
    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["url"] == f"{PUBLIC_RECEIVER}/moved"
    assert changed["event_types"] == ["system.retired"]
    assert changed["description"] == "Nyt system"
    assert moment(changed["updated_at"]) > moment(before["updated_at"])
    assert changed["created_at"] == before["created_at"]
    assert await get_webhook(world, hook) == changed


async def test_patch_leaves_fields_it_does_not_name(world: World) -> None:
    created = await create_webhook(world, event_types=["system.updated"], description="HR")
    r = await patch_webhook(world, created["id"], {"description": "Løn"})
    assert r.status_code == 200
    assert (r.json()["url"], r.json()["event_types"]) == (created["url"], ["system.updated"])


async def test_pausing_and_resuming(world: World) -> None:
    hook = world.webhooks[0]
    paused = await patch_webhook(world, hook, {"status": "paused"})
    assert (paused.status_code, paused.json()["status"]) == (200, "paused")
    assert (await get_webhook(world, hook))["status"] == "paused"
    resumed = await patch_webhook(world, hook, {"status": "active"})
    assert (resumed.status_code, resumed.json()["status"]) == (200, "active")


@pytest.mark.parametrize("status", ["disabled", "deleted", "ACTIVE", 1])
async def test_a_status_other_than_active_or_paused_is_400(world: World, status: Any) -> None:
    hook = world.webhooks[0]
    before = await get_webhook(world, hook)
    r = await patch_webhook(world, hook, {"status": status})
    assert r.status_code == 400
    assert "status" in field_errors(r)
    assert await get_webhook(world, hook) == before


async def test_setting_a_disabled_subscription_active_enables_it_again(world: World) -> None:
    hook = world.webhooks[0]
    await set_status_in_db(hook, "disabled", "The receiver answered 410 Gone.")
    disabled = await get_webhook(world, hook)
    assert (disabled["status"], disabled["disabled_reason"]) == (
        "disabled",
        "The receiver answered 410 Gone.",
    )
    assert disabled["failing_since"] is not None
    r = await patch_webhook(world, hook, {"status": "active"})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["disabled_reason"], r.json()["failing_since"]) == (
        "active",
        None,
        None,
    )
    row = await subscription_row(hook)
    assert (row["disabled_reason"], row["failing_since_us"]) == (None, None)


async def test_a_disabled_subscription_paused_and_then_resumed_is_enabled_cleanly(world: World) -> None:
    hook = world.webhooks[0]
    await set_status_in_db(hook, "disabled", "Every delivery failed for 5 days.")
    paused = await patch_webhook(world, hook, {"status": "paused"})
    assert paused.status_code == 200
    resumed = await patch_webhook(world, hook, {"status": "active"})
    assert resumed.status_code == 200
    body = resumed.json()
    assert (body["status"], body["disabled_reason"], body["failing_since"]) == ("active", None, None)


async def test_patching_an_unknown_subscription_is_404(world: World) -> None:
    r = await patch_webhook(world, UNKNOWN_ID, {"status": "paused"})
    assert r.status_code == 404


# --- deleting ----------------------------------------------------------------------------------------


async def test_delete_is_204_and_the_subscription_is_gone(world: World) -> None:
    hook = world.webhooks[0]
    r = await world.client.delete(f"{API}/webhooks/{hook}", headers=admin(world))
    assert r.status_code == 204
    assert r.content == b""
    assert (await world.client.get(f"{API}/webhooks/{hook}", headers=admin(world))).status_code == 404
    assert (await world.client.get(hooks_of(world), headers=admin(world))).json() == []
    again = await world.client.delete(f"{API}/webhooks/{hook}", headers=admin(world))
    assert again.status_code == 404
    for method, path in (
        ("PATCH", ""),
        ("POST", "/rotate-secret"),
        ("POST", "/test"),
        ("GET", "/deliveries"),
        ("POST", f"/deliveries/{world.deliveries[0]}/redeliver"),
    ):
        r = await world.client.request(
            method,
            f"{API}/webhooks/{hook}{path}",
            json={} if method == "PATCH" else None,
            headers=admin(world),
        )
        assert r.status_code == 404, (method, path)


async def test_deleting_cancels_what_was_still_queued(world: World) -> None:
    hook = world.webhooks[0]
    await send_test(world, hook)
    await register_system(world)
    r = await world.client.delete(f"{API}/webhooks/{hook}", headers=admin(world))
    assert r.status_code == 204
    rows = await WebhookDelivery.select().where(WebhookDelivery.subscription == uuid.UUID(hook))
    assert len(rows) == 3
    assert {row["status"] for row in rows} == {"cancelled"}
    assert all(row["completed_at"] is not None for row in rows)
    other_org = await WebhookDelivery.select().where(
        WebhookDelivery.subscription == uuid.UUID(world.webhooks[1])
    )
    assert {row["status"] for row in other_org} == {"pending"}


async def test_a_deleted_subscription_receives_no_new_events(world: World) -> None:
    hook = world.webhooks[0]
    await world.client.delete(f"{API}/webhooks/{hook}", headers=admin(world))
    await register_system(world)
    rows = await WebhookDelivery.select().where(WebhookDelivery.subscription == uuid.UUID(hook))
    assert len(rows) == 1  # the world's test delivery, cancelled


# --- rotating the secret -----------------------------------------------------------------------------


async def test_rotating_gives_a_new_secret_once_and_keeps_the_old_one_for_24_hours(
    world: World, settings: ApiSettings
) -> None:
    created = await create_webhook(world)
    hook = created["id"]
    r = await world.client.post(f"{API}/webhooks/{hook}/rotate-secret", headers=admin(world))
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    rotated = r.json()
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != created["secret"]
    expires = moment(rotated["previous_secret_expires_at"])
    expected = datetime.now(UTC) + timedelta(hours=24)
    assert abs(expires - expected) < timedelta(minutes=1)
    listed = {h["id"]: h for h in (await world.client.get(hooks_of(world), headers=admin(world))).json()}
    assert listed[hook]["previous_secret_expires_at"] == rotated["previous_secret_expires_at"]
    assert "secret" not in listed[hook]
    assert (
        rotated["secret"] not in (await world.client.get(f"{API}/webhooks/{hook}", headers=admin(world))).text
    )

    box = secrets_key_box(settings)
    row = await subscription_row(hook)
    assert box.decrypt(row["secret"], bound_to=hook) == rotated["secret"]
    assert box.decrypt(row["previous_secret"], bound_to=hook) == created["secret"]


# --- test events -------------------------------------------------------------------------------------


async def test_a_test_event_is_queued_for_that_subscription_alone(world: World) -> None:
    hook = world.webhooks[0]
    sibling = await create_webhook(world)
    r = await world.client.post(f"{API}/webhooks/{hook}/test", headers=admin(world))
    assert r.status_code == 202, r.text
    delivery = r.json()
    assert delivery["event_type"] == "webhook.test"
    assert delivery["status"] == "pending"
    assert delivery["webhook_id"].startswith("msg_")
    assert (delivery["attempts"], delivery["redelivery_of"], delivery["status_code"]) == (0, None, None)
    assert delivery["next_attempt_at"] is not None
    assert (await deliveries(world, hook))[0] == delivery
    assert await deliveries(world, sibling["id"]) == []
    assert [d["id"] for d in await deliveries(world, world.webhooks[1], 1)] == [world.deliveries[1]]


async def test_a_test_event_reaches_a_subscription_filtered_to_other_types(world: World) -> None:
    created = await create_webhook(world, event_types=["system.retired"])
    delivery = await send_test(world, created["id"])
    assert delivery["event_type"] == "webhook.test"


async def test_a_paused_subscription_can_be_sent_a_test_event(world: World) -> None:
    hook = world.webhooks[0]
    await patch_webhook(world, hook, {"status": "paused"})
    delivery = await send_test(world, hook)
    assert delivery["status"] == "pending"


async def test_a_test_event_for_a_disabled_subscription_is_409_and_leaves_no_event(world: World) -> None:
    hook = world.webhooks[0]
    await set_status_in_db(hook, "disabled", "The receiver answered 410 Gone.")
    events, queued = await event_count(), await WebhookDelivery.count()
    r = await world.client.post(f"{API}/webhooks/{hook}/test", headers=admin(world))
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (await event_count(), await WebhookDelivery.count()) == (events, queued)


# --- listing deliveries ------------------------------------------------------------------------------


async def test_deliveries_are_listed_newest_first(world: World) -> None:
    hook = world.webhooks[0]
    sent = [await send_test(world, hook) for _ in range(3)]
    listed = await deliveries(world, hook)
    assert [d["id"] for d in listed] == [s["id"] for s in reversed(sent)] + [world.deliveries[0]]
    assert [int(d["id"]) for d in listed] == sorted((int(d["id"]) for d in listed), reverse=True)


async def test_deliveries_page_with_limit_and_cursor(world: World) -> None:
    hook = world.webhooks[0]
    for _ in range(6):
        await send_test(world, hook)
    everything = [d["id"] for d in await deliveries(world, hook)]
    assert len(everything) == 7
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        r = await world.client.get(f"{API}/webhooks/{hook}/deliveries", params=params, headers=admin(world))
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= 3
        seen.extend(d["id"] for d in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert (pages, seen) == (3, everything)


async def test_a_delivery_queued_while_paging_does_not_shift_later_pages(world: World) -> None:
    hook = world.webhooks[0]
    for _ in range(3):
        await send_test(world, hook)
    first = (await world.client.get(f"{API}/webhooks/{hook}/deliveries?limit=2", headers=admin(world))).json()
    await send_test(world, hook)
    rest = await world.client.get(
        f"{API}/webhooks/{hook}/deliveries",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=admin(world),
    )
    older = [int(d["id"]) for d in rest.json()["items"]]
    assert len(older) == 2
    assert max(older) < min(int(d["id"]) for d in first["items"])


async def test_deliveries_filter_by_status(world: World) -> None:
    hook = world.webhooks[0]
    done, waiting = await send_test(world, hook), await send_test(world, hook)
    await WebhookDelivery.update({WebhookDelivery.status: "succeeded"}).where(
        WebhookDelivery.id == int(done["id"])
    )
    succeeded = await deliveries(world, hook, status="succeeded")
    assert [d["id"] for d in succeeded] == [done["id"]]
    assert succeeded[0]["next_attempt_at"] is None
    pending = await deliveries(world, hook, status="pending")
    assert [d["id"] for d in pending] == [waiting["id"], world.deliveries[0]]
    assert await deliveries(world, hook, status="cancelled") == []


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=many",
        "status=sent",
        "cursor=not-a-cursor",
        "cursor=" + "A" * 201,
    ],
)
async def test_bad_delivery_list_parameters_are_400(world: World, query: str) -> None:
    r = await world.client.get(f"{API}/webhooks/{world.webhooks[0]}/deliveries?{query}", headers=admin(world))
    assert r.status_code == 400, r.text
    assert query.partition("=")[0] in field_errors(r)


# --- redelivering ------------------------------------------------------------------------------------


async def test_redelivery_queues_the_same_message_again(world: World) -> None:
    hook, original = world.webhooks[0], world.deliveries[0]
    first = (await deliveries(world, hook))[0]
    events = await event_count()
    r = await world.client.post(
        f"{API}/webhooks/{hook}/deliveries/{original}/redeliver", headers=admin(world)
    )
    assert r.status_code == 202, r.text
    again = r.json()
    assert again["id"] != original
    assert (again["webhook_id"], again["event_type"]) == (first["webhook_id"], first["event_type"])
    assert (again["redelivery_of"], again["status"], again["attempts"]) == (original, "pending", 0)
    assert [d["id"] for d in await deliveries(world, hook)] == [again["id"], original]
    assert await event_count() == events  # the same event, sent again


async def test_redelivering_an_unknown_delivery_is_404(world: World) -> None:
    r = await world.client.post(
        f"{API}/webhooks/{world.webhooks[0]}/deliveries/987654321/redeliver", headers=admin(world)
    )
    assert r.status_code == 404
    assert r.json()["detail"] == "Delivery not found."


async def test_a_delivery_of_another_subscription_cannot_be_redelivered_through_this_one(
    world: World,
) -> None:
    sibling = await create_webhook(world)
    theirs = await send_test(world, sibling["id"])
    unknown = await world.client.post(
        f"{API}/webhooks/{world.webhooks[0]}/deliveries/987654321/redeliver", headers=admin(world)
    )
    r = await world.client.post(
        f"{API}/webhooks/{world.webhooks[0]}/deliveries/{theirs['id']}/redeliver", headers=admin(world)
    )
    assert r.status_code == 404
    assert r.json() == unknown.json()
    assert [d["id"] for d in await deliveries(world, sibling["id"])] == [theirs["id"]]
    assert [d["id"] for d in await deliveries(world, world.webhooks[0])] == [world.deliveries[0]]


# --- the outbox the register fills -------------------------------------------------------------------


async def test_registering_a_system_queues_one_delivery_per_matching_subscription(world: World) -> None:
    everything = world.webhooks[0]
    registrations = await create_webhook(world, event_types=["system.registered"])
    retirements = await create_webhook(world, event_types=["system.retired"])
    events = await event_count()
    await register_system(world)
    assert await event_count() == events + 1
    assert await event_types_delivered(world, everything) == ["system.registered"]
    assert [d["event_type"] for d in await deliveries(world, registrations["id"])] == ["system.registered"]
    assert await deliveries(world, retirements["id"]) == []
    assert await event_types_delivered(world, world.webhooks[1], 1) == []  # another organization's
    queued = await WebhookDelivery.select().where(WebhookDelivery.status == "pending")
    assert len(queued) == 2 + 2  # two for the system, the world's two test deliveries
    one_message = {(await deliveries(world, h))[0]["webhook_id"] for h in (everything, registrations["id"])}
    assert len(one_message) == 1


async def test_each_kind_of_system_change_queues_its_event(world: World) -> None:
    hook, system = world.webhooks[0], world.systems[0]
    changes = [
        ({"purpose": "Planlægger ruter og besøg."}, "system.updated"),
        ({"status": "in_use"}, "system.status_changed"),
        ({"status": "retired", "change_note": "Udfaset"}, "system.retired"),
    ]
    for version, (body, _) in enumerate(changes, start=1):
        r = await patch_system(world, system, body, version=version)
        assert r.status_code == 200, r.text
    assert await event_types_delivered(world, hook) == [kind for _, kind in changes]


async def test_a_subscription_filtered_to_retirements_gets_only_the_retirement(world: World) -> None:
    retirements = await create_webhook(world, event_types=["system.retired"])
    system = await register_system(world)
    for version, body in enumerate(
        ({"purpose": "Ny formulering."}, {"status": "in_use"}, {"status": "retired"}), 1
    ):
        assert (await patch_system(world, system, body, version=version)).status_code == 200
    assert [d["event_type"] for d in await deliveries(world, retirements["id"])] == ["system.retired"]


async def test_the_stored_event_is_thin(world: World) -> None:
    r = await patch_system(world, world.systems[0], {"purpose": "Hemmelig formålsbeskrivelse"}, version=1)
    assert r.status_code == 200
    event = await WebhookEvent.select().order_by(WebhookEvent.id, ascending=False).first()
    assert event is not None
    assert event["type"] == "system.updated"
    assert world.systems[0] in event["payload"]
    assert '"changed_fields":["purpose"' in event["payload"]
    assert "Hemmelig formålsbeskrivelse" not in event["payload"]


@pytest.mark.parametrize(
    ("body", "if_match", "status"),
    [
        pytest.param({"status": "in_use"}, '"7"', 412, id="stale-if-match"),
        pytest.param({"status": "in_use"}, None, 428, id="no-if-match"),
        pytest.param({"hat": 1}, '"1"', 400, id="unknown-field"),
        pytest.param({"status": "gone"}, '"1"', 400, id="bad-status"),
        pytest.param(
            {"go_live_at": "2025-05-01", "status": "retired", "retired_at": "2025-01-01"},
            '"1"',
            422,
            id="contradiction",
        ),
    ],
)
async def test_a_system_change_that_fails_queues_no_event(
    world: World, body: dict[str, Any], if_match: str | None, status: int
) -> None:
    events, queued = await event_count(), await WebhookDelivery.count()
    headers = {**admin(world), **({"If-Match": if_match} if if_match else {})}
    r = await world.client.patch(f"{API}/systems/{world.systems[0]}", json=body, headers=headers)
    assert r.status_code == status, r.text
    assert (await event_count(), await WebhookDelivery.count()) == (events, queued)


async def test_a_change_whose_event_cannot_be_stored_is_not_saved(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = OutboxSink._store

    async def store_then_fail(self: OutboxSink, event: Any) -> None:
        await store(self, event)
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(OutboxSink, "_store", store_then_fail)
    events, queued = await event_count(), await WebhookDelivery.count()
    r = await patch_system(world, world.systems[0], {"status": "in_use"}, version=1)
    assert r.status_code == 500
    monkeypatch.undo()
    assert (await event_count(), await WebhookDelivery.count()) == (events, queued)
    row = await AISystem.select(AISystem.version).where(AISystem.id == uuid.UUID(world.systems[0])).first()
    assert row is not None
    assert row["version"] == 1


async def test_a_paused_subscription_keeps_queueing(world: World) -> None:
    hook = world.webhooks[0]
    await patch_webhook(world, hook, {"status": "paused"})
    await register_system(world)
    queued = await deliveries(world, hook)
    assert [(d["event_type"], d["status"]) for d in queued] == [
        ("system.registered", "pending"),
        ("webhook.test", "pending"),
    ]


async def test_a_disabled_subscription_gets_nothing_queued(world: World) -> None:
    hook = world.webhooks[0]
    await set_status_in_db(hook, "disabled", "The receiver answered 410 Gone.")
    events = await event_count()
    await register_system(world)
    assert await event_count() == events + 1  # the event is stored all the same
    assert [d["event_type"] for d in await deliveries(world, hook)] == ["webhook.test"]


# --- the access log ----------------------------------------------------------------------------------

WEBHOOK_OPERATIONS = [
    pytest.param(
        "POST", "/organizations/{org}/webhooks", "create", "webhook", "new", 201, id="createWebhook"
    ),
    pytest.param("GET", "/organizations/{org}/webhooks", "list", "webhook", None, 200, id="listWebhooks"),
    pytest.param("GET", "/webhooks/{hook}", "read", "webhook", "hook", 200, id="getWebhook"),
    pytest.param("PATCH", "/webhooks/{hook}", "update", "webhook", "hook", 200, id="updateWebhook"),
    pytest.param("DELETE", "/webhooks/{hook}", "delete", "webhook", "hook", 204, id="deleteWebhook"),
    pytest.param(
        "POST",
        "/webhooks/{hook}/rotate-secret",
        "rotate_secret",
        "webhook",
        "hook",
        200,
        id="rotateWebhookSecret",
    ),
    pytest.param("POST", "/webhooks/{hook}/test", "test", "webhook", "hook", 202, id="testWebhook"),
    pytest.param(
        "GET",
        "/webhooks/{hook}/deliveries",
        "list",
        "webhook_delivery",
        "hook",
        200,
        id="listWebhookDeliveries",
    ),
    pytest.param(
        "POST",
        "/webhooks/{hook}/deliveries/{delivery}/redeliver",
        "redeliver",
        "webhook_delivery",
        "delivery",
        202,
        id="redeliverWebhook",
    ),
]
BODIES = {
    "POST /organizations/{org}/webhooks": {"url": f"{PUBLIC_RECEIVER}/logged"},
    "PATCH /webhooks/{hook}": {},
}


@pytest.mark.parametrize(
    ("method", "path", "action", "resource_type", "resource", "status"), WEBHOOK_OPERATIONS
)
async def test_each_webhook_route_appends_an_access_log_entry(
    world: World, method: str, path: str, action: str, resource_type: str, resource: str | None, status: int
) -> None:
    hook, delivery = world.webhooks[0], world.deliveries[0]
    url = API + path.format(org=world.orgs[0], hook=hook, delivery=delivery)
    body = BODIES.get(f"{method} {path}")
    before = len(await access_log())
    r = await world.client.request(
        method, url, json=body, headers=world.headers("employer_admin", 0, sub="hr@kommune.dk")
    )
    assert r.status_code == status, r.text
    log = await access_log()
    assert len(log) == before + 1
    entry = log[-1]
    assert (entry["action"], entry["resource_type"]) == (action, resource_type)
    assert (entry["outcome"], entry["status"]) == ("allowed", status)
    assert (entry["actor_sub"], entry["actor_role"]) == ("hr@kommune.dk", "employer_admin")
    assert entry["organization_id"] == world.orgs[0]
    assert entry["request_id"] == r.headers["x-request-id"]
    if resource == "new":
        assert entry["resource_id"] == r.json()["id"]
    elif resource == "hook":
        assert entry["resource_id"] == hook
    elif resource == "delivery":  # the delivery named in the path, or the one the redelivery made
        assert entry["resource_id"] in {delivery, r.json()["id"]}
    else:
        assert entry["resource_id"] is None


async def test_a_refused_webhook_request_is_logged_as_rejected(world: World) -> None:
    r = await patch_webhook(world, world.webhooks[0], {"url": "https://10.0.0.1/"})
    assert r.status_code == 422
    entry = (await access_log())[-1]
    assert (entry["action"], entry["resource_type"], entry["resource_id"]) == (
        "update",
        "webhook",
        world.webhooks[0],
    )
    assert (entry["outcome"], entry["status"]) == ("rejected", 422)


# --- who may ----------------------------------------------------------------------------------------

SUBSCRIPTION_ROUTES = [
    ("GET", ""),
    ("PATCH", ""),
    ("DELETE", ""),
    ("POST", "/rotate-secret"),
    ("POST", "/test"),
    ("GET", "/deliveries"),
    ("POST", "/deliveries/1/redeliver"),
]


@pytest.mark.parametrize(
    ("method", "suffix"), SUBSCRIPTION_ROUTES, ids=[f"{m} {s or '/'}" for m, s in SUBSCRIPTION_ROUTES]
)
async def test_another_organizations_webhook_answers_exactly_like_an_unknown_one(
    world: World, method: str, suffix: str
) -> None:
    body = {"status": "paused"} if method == "PATCH" else None
    other = await world.client.request(
        method, f"{API}/webhooks/{world.webhooks[1]}{suffix}", json=body, headers=admin(world)
    )
    unknown = await world.client.request(
        method, f"{API}/webhooks/{UNKNOWN_ID}{suffix}", json=body, headers=admin(world)
    )
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()
    assert set(other.headers) - {"x-request-id"} == set(unknown.headers) - {"x-request-id"}


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_another_organizations_webhook_list_answers_like_an_unknown_organization(
    world: World, method: str
) -> None:
    body = {"url": f"{PUBLIC_RECEIVER}/x"} if method == "POST" else None
    other = await world.client.request(method, hooks_of(world, 1), json=body, headers=admin(world))
    unknown = await world.client.request(
        method, f"{API}/organizations/{UNKNOWN_ID}/webhooks", json=body, headers=admin(world)
    )
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()


async def test_another_organizations_delivery_answers_like_an_unknown_delivery(world: World) -> None:
    own = f"{API}/webhooks/{world.webhooks[0]}/deliveries"
    other = await world.client.post(f"{own}/{world.deliveries[1]}/redeliver", headers=admin(world))
    unknown = await world.client.post(f"{own}/987654321/redeliver", headers=admin(world))
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()
    assert [d["id"] for d in await deliveries(world, world.webhooks[1], 1)] == [world.deliveries[1]]
