"""The stewards' web interface over HTTP: logging in by one-time link, sessions, CSRF, language, the
register with its filters, paging and badges, a system's page with its history and "changed since
your last visit", asking and answering from the page, the written account, visibility (404 for what
the reader may not see) and the access log."""

from __future__ import annotations

import asyncio
import html as htmllib
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from api.i18n.catalogues import texts
from registry import Actor, Role
from registry.accesslog.tables import AccessLogEntry
from registry.clock import to_micros, utcnow
from registry.questions.tables import Answer, Question
from registry.sessions.service import (
    LinkState,
    LoginLinkRefused,
    issue_login_link,
    redeem_login_link,
    secret_hash,
)
from registry.sessions.tables import BrowserSession, LoginLink
from tests.support.pages import (
    OpenBrowser,
    badges,
    change,
    element,
    employer,
    form_value,
    register,
    section,
    steward,
    table_rows,
    visible_text,
)
from tests.support.world import API, World, bearer, system_body

# --- logging in and out -------------------------------------------------------------------------------


async def test_the_front_page_explains_how_to_log_in(browser: OpenBrowser) -> None:
    client = await browser()
    r = await client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="da">' in r.text
    assert "Sådan logger du ind" in r.text
    assert 'id="language-switch"' in r.text
    assert 'id="logout"' not in r.text


async def test_opening_a_link_does_not_use_it_and_the_form_does(world: World, browser: OpenBrowser) -> None:
    client = await browser()
    token = await issue_login_link(steward(world), ttl_seconds=600)
    for _ in range(2):  # a mail scanner fetched it first
        r = await client.get(f"/login/{token}")
        assert r.status_code == 200
        assert r.headers["referrer-policy"] == "no-referrer"
    form = element(r.text, r'<form id="login" method="post" action="/login">')
    assert form_value(form, "token") == token
    assert "Log ind" in form
    assert await BrowserSession.count() == 0

    r = await client.post("/login", data={"token": token, "csrf": form_value(r.text, "csrf")})
    assert r.status_code == 303
    assert r.headers["location"] == "/register"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("airegistry_session=")
    for attribute in ("HttpOnly", "Path=/;", "SameSite=strict", "Max-Age=43200"):
        assert attribute in cookie, attribute
    assert "Secure" not in cookie  # plain http, and AIREG_PUBLIC_URL is http here
    session_id = cookie.split(";")[0].split("=", 1)[1]
    stored = await BrowserSession.select().first()
    assert stored is not None
    assert stored["session_hash"] == secret_hash(session_id) != session_id
    assert await LoginLink.exists().where(LoginLink.token_hash == secret_hash(token))  # only its hash
    assert not await LoginLink.exists().where(LoginLink.token_hash == token)

    r = await client.get("/")
    assert (r.status_code, r.headers["location"]) == (303, "/register")
    r = await client.get("/register")
    assert r.status_code == 200
    assert "Logget ind som tr-0 (tillidsvalgt)" in visible_text(r.text)


async def test_a_used_link_is_refused_and_opens_no_second_session(world: World, browser: OpenBrowser) -> None:
    client = await browser()
    token = await issue_login_link(steward(world), ttl_seconds=600)
    page = (await client.get(f"/login/{token}")).text
    data = {"token": token, "csrf": form_value(page, "csrf")}
    assert (await client.post("/login", data=data)).status_code == 303

    again = await client.post("/login", data=data)
    assert again.status_code == 410
    assert again.headers["content-type"].startswith("text/html")
    assert "Linket er allerede brugt" in again.text
    assert "set-cookie" not in again.headers
    assert (await client.get(f"/login/{token}")).status_code == 410
    assert await BrowserSession.count() == 1


async def test_two_redemptions_of_one_link_at_once_open_one_session(world: World) -> None:
    token = await issue_login_link(steward(world), ttl_seconds=600)
    results = await asyncio.gather(
        *(redeem_login_link(token, session_ttl_seconds=60) for _ in range(4)), return_exceptions=True
    )
    opened = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, LoginLinkRefused)]
    assert len(opened) == 1
    assert len(refused) == 3
    assert {r.state for r in refused} == {LinkState.used}
    assert await BrowserSession.count() == 1


async def test_an_expired_or_unknown_link_logs_no_one_in(world: World, browser: OpenBrowser) -> None:
    client = await browser()
    token = await issue_login_link(steward(world), ttl_seconds=600)
    page = (await client.get(f"/login/{token}")).text
    await LoginLink.update({LoginLink.expires_us: to_micros(utcnow()) - 1}, force=True)

    r = await client.post("/login", data={"token": token, "csrf": form_value(page, "csrf")})
    assert r.status_code == 410
    assert "Linket er udløbet" in r.text
    assert (await client.get(f"/login/{token}")).status_code == 410

    unknown = await client.get("/login/not-a-link-we-made")
    assert unknown.status_code == 404
    assert "Linket virker ikke" in unknown.text
    r = await client.post("/login", data={"token": "not-a-link-we-made", "csrf": "x"})
    assert r.status_code == 404
    assert await BrowserSession.count() == 0
    assert (await client.get("/register")).status_code == 401


