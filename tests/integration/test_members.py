"""Members and invitations, with mail through a real SMTP server on loopback (aiosmtpd): invite,
receive, log in with the link; roles and units that follow into open sessions; removal that ends them;
SMTP down, then up, with nothing lost; and who may invite whom."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from registry.accesslog.tables import AccessLogEntry
from registry.sessions.tables import LoginLink
from tests.support.mail import Inbox, free_port, relay
from tests.support.pages import OpenBrowser, employer, form_value, steward
from tests.support.world import API, World
from webhooks.mail import MailRelay
from webhooks.settings import MailSettings
from webhooks.tables import MailMessage, WebhookEvent


@pytest.fixture(autouse=True)
async def no_earlier_mail(world: World) -> None:
    """The world's own invitations (one member per organization) are not these tests' mail."""
    await MailMessage.delete(force=True)


def invite_body(**fields: Any) -> dict[str, Any]:
    return {
        "email": "tina.holm@kommune.example",
        "name": "Tina Holm",
        "role": "steward",
        "title": "TR",
    } | fields


async def invite(world: World, org: int = 0, as_role: str = "employer_admin", **fields: Any) -> Any:
    headers = world.headers(as_role, org) if as_role != "platform_admin" else world.headers(as_role, None)
    return await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/members", json=invite_body(**fields), headers=headers
    )


def link_in(message: EmailMessage) -> str:
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    found = re.search(r"https?://\S+/login/\S+", text.get_content())
    assert found, text.get_content()
    return found.group(0)


async def test_an_invitation_arrives_and_its_link_logs_the_member_in(
    world: World, smtp: tuple[Inbox, int], browser: OpenBrowser
) -> None:
    inbox, port = smtp
    r = await invite(world, units=[world.units[0]])
    assert r.status_code == 201, r.text
    member = r.json()
    assert (member["sub"], member["role"], member["units"], member["title"]) == (
        "tina.holm@kommune.example",
        "steward",
        [world.units[0]],
        "TR",
    )
    assert r.headers["location"] == f"/api/v1/organizations/{world.orgs[0]}/members/{member['id']}"
    # Written to the outbox with the member; sent by the relay through SMTP.
    assert await MailMessage.count().where(MailMessage.status == "pending") == 1
    assert await relay(port).send_due() == 1
    [message] = inbox.messages
    assert message["To"] == "tina.holm@kommune.example"
    assert message["Subject"] == "Du er inviteret til AI-registret hos Organisation 0"
    assert message["Content-Language"] == "da"
    assert inbox.envelopes[0] == ("register@kommune.example", ["tina.holm@kommune.example"])
    assert message.get_body(preferencelist=("html",)) is not None
    assert "Kære Tina Holm" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert await MailMessage.count().where(MailMessage.status == "sent") == 1
    # The link logs in as that member.
    token = link_in(message).rsplit("/", 1)[1]
    client = await browser()
    page = await client.get(f"/login/{token}")
    assert page.status_code == 200
    r = await client.post("/login", data={"token": token, "csrf": form_value(page.text, "csrf")})
    assert r.status_code == 303
    assert (await client.get("/register")).status_code == 200
    listed = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/members", headers=world.headers("employer_admin", 0)
    )
    [row] = [m for m in listed.json() if m["id"] == member["id"]]
    assert row["last_login_at"] is not None
    # Told to subscribers and written to the access log.
    invited = await WebhookEvent.select(WebhookEvent.payload).where(WebhookEvent.type == "member.invited")
    assert member["id"] in [json.loads(row["payload"])["data"]["member_id"] for row in invited]
    entries = await AccessLogEntry.select().where(AccessLogEntry.resource_id == member["id"])
    assert ("invite", "member", "allowed") in [
        (e["action"], e["resource_type"], e["outcome"]) for e in entries
    ]


async def test_an_invitation_in_english_and_with_an_identity_providers_subject(
    world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    r = await invite(
        world, email="jo@example.com", name="Jo", role="auditor", language="en", sub="idp|4711", title=None
    )
    assert r.status_code == 201, r.text
    assert r.json()["sub"] == "idp|4711"
    await relay(port).send_due()
    [message] = inbox.messages
    assert message["Subject"] == "You are invited to the AI register of Organisation 0"
    assert message["Content-Language"] == "en"


async def test_who_may_invite_whom(world: World) -> None:
    assert (await invite(world)).status_code == 201
    again = await invite(world, email="TINA.HOLM@kommune.example")  # the same address, other case
    assert again.status_code == 409
    other = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/members",
        json=invite_body(email="x@example.com"),
        headers=world.headers("employer_admin", 1),
    )
    assert other.status_code == 404
    assert (await invite(world, email="p@example.com", role="platform_admin")).status_code == 403
    steward = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/members",
        json=invite_body(email="s@example.com"),
        headers=world.headers("steward", 0),
    )
    assert steward.status_code == 403
    units_for_auditor = await invite(world, email="a@example.com", role="auditor", units=[world.units[0]])
    assert units_for_auditor.status_code == 422
    assert units_for_auditor.json()["errors"][0]["field"] == "units"
    foreign_unit = await invite(world, email="b@example.com", units=[world.units[1]])
    assert foreign_unit.status_code == 422
    # A platform admin invites an organization's first employer admin the same way.
    first = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/members",
        json=invite_body(email="chef@kommune.example", role="employer_admin", title=None),
        headers=world.headers("platform_admin", None),
    )
    assert first.status_code == 201, first.text
    assert await MailMessage.count() == 2  # the two invitations, nothing for the refused ones


async def test_a_role_change_follows_into_open_sessions_and_removal_ends_them(
    world: World, smtp: tuple[Inbox, int], browser: OpenBrowser
) -> None:
    inbox, port = smtp
    member = (await invite(world)).json()
    await relay(port).send_due()
    token = link_in(inbox.messages[0]).rsplit("/", 1)[1]
    client = await browser()
    page = await client.get(f"/login/{token}")
    await client.post("/login", data={"token": token, "csrf": form_value(page.text, "csrf")})
    assert (await client.get("/register/new")).status_code == 403  # a steward
    admin = world.headers("employer_admin", 0)
    url = f"{API}/organizations/{world.orgs[0]}/members/{member['id']}"
    r = await world.client.patch(url, json={"role": "employer_admin"}, headers=admin)
    assert r.status_code == 200, r.text
    assert (r.json()["role"], r.json()["units"]) == ("employer_admin", None)
    assert (await client.get("/register/new")).status_code == 200  # at once, in the open session
    assert (await world.client.patch(url, json={"role": "platform_admin"}, headers=admin)).status_code == 403
    r = await world.client.delete(url, headers=admin)
    assert r.status_code == 204
    assert (await client.get("/register")).status_code == 401  # the session ended at once
    assert (await world.client.delete(url, headers=admin)).status_code == 404
    rows = (
        await WebhookEvent.select(WebhookEvent.type, WebhookEvent.payload)
        .where(WebhookEvent.type.like("member.%"))
        .order_by(WebhookEvent.id)
    )
    kinds = [row["type"] for row in rows if json.loads(row["payload"])["data"]["member_id"] == member["id"]]
    assert kinds == ["member.invited", "member.changed", "member.removed"]


async def test_with_the_smtp_server_down_nothing_is_lost(world: World, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    assert (await invite(world)).status_code == 201
    down = relay(free_port())  # nothing listens there: connection refused
    assert await down.send_due() == 0
    [row] = await MailMessage.select()
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert "Connection refused" in row["last_error"] or "Errno" in row["last_error"]
    assert await relay(port).send_due() == 1  # the server is up again: the same mail goes out
    assert len(inbox.messages) == 1
    [row] = await MailMessage.select()
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, None)


def test_the_retry_schedule_is_short_then_every_quarter_of_an_hour_for_three_days() -> None:
    mail = MailRelay(MailSettings(smtp_host="127.0.0.1"))
    assert [mail.delay_after(n) for n in range(1, 7)] == [10, 30, 60, 120, 300, 900]
    assert mail.delay_after(280) == 900
    assert mail.delay_after(300) is None  # about three days of trying: given up (and logged)


async def test_a_lost_link_is_asked_for_by_address_and_the_answer_is_the_same_for_any_address(
    world: World, smtp: tuple[Inbox, int], browser: OpenBrowser
) -> None:
    inbox, port = smtp
    assert (await invite(world)).status_code == 201
    await MailMessage.delete(force=True)  # the invitation itself is not what this test reads
    # The invitation's link was made a while ago (a new link is sent at most every 2 minutes).
    await LoginLink.update({LoginLink.created_at: datetime.now(UTC) - timedelta(minutes=10)}, force=True)
    client = await browser()
    known = await client.post("/login-link", data={"email": "Tina.Holm@kommune.example"})
    unknown = await client.post("/login-link", data={"email": "nobody@example.com"})
    assert (known.status_code, known.headers["location"]) == (303, "/?requested=1#request-link")
    assert (unknown.status_code, unknown.headers["location"]) == (303, "/?requested=1#request-link")
    page = await client.get("/?requested=1")
    assert "har vi sendt et nyt link" in page.text
    assert await relay(port).send_due() == 1  # only the known address gets mail
    [message] = inbox.messages
    assert message["Subject"] == "Dit nye link til AI-registret hos Organisation 0"
    token = link_in(message).rsplit("/", 1)[1]
    page = await client.get(f"/login/{token}")
    r = await client.post("/login", data={"token": token, "csrf": form_value(page.text, "csrf")})
    assert r.status_code == 303
    # Asking again at once sends nothing more (a form anyone can send cannot flood a mailbox).
    await client.post("/login-link", data={"email": "tina.holm@kommune.example"})
    assert await MailMessage.count().where(MailMessage.status == "pending") == 0
    # Another site's form is refused before it is read.
    foreign = await client.post(
        "/login-link", data={"email": "tina.holm@kommune.example"}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403


async def test_a_member_chooses_a_digest_in_the_api_and_on_a_page(
    world: World, smtp: tuple[Inbox, int], browser: OpenBrowser
) -> None:
    inbox, port = smtp
    member = (await invite(world)).json()
    assert member["digest"] == "weekly"  # a steward's default
    token = world.token("steward", world.orgs[0], sub=member["sub"])
    me = {"Authorization": f"Bearer {token}"}
    r = await world.client.get(f"{API}/me/preferences", headers=me)
    assert (r.status_code, r.json()) == (200, {"digest": "weekly", "language": "da"})
    r = await world.client.patch(f"{API}/me/preferences", json={"digest": "daily"}, headers=me)
    assert (r.status_code, r.json()["digest"]) == (200, "daily")
    r = await world.client.patch(f"{API}/me/preferences", json={"digest": "hourly"}, headers=me)
    assert r.status_code == 400
    # Someone logged in without a membership has nothing to choose.
    stranger = await world.client.get(f"{API}/me/preferences", headers=world.headers("steward", 0))
    assert stranger.status_code == 404
    # The page, as the invited member.
    await relay(port).send_due()
    link = link_in(inbox.messages[0])
    token = link.rsplit("/", 1)[1]
    client = await browser()
    page = await client.get(f"/login/{token}")
    await client.post("/login", data={"token": token, "csrf": form_value(page.text, "csrf")})
    page = await client.get("/preferences")
    assert page.status_code == 200
    assert '<option value="daily" selected>' in page.text
    r = await client.post(
        "/preferences", data={"csrf": form_value(page.text, "csrf"), "digest": "none", "language": "en"}
    )
    assert (r.status_code, r.headers["location"]) == (303, "/preferences?saved=1")
    r = await world.client.get(f"{API}/me/preferences", headers=me)
    assert r.json() == {"digest": "none", "language": "en"}
    r = await client.post(
        "/preferences", data={"csrf": form_value(page.text, "csrf"), "digest": "x", "language": "da"}
    )
    assert r.status_code == 422


async def test_the_members_page_invites_changes_and_removes(
    world: World, smtp: tuple[Inbox, int], browser: OpenBrowser
) -> None:
    inbox, port = smtp
    client = await browser(employer(world))
    page = await client.get("/members")
    assert page.status_code == 200
    assert "Medlem 0" in page.text  # the world's member
    csrf = form_value(page.text, "csrf")
    r = await client.post(
        "/members", data={"csrf": csrf, "email": "ikke-en-adresse", "name": "", "role": "steward"}
    )
    assert r.status_code == 422
    assert 'id="invite-email-error"' in r.text
    assert 'id="invite-name-error"' in r.text
    r = await client.post(
        "/members",
        data={
            "csrf": csrf,
            "email": "amr@kommune.example",
            "name": "Ali",
            "role": "steward",
            "title": "AMR",
            "units": [world.units[0]],
            "language": "da",
        },
    )
    assert (r.status_code, r.headers["location"]) == (303, "/members?sent=invited")
    assert await relay(port).send_due() == 1
    assert inbox.messages[0]["To"] == "amr@kommune.example"
    again = await client.post(
        "/members", data={"csrf": csrf, "email": "AMR@kommune.example", "name": "Ali", "role": "steward"}
    )
    assert again.status_code == 422
    assert "allerede medlem" in again.text
    page = (await client.get("/members?sent=invited")).text
    member_id = re.search(r'<tr data-member-id="([^"]+)">\s*<th scope="row">Ali', page).group(1)  # type: ignore[union-attr]
    r = await client.post(f"/members/{member_id}/role", data={"csrf": csrf, "role": "auditor"})
    assert r.status_code == 303
    listed = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/members", headers=world.headers("employer_admin", 0)
    )
    assert {m["email"]: m["role"] for m in listed.json()}["amr@kommune.example"] == "auditor"
    r = await client.post(f"/members/{member_id}/remove", data={"csrf": csrf})
    assert r.status_code == 303
    listed = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/members", headers=world.headers("employer_admin", 0)
    )
    assert "amr@kommune.example" not in {m["email"] for m in listed.json()}
    # Not for stewards; not another organization's member.
    assert (await (await browser(steward(world))).get("/members")).status_code == 403
    other = await browser(employer(world, 1))
    page1 = await other.get("/members")
    r = await other.post(f"/members/{world.members[0]}/remove", data={"csrf": form_value(page1.text, "csrf")})
    assert r.status_code == 404
