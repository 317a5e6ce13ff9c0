"""Digests and feeds, through the public surface: a unit-limited steward's weekly digest through a
real SMTP server (aiosmtpd) with what she may see and nothing else; nothing for a quiet week; a round
sends only what is due; unsubscribing; the secret Atom feed and ICS calendar, validated by feedparser
and icalendar, and rotating them."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import feedparser
import icalendar
import pytest

from api.mails import digests
from api.pages.security import LANGUAGE_COOKIE
from api.settings import ApiSettings
from registry.access import Actor, Role
from registry.accesslog.tables import AccessLogEntry
from registry.clock import utcnow, workplace_today
from registry.members.tables import Member
from registry.updates.digests import SETTLE, DigestsFailed, send_digests
from tests.support.mail import Inbox, relay
from tests.support.pages import OpenBrowser, form_value
from tests.support.world import API, World, system_body
from webhooks.tables import MailMessage

PUBLIC = "http://register.test"
TINA = "tina.holm@kommune.example"


def soon() -> datetime:
    """A round's time a few seconds after the changes it covers are saved: a digest covers up to
    SETTLE before its round (a change still being saved comes in the next one)."""
    return utcnow() + SETTLE + timedelta(seconds=1)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


async def setup(world: World) -> dict[str, Any]:
    """Organization 0 with a second unit and its own system; Tina (TR) invited, limited to the first
    unit (default digest: weekly); then a week's changes, some in her unit and some not."""
    admin = world.headers("employer_admin", 0)
    org = world.orgs[0]
    r = await world.client.post(f"{API}/organizations/{org}/units", json={"name": "Rengøring"}, headers=admin)
    cleaning = r.json()["id"]

    async def register(**fields: Any) -> str:
        r = await world.client.post(
            f"{API}/organizations/{org}/systems", json=system_body(**fields), headers=admin
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    hidden = await register(name="Rengøringsrobot-planlægning", unit_ids=[cleaning])
    whole = await register(name="Skriveassistent", unit_ids=[], category="generative_assistant")
    old = await register(name="Gammel vagtplan", unit_ids=[world.units[0]])
    r = await world.client.post(
        f"{API}/organizations/{org}/members",
        json={
            "email": TINA,
            "name": "Tina Holm",
            "role": "steward",
            "title": "TR",
            "units": [world.units[0]],
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    tina = r.json()
    await MailMessage.delete(force=True)  # the invitation is not the digest

    async def change(system: str, **fields: Any) -> None:
        etag = (await world.client.get(f"{API}/systems/{system}", headers=admin)).headers["etag"]
        r = await world.client.patch(
            f"{API}/systems/{system}", json=fields, headers={**admin, "If-Match": etag}
        )
        assert r.status_code == 200, r.text

    # After the invitation: what her digest is about.
    await change(
        world.systems[0], status="in_use", go_live_at=str(workplace_today()), change_note="Godkendt i MED"
    )
    await change(whole, affected_headcount=40)
    await change(hidden, purpose="Planlægger rengøringsrobotternes ruter og tider.")
    await change(old, status="retired", change_note="Udfaset")
    go_live = workplace_today() + timedelta(days=50)
    new = await register(
        name="GPS i hjemmeplejens biler",
        unit_ids=[world.units[0]],
        status="planned",
        control_measure=True,
        category="monitoring",
        data_categories=["location"],
        go_live_at=go_live.isoformat(),
    )
    tina_headers = world.headers("steward", 0, sub=TINA, units=[world.units[0]])
    r = await world.client.post(
        f"{API}/systems/{world.systems[0]}/questions",
        json={"text": "Hvem ser køretiderne?"},
        headers=tina_headers,
    )
    mine = r.json()["id"]
    r = await world.client.post(
        f"{API}/systems/{world.systems[0]}/questions",
        json={"text": "En andens spørgsmål"},
        headers=world.headers("steward", 0, sub="anden@kommune.example"),
    )
    theirs = r.json()["id"]
    for question, text in ((mine, "Kun planlæggerne."), (theirs, "Svar til en anden.")):
        r = await world.client.post(f"{API}/questions/{question}/answers", json={"text": text}, headers=admin)
        assert r.status_code == 201, r.text
    return {
        "tina": tina,
        "headers": tina_headers,
        "hidden": hidden,
        "whole": whole,
        "old": old,
        "new": new,
        "go_live": go_live,
    }


async def test_a_unit_limited_stewards_weekly_digest_holds_what_she_may_see(
    world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    facts = await setup(world)
    done = await send_digests(soon(), digests(PUBLIC))
    # Tina (weekly by default for a steward) gets one; the world's auditors chose none.
    assert (done.sent, done.quiet) == (1, 0)
    assert await relay(port).send_due() == 1
    [message] = inbox.messages
    assert message["To"] == TINA
    assert message["Subject"] == "Ugens nyt fra AI-registret hos Organisation 0"
    tina = facts["tina"]
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{PUBLIC}/unsubscribe/{tina['id']}/")
    assert unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = body_of(message)
    # Registered, changed (material first, with what changed), retired.
    assert "Nye AI-systemer i registret\n---------------------------\n- GPS i hjemmeplejens biler" in text
    changed = text.split("Ændrede AI-systemer (væsentlige ændringer først)", 1)[1].split("\n\n", 1)[0]
    assert changed.index("Ruteplanlægning i hjemmeplejen") < changed.index("Skriveassistent")
    assert "væsentlig ændring: systemet er taget i brug" in changed
    assert "arbejdsgiverens note: »Godkendt i MED«" in changed
    assert "AI-systemer, der ikke længere bruges" in text
    assert "- Gammel vagtplan" in text
    # Not in her units: nothing of it.
    assert "Rengøringsrobot" not in text
    # Findings opened for the new control measure; the APV revision of the system that went into use.
    assert "Nye åbne punkter fra registrets gennemgang af reglerne" in text
    assert "Revision af APV'en" in text
    assert "revisionen af APV'en skal være færdig senest" in text
    # The notice deadline (go-live less 42 days) and the planned go-live, within 8 weeks.
    assert "sidste frist for varsling er" in text
    assert "GPS i hjemmeplejens biler: skal efter planen tages i brug" in text
    # Her own question's answer, not the other steward's.
    assert "»Hvem ser køretiderne?« \N{EN DASH} svar: »Kun planlæggerne.«" in text
    assert "Svar til en anden" not in text
    # Each line links to its system's page; the HTML part says the same.
    assert f"{PUBLIC}/systems/{facts['new']}" in text
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert "GPS i hjemmeplejens biler" in html.get_content()

    # Not due again until a week has passed: a second round now sends nothing.
    again = await send_digests(soon(), digests(PUBLIC))
    assert (again.due, again.sent) == (0, 0)
    # A quiet week: due, but nothing happened, so no mail (and the week counts as covered).
    quiet = await send_digests(soon() + timedelta(days=7, minutes=1), digests(PUBLIC))
    assert (quiet.due, quiet.sent, quiet.quiet) == (1, 0, 1)
    assert await MailMessage.count().where(MailMessage.kind == "digest") == 1


async def test_a_daily_digest_in_english_and_no_digest_for_none(
    world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    facts = await setup(world)
    r = await world.client.patch(
        f"{API}/me/preferences", json={"digest": "daily", "language": "en"}, headers=facts["headers"]
    )
    assert r.status_code == 200, r.text
    done = await send_digests(soon(), digests(PUBLIC))
    assert done.sent == 1
    await relay(port).send_due()
    [message] = inbox.messages
    assert message["Subject"] == "News from the last 24 hours in the AI register at Organisation 0"
    assert message["Content-Language"] == "en"
    assert "material change: the system went into use" in body_of(message)
    # Changed to none: due no more.
    await world.client.patch(f"{API}/me/preferences", json={"digest": "none"}, headers=facts["headers"])
    later = await send_digests(soon() + timedelta(days=2), digests(PUBLIC))
    assert (later.due, later.sent) == (0, 0)


async def test_two_rounds_at_once_send_each_digest_once(world: World) -> None:
    await setup(world)
    now = soon()
    rounds = await asyncio.gather(*(send_digests(now, digests(PUBLIC)) for _ in range(3)))
    assert sum(r.sent for r in rounds) == 1
    assert await MailMessage.count().where(MailMessage.kind == "digest") == 1


async def test_unsubscribing_from_the_mail_stops_the_digests(
    world: World, smtp: tuple[Inbox, int], browser: OpenBrowser
) -> None:
    inbox, port = smtp
    facts = await setup(world)
    await send_digests(soon(), digests(PUBLIC))
    await relay(port).send_due()
    address = inbox.messages[0]["List-Unsubscribe"].strip("<>")
    path = address.removeprefix(PUBLIC)
    client = await browser()
    page = await client.get(path)
    assert page.status_code == 200
    assert 'id="unsubscribe"' in page.text
    assert (await world.client.get(f"{API}/me/preferences", headers=facts["headers"])).json()[
        "digest"
    ] == "weekly"
    # A mail program's one-click unsubscribe posts from outside the site.
    r = await client.post(
        path, data={"List-Unsubscribe": "One-Click"}, headers={"Origin": "https://mail.example"}
    )
    assert r.status_code == 200
    assert 'id="unsubscribe-done"' in r.text
    assert (await world.client.get(f"{API}/me/preferences", headers=facts["headers"])).json()[
        "digest"
    ] == "none"
    # A wrong secret finds nothing, and says so.
    wrong = await client.get(path[:-4] + "xxxx")
    assert wrong.status_code == 404
    assert 'id="unsubscribe-unknown"' in wrong.text


async def test_the_secret_feeds_validate_and_rotating_them_revokes_the_old_addresses(
    world: World, browser: OpenBrowser, settings: ApiSettings
) -> None:
    served = settings.public_url
    facts = await setup(world)
    r = await world.client.post(
        f"{API}/systems/{world.systems[0]}/questions",
        json={"text": "Gemmes ruterne?"},
        headers=facts["headers"],
    )
    assert r.status_code == 201, r.text
    r = await world.client.get(f"{API}/me/feeds", headers=facts["headers"])
    assert r.status_code == 200, r.text
    feeds = r.json()
    tina = facts["tina"]
    assert feeds["atom"].startswith(f"{served}/feeds/{tina['id']}/")
    assert feeds["atom"].endswith("/changes.atom")
    assert feeds["webcal"] == feeds["calendar"].replace("http://", "webcal://")
    client = await browser()  # no session, no token: the address alone
    atom = await client.get(feeds["atom"].removeprefix(served))
    assert atom.status_code == 200
    assert atom.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert "no-store" in atom.headers["cache-control"]
    parsed = feedparser.parse(atom.content)
    assert parsed.bozo == 0, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert parsed.feed.title == "AI-registret hos Organisation 0: ændringer"
    titles = [entry.title for entry in parsed.entries]
    assert "Nyt AI-system i registret: GPS i hjemmeplejens biler" in titles
    assert "Væsentlig ændring: Ruteplanlægning i hjemmeplejen (version 2)" in titles
    assert "Bruges ikke længere: Gammel vagtplan" in titles
    assert "Svar på dit spørgsmål: Ruteplanlægning i hjemmeplejen" in titles
    assert not any("Rengøringsrobot" in title for title in titles)
    for entry in parsed.entries:  # RFC 4287: every entry has an id, a title, an updated time and a link
        assert entry.id
        assert entry.title
        assert entry.updated_parsed
        assert entry.link.startswith(f"{served}/systems/")
    assert len({entry.id for entry in parsed.entries}) == len(parsed.entries)

    ics = await client.get(feeds["calendar"].removeprefix(served))
    assert ics.status_code == 200
    assert ics.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(ics.content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    by_summary = {str(e["SUMMARY"]): e for e in events.values()}
    go_live = facts["go_live"]
    notice_day = go_live - timedelta(days=42)
    [notice] = [
        e
        for s, e in by_summary.items()
        if s.startswith("GPS i hjemmeplejens biler: sidste frist for varsling")
    ]
    assert notice.decoded("DTSTART") == notice_day
    assert notice.decoded("DTEND") == notice_day + timedelta(days=1)
    [planned] = [
        e
        for s, e in by_summary.items()
        if s.startswith("GPS i hjemmeplejens biler: skal efter planen tages i brug")
    ]
    assert planned.decoded("DTSTART") == go_live
    [apv] = [
        e
        for s, e in by_summary.items()
        if s.startswith("Ruteplanlægning i hjemmeplejen: revisionen af APV'en")
    ]
    assert apv.decoded("DTSTART") == workplace_today() + timedelta(days=30)
    [question] = [e for s, e in by_summary.items() if "Gemmes ruterne?" in s]
    assert question.decoded("DTSTART") == workplace_today() + timedelta(days=14)
    assert not any("Rengøringsrobot" in s for s in by_summary)
    assert all(uid.endswith("@127.0.0.1") for uid in events)

    # The secret opens nothing on the API.
    secret = feeds["atom"].split("/")[-2]
    assert (
        await world.client.get(f"{API}/me/feeds", headers={"Authorization": f"Bearer {secret}"})
    ).status_code == 401
    # Each read is in the access log as Tina's.
    reads = await AccessLogEntry.select(AccessLogEntry.actor_sub, AccessLogEntry.resource_type).where(
        AccessLogEntry.resource_type.is_in(["feed", "calendar"])
    )
    assert {(row["actor_sub"], row["resource_type"]) for row in reads} >= {(TINA, "feed"), (TINA, "calendar")}

    # Rotating: new addresses work, the old ones are gone at once.
    r = await world.client.post(f"{API}/me/feeds/rotate", headers=facts["headers"])
    assert r.status_code == 200
    rotated = r.json()
    assert rotated["atom"] != feeds["atom"]
    assert (await client.get(feeds["atom"].removeprefix(served))).status_code == 404
    assert (await client.get(feeds["calendar"].removeprefix(served))).status_code == 404
    assert (await client.get(rotated["atom"].removeprefix(served))).status_code == 200
    # A removed member's feeds are gone too.
    r = await world.client.delete(
        f"{API}/organizations/{world.orgs[0]}/members/{tina['id']}",
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code == 204
    assert (await client.get(rotated["calendar"].removeprefix(served))).status_code == 404


async def test_feeds_on_the_preferences_page_and_rotating_there(world: World, browser: OpenBrowser) -> None:
    facts = await setup(world)
    client = await browser(Actor(sub=TINA, role=Role.steward, org=world.orgs[0], units=(world.units[0],)))
    page = await client.get("/preferences")
    assert page.status_code == 200
    before = (await world.client.get(f"{API}/me/feeds", headers=facts["headers"])).json()
    assert before["webcal"] in page.text
    assert before["atom"] in page.text
    r = await client.post("/preferences/feeds", data={"csrf": form_value(page.text, "csrf")})
    assert r.status_code == 303
    assert r.headers["location"] == "/preferences?rotated=1#feeds"
    after = (await world.client.get(f"{API}/me/feeds", headers=facts["headers"])).json()
    assert after["atom"] != before["atom"]
    page = await client.get("/preferences?rotated=1")
    assert 'id="feeds-rotated"' in page.text
    assert after["atom"] in page.text


async def test_someone_without_a_membership_has_no_feeds(world: World) -> None:
    r = await world.client.get(f"{API}/me/feeds", headers=world.headers("steward", 0))
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_member_from_before_digests_gets_an_unsubscribe_address(world: World) -> None:
    facts = await setup(world)
    await Member.update({Member.unsubscribe_secret: None, Member.feed_secret: None}).where(
        Member.id == facts["tina"]["id"]
    )
    assert (await send_digests(soon(), digests(PUBLIC))).sent == 1
    [row] = await MailMessage.select(MailMessage.unsubscribe).where(MailMessage.kind == "digest")
    assert row["unsubscribe"].startswith(f"{PUBLIC}/unsubscribe/{facts['tina']['id']}/")
    assert (await world.client.get(f"{API}/me/feeds", headers=facts["headers"])).status_code == 200


async def test_a_change_still_being_saved_comes_in_the_next_digest(world: World) -> None:
    await setup(world)
    # A round right after the changes covers up to SETTLE before it: they are not in this digest...
    first = await send_digests(utcnow(), digests(PUBLIC))
    assert (first.due, first.sent, first.quiet) == (1, 0, 1)
    # ...but in the next one, a week on.
    later = await send_digests(utcnow() + timedelta(days=7, minutes=10), digests(PUBLIC))
    assert later.sent == 1
    [row] = await MailMessage.select(MailMessage.text).where(MailMessage.kind == "digest")
    assert "GPS i hjemmeplejens biler" in row["text"]


async def test_turning_the_digest_on_again_reaches_one_period_back(world: World) -> None:
    facts = await setup(world)
    await send_digests(soon(), digests(PUBLIC))
    await world.client.patch(f"{API}/me/preferences", json={"digest": "none"}, headers=facts["headers"])
    await world.client.patch(f"{API}/me/preferences", json={"digest": "weekly"}, headers=facts["headers"])
    [row] = await Member.select(Member.digest_until).where(Member.id == facts["tina"]["id"])
    assert row["digest_until"] is None


async def test_an_organization_whose_digests_fail_does_not_stop_the_others(world: World) -> None:
    """A name over two lines (which a subject cannot hold) is put on one; and if an organization's
    digests still cannot be made, the others' are sent and the round says which failed."""
    facts = await setup(world)
    r = await world.client.patch(
        f"{API}/organizations/{world.orgs[0]}",
        json={"name": "Organisation\nnul"},
        headers={**world.headers("employer_admin", 0), "If-Match": "*"},
    )
    assert r.status_code == 200, r.text
    other = await world.client.post(
        f"{API}/organizations/{world.orgs[1]}/members",
        json={"email": "tr@org1.example", "name": "TR 1", "role": "steward"},
        headers=world.headers("employer_admin", 1),
    )
    assert other.status_code == 201
    await world.client.patch(
        f"{API}/systems/{world.systems[1]}",
        json={"affected_headcount": 33},
        headers={**world.headers("employer_admin", 1), "If-Match": '"1"'},
    )

    def failing(digest: Any) -> Any:
        if digest.member["id"] == facts["tina"]["id"]:
            raise RuntimeError("this organization's mail cannot be made")
        return digests(PUBLIC)(digest)

    with pytest.raises(DigestsFailed) as failed:
        await send_digests(soon(), failing)
    assert failed.value.organizations == [world.orgs[0]]
    assert failed.value.done.sent == 1
    [row] = await MailMessage.select(MailMessage.recipient).where(MailMessage.kind == "digest")
    assert row["recipient"] == "tr@org1.example"
    # The failed organization's digest is due still, and the next round sends it.
    again = await send_digests(soon(), digests(PUBLIC))
    assert again.sent == 1
    [subject] = await MailMessage.select(MailMessage.subject).where(MailMessage.recipient == TINA)
    assert subject["subject"] == "Ugens nyt fra AI-registret hos Organisation nul"


async def test_a_feed_shows_a_text_with_characters_xml_cannot_hold(
    world: World, settings: ApiSettings
) -> None:
    facts = await setup(world)
    admin = world.headers("employer_admin", 0)
    etag = (await world.client.get(f"{API}/systems/{world.systems[0]}", headers=admin)).headers["etag"]
    r = await world.client.patch(
        f"{API}/systems/{world.systems[0]}",
        json={"purpose": "Planlægger\u000bruter"},
        headers={**admin, "If-Match": etag},
        params={"change_note": "Kopieret\u000bfra Word"},
    )
    assert r.status_code == 200, r.text
    feeds = (await world.client.get(f"{API}/me/feeds", headers=facts["headers"])).json()
    atom = await world.client.get(feeds["atom"].removeprefix(settings.public_url))
    assert atom.status_code == 200
    assert feedparser.parse(atom.content).bozo == 0


async def test_odd_feed_and_unsubscribe_addresses_find_nothing(world: World, browser: OpenBrowser) -> None:
    client = await browser()
    long_id = "x" * 300
    for path in (
        "/feeds/not-a-uuid/secret/changes.atom",
        f"/feeds/{world.members[0]}/wrong/deadlines.ics",
        f"/feeds/{long_id}/{long_id}/changes.atom",
        "/unsubscribe/not-a-uuid/secret",
        f"/unsubscribe/{long_id}/{long_id}",
    ):
        r = await client.get(path)
        assert r.status_code == 404, path
    r = await client.post(f"/unsubscribe/{world.members[0]}/wrong")
    assert r.status_code == 404
    entries = await AccessLogEntry.select(AccessLogEntry.resource_id).where(
        AccessLogEntry.resource_id.like("xxx%")
    )
    assert entries
    assert {len(row["resource_id"]) for row in entries} == {100}


async def test_the_unsubscribe_page_speaks_the_members_language(world: World, browser: OpenBrowser) -> None:
    facts = await setup(world)
    await world.client.patch(f"{API}/me/preferences", json={"language": "en"}, headers=facts["headers"])
    [row] = await Member.select(Member.unsubscribe_secret).where(Member.id == facts["tina"]["id"])
    path = f"/unsubscribe/{facts['tina']['id']}/{row['unsubscribe_secret']}"
    page = await (await browser()).get(path)
    assert '<html lang="en"' in page.text
    assert "Do you want to stop the summaries from the AI register at Organisation 0" in page.text
    # A reader who chose Danish on this site gets Danish.
    danish = await browser()
    danish.cookies.set(LANGUAGE_COOKIE, "da")
    assert "Vil du afmelde oversigterne" in (await danish.get(path)).text