async def test_the_link_is_configurable_and_sessions_expire_on_the_server(
    world: World, browser: OpenBrowser
) -> None:
    client = await browser(steward(world))
    assert (await client.get("/register")).status_code == 200
    await BrowserSession.update({BrowserSession.expires_us: to_micros(utcnow()) - 1}, force=True)
    r = await client.get("/register")
    assert r.status_code == 401  # the cookie is still there; the server says no
    assert "Du er ikke logget ind" in r.text


async def test_the_session_cookie_is_secure_over_https(world: World, browser: OpenBrowser) -> None:
    client = await browser(base_url="https://register.test")
    token = await issue_login_link(steward(world), ttl_seconds=600)
    page = (await client.get(f"/login/{token}")).text
    r = await client.post("/login", data={"token": token, "csrf": form_value(page, "csrf")})
    assert r.status_code == 303
    assert "Secure" in r.headers["set-cookie"]


async def test_logging_in_needs_the_form_of_the_links_page(world: World, browser: OpenBrowser) -> None:
    token = await issue_login_link(steward(world), ttl_seconds=600)
    # Another site posting a link token of its own (login CSRF): no matching cookie, or a foreign origin.
    stranger = await browser()
    r = await stranger.post("/login", data={"token": token, "csrf": "guess"})
    assert r.status_code == 403
    assert "Formularen blev afvist" in r.text
    client = await browser()
    page = (await client.get(f"/login/{token}")).text
    r = await client.post(
        "/login",
        data={"token": token, "csrf": form_value(page, "csrf")},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    assert await BrowserSession.count() == 0
    r = await client.post("/login", data={"token": token, "csrf": form_value(page, "csrf")})
    assert r.status_code == 303  # the link was not used up by the refused attempts


async def test_logging_out_ends_the_session(world: World, browser: OpenBrowser) -> None:
    client = await browser(steward(world))
    page = (await client.get("/register")).text
    logout = element(page, r'<form id="logout" method="post" action="/logout">')
    refused = await client.post("/logout", data={"csrf": "wrong"})
    assert refused.status_code == 403
    assert (await client.get("/register")).status_code == 200

    r = await client.post("/logout", data={"csrf": form_value(logout, "csrf")})
    assert (r.status_code, r.headers["location"]) == (303, "/")
    assert "Max-Age=0" in r.headers["set-cookie"]
    assert await BrowserSession.count() == 0
    assert (await client.get("/register")).status_code == 401
    assert (await client.get("/")).status_code == 200


# --- CSRF ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("csrf", "headers"),
    [
        (None, {}),
        ("0" * 64, {}),
        ("from the page", {"Origin": "https://evil.example"}),
        ("from the page", {"Sec-Fetch-Site": "cross-site"}),
    ],
    ids=["missing", "wrong", "foreign-origin", "cross-site"],
)
async def test_a_form_post_without_the_right_token_is_refused(
    world: World, browser: OpenBrowser, csrf: str | None, headers: dict[str, str]
) -> None:
    client = await browser(steward(world))
    page = (await client.get(f"/systems/{world.systems[0]}")).text
    data = {"kind": "question", "text": "Hvem ser resultaterne?"}
    if csrf is not None:
        data["csrf"] = form_value(page, "csrf") if csrf == "from the page" else csrf
    r = await client.post(f"/systems/{world.systems[0]}/questions", data=data, headers=headers)
    assert r.status_code == 403
    assert "Formularen blev afvist" in r.text
    assert await Question.count() == 0


async def test_the_same_site_and_the_own_origin_are_accepted(world: World, browser: OpenBrowser) -> None:
    client = await browser(steward(world))
    page = (await client.get(f"/systems/{world.systems[0]}")).text
    r = await client.post(
        f"/systems/{world.systems[0]}/questions",
        data={"csrf": form_value(page, "csrf"), "kind": "question", "text": "Hvem ser resultaterne?"},
        headers={"Origin": "http://register.test", "Sec-Fetch-Site": "same-origin"},
    )
    assert r.status_code == 303, r.text


# --- language -----------------------------------------------------------------------------------------


async def test_english_is_one_click_away_and_remembered(world: World, browser: OpenBrowser) -> None:
    client = await browser(steward(world))
    page = (await client.get("/register?q=rute")).text
    switch = re.search(r'<a id="language-switch" href="([^"]+)"', page)
    assert switch
    assert htmllib.unescape(switch.group(1)) == "/language/en?next=/register%3Fq%3Drute"
    r = await client.get(htmllib.unescape(switch.group(1)))
    assert (r.status_code, r.headers["location"]) == (303, "/register?q=rute")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("airegistry_lang=en")
    assert "Max-Age=31536000" in cookie
    for path in ("/register", f"/systems/{world.systems[0]}", f"/systems/{world.systems[0]}/statement"):
        r = await client.get(path)
        assert '<html lang="en">' in r.text, path
        assert r.headers["content-language"] == "en"
    assert "AI systems" in r.text or "Written account" in r.text
    back = await client.get("/language/da?next=/register")
    assert back.headers["location"] == "/register"
    assert '<html lang="da">' in (await client.get("/register")).text


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "register", "", "/ok\nx"]
)
async def test_the_language_switch_only_returns_to_this_site(browser: OpenBrowser, target: str) -> None:
    client = await browser()
    r = await client.get("/language/en", params={"next": target})
    assert (r.status_code, r.headers["location"]) == (303, "/register")


async def test_an_unknown_language_is_not_found(browser: OpenBrowser) -> None:
    client = await browser()
    r = await client.get("/language/fr?next=/register")
    assert r.status_code == 404
    assert "set-cookie" not in r.headers


@pytest.mark.parametrize(("lang", "heading"), [("da", "Siden findes ikke"), ("en", "Page not found")])
async def test_a_mistyped_address_gets_the_sites_own_page_and_the_api_keeps_problem_json(
    browser: OpenBrowser, lang: str, heading: str
) -> None:
    client = await browser()
    client.cookies.set("airegistry_lang", lang)
    for path in ("/no-such-page", "/static/no-such.css", "/systems/x/y/z"):
        r = await client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("text/html"), path
        assert f'<html lang="{lang}"' in r.text
        assert heading in visible_text(r.text), path
    r = await client.delete("/register")
    assert (r.status_code, r.headers["content-type"][:9]) == (405, "text/html")
    for path in (f"{API}/no-such-resource", f"{API}/systems/x/y/z"):
        r = await client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 404, path
        assert r.headers["content-type"] == "application/problem+json", path


def foreign_words(lang: str) -> list[str]:
    """Texts of the other language's catalogues (the pages' and the account's) that this language
    never uses: whole strings, and the fixed parts of strings with placeholders."""
    other = "en" if lang == "da" else "da"
    own = texts(other)
    theirs = texts(lang)
    pieces = set()
    for key, text in own.items():
        if text == theirs[key]:
            continue
        for part in re.split(r"{\w+}", text):
            piece = part.strip(" .,:;()")
            if len(piece) >= 4 or ("{" not in text and piece):
                pieces.add(piece)
    # What the employer wrote is in Danish on every page: a word of it is no text of the catalogues.
    entered = " ".join(str(value) for value in system_body().values())
    return sorted(p for p in pieces if not any(p in text for text in theirs.values()) and p not in entered)


@pytest.mark.parametrize("lang", ["da", "en"])
async def test_a_page_holds_no_text_of_the_other_language(
    world: World, browser: OpenBrowser, lang: str
) -> None:
    await world.ask_questions()
    await world.open_reassessments()
    await change(world, world.systems[0], purpose="Planlægger ruter og besøg.", change_note="Præciseret")
    client = await browser(steward(world))
    await client.get(f"/language/{lang}")
    anonymous = await browser()
    await anonymous.get(f"/language/{lang}")
    system = world.systems[0]
    pages = {
        "front (logged out)": await anonymous.get("/"),
        "not logged in": await anonymous.get("/register"),
        "register": await client.get("/register"),
        "register with errors": await client.get("/register?category=nope"),
        "system": await client.get(f"/systems/{system}"),
        "statement": await client.get(f"/systems/{system}/statement"),
        "not found": await client.get("/systems/00000000-0000-4000-8000-000000000000"),
        "correction without field": await client.post(
            f"/systems/{system}/questions",
            data={
                "csrf": form_value((await client.get("/register")).text, "csrf"),
                "kind": "correction",
                "text": "",
            },
        ),
    }
    foreign = foreign_words(lang)
    assert len(foreign) > 300
    for name, response in pages.items():
        assert f'<html lang="{lang}">' in response.text, name
        text = visible_text(re.sub(r'<a id="language-switch"[^>]*>[^<]*</a>', "", response.text))
        found = [w for w in foreign if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
        assert found == [], (name, found)


async def test_dates_are_danish_on_danish_pages(world: World, browser: OpenBrowser) -> None:
    await change(world, world.systems[0], go_live_at="2026-01-05", status="in_use")
    client = await browser(steward(world))
    page = await client.get(f"/systems/{world.systems[0]}")
    assert "5. januar 2026" in visible_text(page.text)
    await client.get("/language/en")
    assert "5 January 2026" in visible_text((await client.get(f"/systems/{world.systems[0]}")).text)


# --- the register -------------------------------------------------------------------------------------


async def test_the_register_lists_the_organizations_systems(world: World, browser: OpenBrowser) -> None:
    client = await browser(steward(world))
    r = await client.get("/register")
    assert r.status_code == 200
    assert table_rows(r.text) == [world.systems[0]]
    assert f'href="/systems/{world.systems[0]}"' in r.text
    assert world.systems[1] not in r.text
    assert r.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    filters = element(r.text, r'<form id="filters" method="get" action="/register"')
    filters = filters[: filters.index("</form>")]
    for name in (
        "q",
        "category",
        "status",
        "unit_id",
        "data_category",
        "monitoring",
        "high_risk",
        "findings",
    ):
        assert f'name="{name}"' in filters, name
    for field_id in re.findall(r'id="(filter-[\w-]+)"', filters):
        assert f'for="{field_id}"' in filters, field_id  # every input has its label


async def test_filters(world: World, browser: OpenBrowser) -> None:
    unit = world.units[0]
    ids = {
        "monitoring": await register(world, name="Kørselslog", category="monitoring"),
        "control": await register(world, name="Adgangskort", control_measure=True, status="in_use"),
        "health": await register(world, name="Sygefravær", data_categories=["health"], unit_ids=[unit]),
        "high risk": await register(world, name="Rekruttering", ai_act={"risk_class": "high_risk"}),
    }
    plain = world.systems[0]
    client = await browser(steward(world))

    async def listed(**params: str) -> set[str]:
        r = await client.get("/register", params=params)
        assert r.status_code == 200, r.text
        return set(table_rows(r.text))

    assert await listed(monitoring="1") == {ids["monitoring"], ids["control"]}
    assert await listed(category="monitoring") == {ids["monitoring"]}
    assert await listed(status="in_use") == {ids["control"]}
    assert await listed(high_risk="1") == {ids["high risk"]}
    assert await listed(data_category="health") == {ids["health"]}
    assert await listed(unit_id=unit) == {ids["health"], plain}
    assert await listed(q="SYGE") == {ids["health"]}
    assert await listed(q="sygefravær", monitoring="1") == set()
    # Open findings: exactly the systems the API lists findings for (a control measure without a
    # notice date has some; the retired system below has none).
    retired = await register(world, name="Gammelt system", status="retired", retired_at="2020-01-01")
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/findings", headers=world.headers("steward", 0)
    )
    expected = {finding["system_id"] for finding in r.json()}
    assert ids["control"] in expected
    assert await listed(findings="1") == expected
    assert retired in await listed()
    assert retired not in expected
    # The form keeps what was asked.
    page = (await client.get("/register", params={"q": "syge", "monitoring": "1", "category": "other"})).text
    assert 'name="q" value="syge"' in page
    assert re.search(r'name="monitoring" value="1" checked', page)
    assert '<option value="other" selected>' in page


async def test_a_filter_value_that_is_not_offered_is_explained_next_to_the_field(
    world: World, browser: OpenBrowser
) -> None:
    client = await browser(steward(world))
    r = await client.get("/register", params={"category": "spying", "q": "rute"})
    assert r.status_code == 422
    assert 'aria-describedby="filter-category-error"' in r.text
    assert 'aria-invalid="true"' in r.text
    assert re.search(r'<p class="field-error" id="filter-category-error">Vælg en af mulighederne', r.text)
    assert 'name="q" value="rute"' in r.text
    assert table_rows(r.text) == []
    bad_unit = await client.get("/register", params={"unit_id": world.units[1]})  # another org's unit
    assert bad_unit.status_code == 422


async def test_a_filter_search_without_words_is_explained_next_to_the_field(
    world: World, browser: OpenBrowser
) -> None:
    client = await browser(steward(world))
    r = await client.get("/register", params={"q": "%_!"})
    assert r.status_code == 422
    assert re.search(r'<p class="field-error" id="filter-q-error">Skriv mindst ét ord', r.text)
    assert table_rows(r.text) == []


async def test_the_register_pages_by_fifty_with_the_apis_cursor(world: World, browser: OpenBrowser) -> None:
    for i in range(54):
        await register(world, name=f"System {i:02d}", category="analytics")
    client = await browser(steward(world))
    first = await client.get("/register", params={"category": "analytics"})
    rows = table_rows(first.text)
    assert len(rows) == 50
    assert "Der er flere på næste side" in first.text
    link = re.search(r'<a id="next-page" href="([^"]+)"', first.text)
    assert link
    href = htmllib.unescape(link.group(1))
    assert "category=analytics" in href
    assert "cursor=" in href
    second = await client.get(href)
    more = table_rows(second.text)
    assert len(more) == 4
    assert not set(rows) & set(more)
    assert 'id="next-page"' not in second.text
    assert 'id="first-page"' in second.text
    broken = await client.get("/register", params={"cursor": "not-ours"})
    assert broken.status_code == 400
    assert "Linket til næste side virker ikke længere" in broken.text


async def test_badges_show_what_a_steward_cares_about(world: World, browser: OpenBrowser) -> None:
    flagged = await register(
        world,
        name="Medarbejderanalyse",
        category="monitoring",
        control_measure=True,
        status="in_use",
        unit_ids=[world.units[0]],
        data_categories=["health", "work_performance"],
        automated_decision="fully_automated",
        ai_act={"risk_class": "high_risk"},
    )
    client = await browser(steward(world))
    page = (await client.get("/register")).text
    found = badges(page, flagged)
    assert set(found) >= {"monitoring", "special-category", "fully-automated", "high-risk", "open-findings"}
    assert "apv-due" in found  # going into use opened an APV reassessment
    assert found["apv-due"].startswith("APV-revision senest ")
    count = re.search(
        rf'data-system-id="{flagged}".*?data-badge="open-findings" data-count="(\d+)"', page, re.S
    )
    assert count
    assert found["open-findings"] == f"{count.group(1)} åbne punkter"
    assert int(count.group(1)) >= 2
    assert set(badges(page, world.systems[0])) <= {"open-findings", "apv-due"}  # a pilot: an APV revision


async def test_a_steward_limited_to_units_sees_only_theirs(world: World, browser: OpenBrowser) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/units",
        json={"name": "Rådhuset"},
        headers=world.headers("employer_admin", 0),
    )
    other_unit = r.json()["id"]
    elsewhere = await register(world, name="Sagsbehandling på rådhuset", unit_ids=[other_unit])
    everywhere = await register(world, name="Chatassistent", unit_ids=[])
    client = await browser(steward(world, units=(world.units[0],), sub="tr-enhed"))
    page = await client.get("/register")
    assert set(table_rows(page.text)) == {world.systems[0], everywhere}
    assert "Rådhuset" not in page.text  # nor is the unit offered as a filter
    for path in (
        f"/systems/{elsewhere}",
        f"/systems/{elsewhere}/statement",
        f"/systems/{elsewhere}/statement.pdf",
    ):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert "Sagsbehandling på rådhuset" not in r.text
    assert (await client.get(f"/systems/{everywhere}")).status_code == 200
    r = await client.get("/register", params={"unit_id": other_unit})
    assert r.status_code == 422


async def test_a_global_auditor_chooses_the_organization_and_a_platform_admin_reads_none(
    world: World, browser: OpenBrowser
) -> None:
    auditor = await browser(Actor(sub="revisor", role=Role.auditor))
    page = await auditor.get("/register")
    assert page.status_code == 200
    assert 'id="organizations"' in page.text
    assert f'href="/register?org={world.orgs[1]}"' in page.text
    chosen = await auditor.get("/register", params={"org": world.orgs[1]})
    assert table_rows(chosen.text) == [world.systems[1]]
    assert f'name="org" value="{world.orgs[1]}"' in chosen.text
    admin = await browser(Actor(sub="platform", role=Role.platform_admin))
    refused = await admin.get("/register")
    assert refused.status_code == 403
    assert "Du har ikke adgang" in refused.text


# --- one system ---------------------------------------------------------------------------------------


async def test_the_system_page_explains_every_field(world: World, browser: OpenBrowser) -> None:
    client = await browser(steward(world))
    r = await client.get(f"/systems/{world.systems[0]}")
    assert r.status_code == 200
    assert re.search(r"<h1>Ruteplanlægning i hjemmeplejen</h1>", r.text)
    for section_id in ("fields", "findings", "apv", "questions", "history"):
        assert f'<section id="{section_id}"' in r.text, section_id
    fields = section(r.text, "fields")
    purpose = element(fields, r'<div class="field" id="field-purpose">')
    purpose = visible_text(purpose[: purpose.index("</div>\n")])
    assert "Planlægger besøg og køreruter" in purpose
    assert "Formålet afgrænser, hvad oplysningerne må bruges til" in purpose
    assert "GDPR art. 5, stk. 1, litra b" in purpose
    from registry.systems.models import SYSTEM_FIELD_NAMES

    for name in SYSTEM_FIELD_NAMES:
        assert f'id="field-{name}"' in fields, name
    assert r.headers["cache-control"] == "no-store"


async def test_another_organizations_system_is_not_found_like_an_unknown_one(
    world: World, browser: OpenBrowser
) -> None:
    await world.ask_questions()
    client = await browser(steward(world))
    unknown = "00000000-0000-4000-8000-000000000000"
    for suffix in ("", "/statement", "/statement.pdf"):
        other = await client.get(f"/systems/{world.systems[1]}{suffix}")
        missing = await client.get(f"/systems/{unknown}{suffix}")
        assert other.status_code == missing.status_code == 404, suffix

        def without_address(page: str) -> str:
            return re.sub(r'href="/language/en\?next=[^"]*"', "", page)

        assert without_address(other.text) == without_address(missing.text)
        assert "Organisation 1" not in other.text
    assert (await client.get("/systems/not-a-uuid")).status_code == 404
    page = (await client.get(f"/systems/{world.systems[0]}")).text
    r = await client.post(
        f"/systems/{world.systems[1]}/questions",
        data={"csrf": form_value(page, "csrf"), "kind": "question", "text": "Må jeg se?"},
    )
    assert r.status_code == 404
    admin = await browser(employer(world))
    page = (await admin.get(f"/systems/{world.systems[0]}")).text
    r = await admin.post(
        f"/questions/{world.questions[1]}/answers", data={"csrf": form_value(page, "csrf"), "text": "Nej."}
    )
    assert r.status_code == 404
    assert await Answer.count() == 0


async def test_a_steward_asks_and_an_employer_answers_from_the_page(
    world: World, browser: OpenBrowser
) -> None:
    system = world.systems[0]
    tr = await browser(steward(world))
    page = (await tr.get(f"/systems/{system}")).text
    ask_form = element(page, rf'<form id="ask" method="post" action="/systems/{system}/questions"')
    assert 'class="answer"' not in page  # stewards do not answer
    r = await tr.post(
        f"/systems/{system}/questions",
        data={
            "csrf": form_value(ask_form, "csrf"),
            "kind": "question",
            "text": "Hvem kan se den enkeltes ruter?",
        },
    )
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.startswith(f"/systems/{system}?sent=question#question-")
    question_id = location.rsplit("question-", 1)[1]
    shown = (await tr.get(location.split("#")[0])).text
    assert "Dit spørgsmål er sendt til ledelsen." in shown
    assert "Hvem kan se den enkeltes ruter?" in section(shown, "questions")
    assert "Venter på svar" in shown

    hr = await browser(employer(world))
    page = (await hr.get(f"/systems/{system}")).text
    assert 'id="ask"' not in page  # employers answer; they do not ask
    answer_form = element(
        page, rf'<form class="answer" method="post" action="/questions/{question_id}/answers"'
    )
    r = await hr.post(
        f"/questions/{question_id}/answers",
        data={
            "csrf": form_value(answer_form, "csrf"),
            "text": "Kun planlæggeren ser den enkeltes ruter.",
            "committee": "lokal-MED",
            "minutes_ref": "Referat 3/2026, pkt. 4",
        },
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/systems/{system}?sent=answer#question-{question_id}"
    for client in (hr, tr):
        page = (await client.get(f"/systems/{system}")).text
        questions = visible_text(section(page, "questions"))
        assert "Kun planlæggeren ser den enkeltes ruter." in questions
        assert "Referat 3/2026, pkt. 4" in questions
        assert "Besvaret" in questions
    assert 'class="answer"' not in page  # answered: no form under it any more
    api = await world.client.get(f"{API}/questions/{question_id}", headers=world.headers("steward", 0))
    assert api.json()["answers"][0]["minutes_ref"] == "Referat 3/2026, pkt. 4"


async def test_a_correction_names_the_field_it_disputes(world: World, browser: OpenBrowser) -> None:
    system = world.systems[0]
    tr = await browser(steward(world))
    csrf = form_value((await tr.get(f"/systems/{system}")).text, "csrf")
    text = "Adgangen er bredere end angivet: teamlederne ser også ruterne."
    r = await tr.post(f"/systems/{system}/questions", data={"csrf": csrf, "kind": "correction", "text": text})
    assert r.status_code == 422
    ask = element(r.text, r'<form id="ask"')
    assert text in ask  # what was written is kept
    assert '<option value="correction" selected>' in ask
    assert 'aria-describedby="ask-field-error"' in ask
    assert "Vælg den oplysning, du mener er forkert." in ask
    assert await Question.count() == 0

    r = await tr.post(
        f"/systems/{system}/questions",
        data={"csrf": csrf, "kind": "correction", "text": text, "field": "access"},
    )
    assert r.status_code == 303
    assert "sent=correction" in r.headers["location"]
    page = (await tr.get(f"/systems/{system}")).text
    assert "Oplysninger, som rettelsen gælder: Adgang" in visible_text(section(page, "questions"))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "question", "text": "   "}, "text", "Skriv en tekst."),
        ({"kind": "question", "text": "x" * 10_001}, "text", "Teksten må højst være 10.000 tegn."),
        ({"kind": "complaint", "text": "Hvorfor?"}, "kind", "Vælg en af mulighederne på listen."),
        ({"kind": "question", "text": "Hvorfor?", "field": "salary"}, "field", "Vælg en af mulighederne"),
    ],
)
async def test_a_question_that_cannot_be_sent_is_explained(
    world: World, browser: OpenBrowser, data: dict[str, str], field: str, message: str
) -> None:
    tr = await browser(steward(world))
    csrf = form_value((await tr.get(f"/systems/{world.systems[0]}")).text, "csrf")
    r = await tr.post(f"/systems/{world.systems[0]}/questions", data={"csrf": csrf, **data})
    assert r.status_code == 422
    error = re.search(rf'<p class="field-error" id="ask-{field}-error">([^<]*)</p>', r.text)
    assert error, r.text
    assert htmllib.unescape(error.group(1)).startswith(message)
    assert await Question.count() == 0


async def test_an_answer_without_text_is_explained_and_nothing_is_saved(
    world: World, browser: OpenBrowser
) -> None:
    (question,) = (await world.ask_questions())[:1]
    hr = await browser(employer(world))
    csrf = form_value((await hr.get(f"/systems/{world.systems[0]}")).text, "csrf")
    r = await hr.post(
        f"/questions/{question}/answers",
        data={"csrf": csrf, "text": "", "committee": "nope", "minutes_ref": "pkt. 4"},
    )
    assert r.status_code == 422
    form = element(r.text, rf'<form class="answer" method="post" action="/questions/{question}/answers"')
    assert f'id="answer-{question}-text-error"' in form
    assert f'id="answer-{question}-committee-error"' in form
    assert 'value="pkt. 4"' in form
    assert await Answer.count() == 0


async def test_only_stewards_ask_and_only_employers_answer(world: World, browser: OpenBrowser) -> None:
    (question,) = (await world.ask_questions())[:1]
    auditor = await browser(Actor(sub="revisor-0", role=Role.auditor, org=world.orgs[0]))
    page = (await auditor.get(f"/systems/{world.systems[0]}")).text
    assert 'id="ask"' not in page
    assert 'class="answer"' not in page
    csrf = form_value(page, "csrf")
    r = await auditor.post(
        f"/systems/{world.systems[0]}/questions", data={"csrf": csrf, "kind": "question", "text": "Hvad?"}
    )
    assert r.status_code == 403
    tr = await browser(steward(world))
    csrf = form_value((await tr.get(f"/systems/{world.systems[0]}")).text, "csrf")
    r = await tr.post(f"/questions/{question}/answers", data={"csrf": csrf, "text": "Svar"})
    assert r.status_code == 403
    assert await Answer.count() == 0


async def test_the_history_shows_each_change_before_and_after(world: World, browser: OpenBrowser) -> None:
    system = world.systems[0]
    await change(
        world,
        system,
        status="in_use",
        data_categories=["location"],
        change_note="Taget i brug efter drøftelse i lokal-MED",
    )
    client = await browser(steward(world))
    page = (await client.get(f"/systems/{system}")).text
    history = section(page, "history")
    versions = re.findall(r'<article class="revision[^"]*" id="version-(\d+)"', history)
    assert versions == ["2", "1"]  # newest first
    two = history[history.index('id="version-2"') : history.index('id="version-1"')]
    text = visible_text(two)
    assert "Taget i brug efter drøftelse i lokal-MED" in text
    assert "hr-0" in text or "test-employer_admin" in text
    assert "Nye typer af oplysninger" in text or "nye typer af oplysninger" in text.lower()
    rows = re.findall(
        r'<th scope="row">([^<]*)</th>\s*<td class="before"[^>]*>([^<]*)</td>'
        r'\s*<td class="after"[^>]*>([^<]*)</td>',
        two,
    )
    assert ("Status", "afprøves (pilotforsøg)", "i brug") in rows
    assert ("Typer af oplysninger", "Ikke oplyst", "position og færden") in rows
    assert '<th scope="col">Før</th>' in two
    assert '<th scope="col">Efter</th>' in two


async def test_what_changed_since_the_last_visit_is_highlighted_until_seen(
    world: World, browser: OpenBrowser
) -> None:
    system = world.systems[0]
    client = await browser(steward(world))
    first = (await client.get(f"/systems/{system}")).text
    assert 'id="changes-notice"' not in first
    assert "changed-since-visit" not in first

    await change(world, system, purpose="Planlægger ruter.", change_note="Kortere formål")
    await change(world, system, vendor="Ny leverandør A/S", change_note="Ny leverandør")
    register_page = (await client.get("/register")).text
    assert badges(register_page, system).get("changed") == "Ændret siden dit sidste besøg"
    page = (await client.get(f"/systems/{system}")).text
    notice = element(page, r'<div class="notice notice-changed" id="changes-notice" role="status">')
    assert "du så version 1, nu er det version 3" in visible_text(notice[: notice.index("</div>")])
    marked = re.findall(r'<article class="revision changed-since-visit" id="version-(\d+)"', page)
    assert marked == ["3", "2"]

    again = (await client.get(f"/systems/{system}")).text
    assert 'id="changes-notice"' not in again
    assert "changed-since-visit" not in again
    assert "changed" not in badges((await client.get("/register")).text, system)
    # Visits are per person: another steward has not seen anything yet, so nothing is "changed".
    other = await browser(steward(world, sub="tr-other"))
    assert "changed" not in badges((await other.get("/register")).text, system)


# --- the written account ------------------------------------------------------------------------------


async def test_the_written_account_as_a_printable_page_and_a_pdf(world: World, browser: OpenBrowser) -> None:
    system = world.systems[0]
    client = await browser(steward(world))
    page = await client.get(f"/systems/{system}/statement")
    assert page.status_code == 200
    assert "Skriftlig redegørelse om AI-systemet Ruteplanlægning i hjemmeplejen" in page.text
    assert 'id="language-switch"' in page.text
    assert "<style" not in page.text  # the page's one stylesheet; nothing inline (CSP)
    for section_id in ("purpose", "data", "access", "retention", "history"):
        assert f'<section id="{section_id}"' in page.text
    pdf = await client.get(f"/systems/{system}/statement.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == (
        'attachment; filename="redegoerelse-ruteplanlaegning-i-hjemmeplejen.pdf"'
    )
    assert pdf.headers["cache-control"] == "no-store"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Skriftlig redegørelse" in text
    await client.get("/language/en")
    english = await client.get(f"/systems/{system}/statement.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(english.content)).pages)
    assert "Written account" in text


# --- identity providers, escaping, logging ------------------------------------------------------------


async def test_pages_accept_the_apis_bearer_tokens(world: World, browser: OpenBrowser) -> None:
    client = await browser()
    headers = world.headers("steward", 0, sub="idp-user")
    page = await client.get("/register", headers=headers)
    assert page.status_code == 200
    assert table_rows(page.text) == [world.systems[0]]
    assert 'id="logout"' not in page.text  # the identity provider owns the session
    system_page = (await client.get(f"/systems/{world.systems[0]}", headers=headers)).text
    r = await client.post(
        f"/systems/{world.systems[0]}/questions",
        data={"csrf": form_value(system_page, "csrf"), "kind": "question", "text": "Via fælles login"},
        headers=headers,
    )
    assert r.status_code == 303
    refused = await client.get("/register", headers=bearer("not.a.token"))
    assert refused.status_code == 401
    assert "Dit login kunne ikke godkendes" in refused.text


async def test_text_from_the_register_is_escaped(world: World, browser: OpenBrowser) -> None:
    hostile = await register(world, name="Rute <script>alert(1)</script>", purpose="<b>fed</b> & mere")
    client = await browser(steward(world))
    for path in ("/register", f"/systems/{hostile}", f"/systems/{hostile}/statement"):
        page = (await client.get(path)).text
        assert "<script>alert(1)</script>" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


async def test_page_views_and_form_posts_are_in_the_access_log(world: World, browser: OpenBrowser) -> None:
    client = await browser(steward(world, sub="tr-logget"))
    login = await AccessLogEntry.select().where(AccessLogEntry.action == "login").first()
    assert login is not None
    assert (login["actor_sub"], login["resource_type"], login["status"]) == ("tr-logget", "session", 303)
    system = world.systems[0]
    await client.get("/register")
    await client.get(f"/systems/{system}")
    page = (await client.get(f"/systems/{system}/statement")).text
    await client.post(
        f"/systems/{system}/questions",
        data={"csrf": form_value(page, "csrf"), "kind": "question", "text": "Logges det?"},
    )
    await client.get(f"/systems/{world.systems[1]}")
    await client.get("/static/app.css")
    log = (
        await AccessLogEntry.select()
        .where(AccessLogEntry.actor_sub == "tr-logget")
        .order_by(AccessLogEntry.seq)
    )
    seen = [(e["action"], e["resource_type"], e["resource_id"], e["outcome"]) for e in log]
    question = await Question.select(Question.id).first()
    assert question is not None
    assert seen[1:] == [
        ("list", "system", None, "allowed"),
        ("read", "system", system, "allowed"),
        ("read", "statement", system, "allowed"),
        ("ask", "question", str(question["id"]), "allowed"),
        ("read", "system", world.systems[1], "not_found"),
    ]
    assert {e["organization_id"] for e in log[1:5]} == {world.orgs[0]}
    assert {e["actor_role"] for e in log} == {"steward"}


async def test_the_stylesheet_is_served_without_an_entry_in_the_access_log(browser: OpenBrowser) -> None:
    client = await browser()
    before = await AccessLogEntry.count()
    r = await client.get("/static/app.css")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in r.text
    assert await AccessLogEntry.count() == before


async def test_the_pages_are_not_part_of_the_api_description(app: Any) -> None:
    paths = set(app.openapi_schema.to_schema()["paths"])
    assert all(path.startswith("/api/v1") for path in paths)


async def test_errors_on_pages_are_pages_and_the_api_keeps_problem_json(
    world: World, browser: OpenBrowser
) -> None:
    client = await browser(steward(world))
    page = await client.get("/systems/00000000-0000-4000-8000-000000000000")
    assert page.headers["content-type"].startswith("text/html")
    assert "Siden findes ikke" in page.text
    api = await world.client.get(
        f"{API}/systems/00000000-0000-4000-8000-000000000000", headers=world.headers("steward", 0)
    )
    assert api.headers["content-type"].startswith("application/problem+json")
    anonymous = await browser()
    r = await anonymous.get(f"/systems/{world.systems[0]}")
    assert r.status_code == 401
    assert "Sådan logger du ind" in r.text
    assert "Ruteplanlægning" not in r.text


async def test_a_hand_made_cursor_beyond_64_bits_is_a_400_page(world: World, browser: OpenBrowser) -> None:
    import base64

    raw = f'[1,{2**64},"{world.systems[0]}"]'.encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    client = await browser(steward(world))
    r = await client.get(f"/register?cursor={cursor}")
    assert r.status_code == 400
