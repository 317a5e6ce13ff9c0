"""The stewards' web pages in a real headless Chromium (Debian's package, driven by Playwright) against
`airegistry serve` with the demo data set (see conftest.py): log in by a one-time link, filter the
register, open a system, read a diff, ask and answer a question, switch language, download the PDF,
stay out of another organization's pages, and pass axe-core on every page in both languages."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.axe_check import RESULTS, assert_accessible, axe_violations
from tests.e2e.conftest import LANG_COOKIE, SCREENSHOTS, SESSION_COOKIE, LoginLink, Server, submit_login

pytestmark = pytest.mark.e2e

SYSTEM_LINK = re.compile(r"/systems/([0-9a-f-]{36})(?:[/?#]|$)")
PAGING_SYSTEMS = 120
SCREENSHOT_NAME = "Mette Jensen"  # who the screenshots show as logged in
LogIn = Callable[..., Any]


# --- helpers ----------------------------------------------------------------------------------------


def html_lang(page: Any) -> str:
    return str(page.evaluate("() => document.documentElement.lang"))


def register_rows(page: Any) -> dict[str, str]:
    """System id -> the row's link text, for every row of table#register."""
    table = page.locator("table#register")
    assert table.count() == 1, f"no table#register on {page.url}"
    rows: dict[str, str] = {}
    for link in table.locator("a[href*='/systems/']").all():
        match = SYSTEM_LINK.search(link.get_attribute("href") or "")
        if match and match.group(1) not in rows:
            rows[match.group(1)] = link.inner_text().strip()
    return rows


def row_of(page: Any, system_id: str) -> Any:
    row = page.locator("table#register tr").filter(has=page.locator(f"a[href*='/systems/{system_id}']"))
    assert row.count() == 1, f"no single row for system {system_id} in table#register"
    return row


def submit_filters(page: Any, **values: str | bool) -> None:
    """Fill form#filters (select, text field or checkbox by name) and submit it like a user."""
    form = page.locator("form#filters")
    assert form.count() == 1, f"no form#filters on {page.url}"
    assert (form.get_attribute("method") or "get").lower() == "get", "form#filters should use GET"
    for name, value in values.items():
        field = form.locator(f"[name='{name}']")
        assert field.count() >= 1, f"form#filters has no field named {name!r}"
        field = field.first
        tag = field.evaluate("e => e.tagName.toLowerCase()")
        kind = (field.get_attribute("type") or "").lower()
        if tag == "select":
            field.select_option(str(value))
        elif kind == "checkbox":
            field.set_checked(bool(value))
        else:
            field.fill(str(value))
    submit = form.locator("button[type=submit], input[type=submit], button:not([type])")
    assert submit.count() >= 1, "form#filters has no submit button"
    with page.expect_navigation():
        submit.first.click()


def api_ids(server: Server, token: str, org_id: str, **query: str) -> set[str]:
    """Ids the JSON API lists for these filters: the oracle for the register page."""
    response = server.api(
        "GET", f"/api/v1/organizations/{org_id}/systems", token, params={"limit": "100", **query}
    )
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def switch_language(page: Any, expected: str) -> None:
    switch = page.locator("a#language-switch")
    assert switch.count() == 1, f"no a#language-switch on {page.url}"
    with page.expect_navigation():
        switch.click()
    assert html_lang(page) == expected, f"after a#language-switch the page is lang={html_lang(page)!r}"


def screenshot(page: Any, name: str) -> None:
    """docs/screenshots/NAME.png for the README: written when missing, or every run with
    AIREG_E2E_SCREENSHOTS=update (they carry dates, so they would change on every run otherwise)."""
    target = SCREENSHOTS / f"{name}.png"
    if target.exists() and os.environ.get("AIREG_E2E_SCREENSHOTS") != "update":
        assert page.screenshot()[:8] == b"\x89PNG\r\n\x1a\n"  # rendered, not written
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))


def goto_ok(page: Any, url: str) -> Any:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"GET {url} answered {response.status}"
    return response


def session_cookie(context: Any) -> dict[str, Any] | None:
    return next((c for c in context.cookies() if c["name"] == SESSION_COOKIE), None)


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paging_org(server: Server) -> dict[str, Any]:
    """An organization of its own with PAGING_SYSTEMS systems (more than a page), through the API."""
    platform = server.bearer("platform_admin")
    response = server.api(
        "POST",
        "/api/v1/organizations",
        platform,
        json={"name": "Sideskift A/S", "cvr": "29189919", "sector": "private", "cooperation_body": "SU"},
    )
    assert response.status_code == 201, response.text
    org_id = response.json()["id"]
    admin = server.bearer("employer_admin", org_id)
    for n in range(PAGING_SYSTEMS):
        body = {
            "name": f"Sidesystem {n:03d}",
            "vendor": "Eksempel Software A/S",
            "purpose": "Planlægger vagter og opgaver for medarbejderne.",
            "category": "decision_support",
            "control_measure": False,
            "status": "in_use",
        }
        created = server.api("POST", f"/api/v1/organizations/{org_id}/systems", admin, json=body)
        assert created.status_code == 201, created.text
    return {"id": org_id}


# --- logging in and out -----------------------------------------------------------------------------


def test_login_by_link_sets_a_strict_httponly_session(
    server: Server, new_context: Callable[..., Any], login_link: LoginLink
) -> None:
    fjordby = server.org("Fjordby")
    link = login_link("steward", fjordby.id)
    context = new_context()
    page = context.new_page()

    goto_ok(page, link)
    assert html_lang(page) == "da", "Danish is the default language"
    assert page.locator("form#login").count() == 1
    assert (page.locator("form#login").get_attribute("method") or "").lower() == "post"
    assert session_cookie(context) is None, "opening the link alone must not log in"
    assert_accessible(page, "login (da)")

    submit_login(page, link)
    cookie = session_cookie(context)
    assert cookie is not None, f"no {SESSION_COOKIE} cookie after logging in"
    assert cookie["httpOnly"], "the session cookie must be HttpOnly"
    assert cookie["sameSite"] == "Strict", f"the session cookie is SameSite={cookie['sameSite']}"
    assert set(register_rows(page)) == {s["id"] for s in fjordby.systems}


def test_a_used_login_link_cannot_log_in_again(
    server: Server, new_context: Callable[..., Any], login_link: LoginLink
) -> None:
    link = login_link("steward", server.org("Fjordby").id)
    submit_login(new_context().new_page(), link)

    context = new_context()  # another browser, same link
    page = context.new_page()
    response = page.goto(link)
    assert response is not None
    if response.status != 410 and page.locator("form#login").count():
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.locator("form#login").get_by_role("button", name="Log ind").click()
        response = posted.value
        page.wait_for_load_state()
    assert response.status == 410, f"a used login link answered {response.status}, not 410"
    assert session_cookie(context) is None, "a used link must not set a session"
    assert_accessible(page, "used login link, 410 (da)")
    goto_register = page.goto(f"{server.base_url}/register")
    assert goto_register is not None
    assert page.locator("table#register").count() == 0, "the register is shown without a session"


def test_logout_ends_the_session(server: Server, log_in: LogIn) -> None:
    page = log_in("steward", server.org("Fjordby").id)
    logout = page.locator("form#logout")
    assert logout.count() == 1, "no form#logout on the register"
    assert (logout.get_attribute("method") or "").lower() == "post"
    with page.expect_navigation():
        logout.locator("button, input[type=submit]").first.click()
    page.goto(f"{server.base_url}/register")
    assert page.locator("table#register").count() == 0, "the register is still shown after logging out"


# --- the register -----------------------------------------------------------------------------------


def test_register_lists_the_organization_with_badges(server: Server, log_in: LogIn) -> None:
    fjordby = server.org("Fjordby")
    page = log_in("steward", fjordby.id, name=SCREENSHOT_NAME)
    rows = register_rows(page)
    assert set(rows) == {s["id"] for s in fjordby.systems}
    for system in fjordby.systems:
        assert (
            system["name"] in rows[system["id"]] or system["name"] in row_of(page, system["id"]).inner_text()
        )

    cameras = fjordby.system("vejskader")  # category monitoring, control measure
    badges = row_of(page, cameras["id"]).locator(".badge[data-badge='monitoring']")
    assert badges.count() == 1, "the monitoring system's row has no .badge[data-badge=monitoring]"
    assistant = fjordby.system("sagsassistent")  # health data: special category (GDPR art. 9)
    assert row_of(page, assistant["id"]).locator(".badge[data-badge='special-category']").count() == 1
    assert row_of(page, assistant["id"]).locator(".badge[data-badge='monitoring']").count() == 0
    known = {"monitoring", "special-category", "fully-automated", "open-findings", "apv-due", "changed"}
    seen = {b.get_attribute("data-badge") for b in page.locator(".badge[data-badge]").all()}
    assert seen <= known, f"badges outside the contract: {seen - known}"
    assert page.locator("a#next-page").count() == 0, "three systems fit on one page"
    assert_accessible(page, "register (da)")
    screenshot(page, "register-da")


def test_filter_the_register(server: Server, log_in: LogIn) -> None:
    fjordby = server.org("Fjordby")
    page = log_in("steward", fjordby.id)
    oracle = server.bearer("steward", fjordby.id)
    register = f"{server.base_url}/register"

    submit_filters(page, category="monitoring")
    assert parse_qs(urlsplit(page.url).query).get("category") == ["monitoring"]
    assert set(register_rows(page)) == api_ids(server, oracle, fjordby.id, category="monitoring")
    assert set(register_rows(page)) == {fjordby.system("vejskader")["id"]}
    assert page.locator("form#filters [name='category']").input_value() == "monitoring", (
        "the filter form should show the filter in use"
    )
    assert_accessible(page, "register filtered (da)")

    goto_ok(page, register)
    submit_filters(page, status="in_use")
    assert set(register_rows(page)) == api_ids(server, oracle, fjordby.id, status="in_use")

    goto_ok(page, register)
    submit_filters(page, q="vejskader")
    assert set(register_rows(page)) == api_ids(server, oracle, fjordby.id, q="vejskader")
    assert fjordby.system("vejskader")["id"] in register_rows(page)

    goto_ok(page, register)
    submit_filters(page, data_category="health")
    assert set(register_rows(page)) == api_ids(server, oracle, fjordby.id, data_category="health")

    unit = next(u for u in fjordby.units if u["name"] == "Hjemmeplejen")
    goto_ok(page, register)
    submit_filters(page, unit_id=unit["id"])
    assert set(register_rows(page)) == api_ids(server, oracle, fjordby.id, unit_id=unit["id"])

    goto_ok(page, register)
    submit_filters(page, monitoring=True)
    shown = set(register_rows(page))
    assert fjordby.system("vejskader")["id"] in shown, "monitoring filter drops the camera system"
    assert fjordby.system("sagsassistent")["id"] not in shown, (
        "monitoring filter keeps a non-monitoring system"
    )

    goto_ok(page, register)
    submit_filters(page, high_risk=True)
    high = api_ids(server, oracle, fjordby.id, risk_class="high_risk")
    assert set(register_rows(page)) == high, (
        "high_risk should list the systems of AI Act risk class high_risk"
    )

    goto_ok(page, register)
    submit_filters(page, findings=True)
    with_findings = set(register_rows(page))
    for system_id in with_findings:
        assert row_of(page, system_id).locator(".badge[data-badge='open-findings']").count() == 1

    goto_ok(page, register)
    submit_filters(page, category="generative_assistant", status="retired")
    assert register_rows(page) == {}, "no system is both a generative assistant and retired"


def test_a_steward_limited_to_units_sees_only_theirs(server: Server, log_in: LogIn) -> None:
    fjordby = server.org("Fjordby")
    unit = next(u for u in fjordby.units if u["name"] == "Hjemmeplejen")
    page = log_in("steward", fjordby.id, units=[unit["id"]])
    expected = api_ids(server, server.bearer("steward", fjordby.id, units=[unit["id"]]), fjordby.id)
    assert expected != {s["id"] for s in fjordby.systems}, "the demo unit should not see every system"
    assert set(register_rows(page)) == expected
    hidden = next(s for s in fjordby.systems if s["id"] not in expected)
    response = page.goto(f"{server.base_url}/systems/{hidden['id']}")
    assert response is not None
    assert response.status == 404, f"a system outside the steward's units answered {response.status}"


def test_the_register_pages(server: Server, log_in: LogIn, paging_org: dict[str, Any]) -> None:
    page = log_in("steward", paging_org["id"])
    seen: dict[str, str] = {}
    pages = 0
    while True:
        rows = register_rows(page)
        pages += 1
        assert rows, f"page {pages} of the register is empty"
        assert not set(rows) & set(seen), f"page {pages} repeats systems of earlier pages"
        seen |= rows
        following = page.locator("a#next-page")
        if following.count() == 0:
            break
        assert pages < 50
        with page.expect_navigation():
            following.click()
    assert pages > 1, f"{PAGING_SYSTEMS} systems fit on one page: no a#next-page"
    assert len(seen) == PAGING_SYSTEMS


# --- a system ---------------------------------------------------------------------------------------


def test_open_a_system_and_read_its_history(server: Server, log_in: LogIn) -> None:
    fjordby = server.org("Fjordby")
    routes = fjordby.system("ruteplanlægning")
    page = log_in("steward", fjordby.id, name=SCREENSHOT_NAME)
    with page.expect_navigation():
        page.locator(f"table#register a[href*='/systems/{routes['id']}']").first.click()
    assert urlsplit(page.url).path == f"/systems/{routes['id']}"
    assert page.locator("h1").first.inner_text().strip() == routes["name"]
    for section in ("fields", "findings", "apv", "questions", "history"):
        assert page.locator(f"section#{section}").count() == 1, f"no section#{section}"
    assert routes["vendor"] in page.locator("section#fields").inner_text()

    revisions = page.locator("section#history article.revision")
    assert revisions.count() == routes["version"], (
        f"{revisions.count()} article.revision for a system at version {routes['version']}"
    )
    diffs = 0
    for revision in revisions.all():
        table = revision.locator("table")
        if table.count() and table.first.locator("tr").count() >= 2:
            diffs += 1
    # Every version after the registration changed something: each shows its before/after table.
    assert diffs >= routes["version"] - 1, f"only {diffs} revisions show a before/after table"
    headers = page.locator("section#history article.revision table").first.inner_text().lower()
    assert "før" in headers or "tidligere" in headers, (
        f"the diff table names no 'før' column: {headers[:200]}"
    )
    assert_accessible(page, "system (da)")
    screenshot(page, "system-da")


def test_changes_since_my_last_visit_are_highlighted(server: Server, log_in: LogIn) -> None:
    region = server.org("Østerdal")
    system = region.systems[0]
    page = log_in("steward", region.id, sub="e2e-visitor")
    url = f"{server.base_url}/systems/{system['id']}"
    goto_ok(page, url)  # the first visit

    admin = server.bearer("employer_admin", region.id)
    current = server.api("GET", f"/api/v1/systems/{system['id']}", admin)
    note = f"E2E: formålet præciseret {uuid.uuid4().hex[:6]}"
    changed = server.api(
        "PATCH",
        f"/api/v1/systems/{system['id']}",
        admin,
        json={"purpose": system["purpose"] + " Præciseret.", "change_note": note},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text

    goto_ok(page, url)  # the second visit: one revision is new since the first
    marked = page.locator("section#history article.revision.changed-since-visit")
    assert marked.count() == 1, f"{marked.count()} revisions marked changed-since-visit, expected 1"
    assert note in marked.inner_text(), "the marked revision is not the change made since the last visit"
    assert "Præciseret." in marked.inner_text(), "the marked revision does not show the new purpose"

    goto_ok(page, url)  # the third visit: nothing new
    assert page.locator("section#history article.revision.changed-since-visit").count() == 0


def test_a_steward_asks_a_question_and_the_employer_answers(server: Server, log_in: LogIn) -> None:
    fjordby = server.org("Fjordby")
    assistant = fjordby.system("sagsassistent")
    url = f"{server.base_url}/systems/{assistant['id']}"
    steward = log_in("steward", fjordby.id)
    goto_ok(steward, url)
    ask = steward.locator("section#questions form#ask")
    assert ask.count() == 1, "no form#ask in section#questions for a steward"
    question = f"Hvem kan se de noter, assistenten skriver? ({uuid.uuid4().hex[:6]})"
    ask.locator("textarea[name='text']").fill(question)
    kind = ask.locator("select[name='kind']")
    assert kind.count() == 1, "form#ask has no select named kind"
    kind.select_option("question")
    with steward.expect_navigation():
        ask.locator("button[type=submit], input[type=submit], button:not([type])").first.click()
    assert urlsplit(steward.url).path.startswith(f"/systems/{assistant['id']}")
    assert question in steward.locator("section#questions").inner_text(), "the question is not listed"
    assert_accessible(steward, "system after asking (da)")

    admin = log_in("employer_admin", fjordby.id)
    goto_ok(admin, url)
    assert admin.locator("section#questions form#ask").count() == 0, "an employer admin gets form#ask"
    containers = (
        admin.locator("section#questions *")
        .filter(has_text=question)
        .filter(has=admin.locator("form.answer"))
    )
    if containers.count():  # the innermost element holding the question and an answer form
        answer_form = containers.last.locator("form.answer")
    else:
        answer_form = admin.locator("section#questions form.answer")
        assert answer_form.count() == 1, f"{answer_form.count()} form.answer, none beside the question"
    answer = f"Kun sagsbehandleren selv og hendes leder. ({uuid.uuid4().hex[:6]})"
    answer_form.last.locator("textarea").first.fill(answer)
    assert_accessible(admin, "system as employer admin (da)")
    with admin.expect_navigation():
        answer_form.last.locator("button[type=submit], input[type=submit], button:not([type])").first.click()
    assert answer in admin.locator("section#questions").inner_text(), "the answer is not listed"

    goto_ok(steward, url)
    assert answer in steward.locator("section#questions").inner_text(), "the steward does not see the answer"


def test_forms_refuse_a_post_without_the_csrf_token(server: Server, log_in: LogIn) -> None:
    fjordby = server.org("Fjordby")
    assistant = fjordby.system("sagsassistent")
    page = log_in("steward", fjordby.id)
    goto_ok(page, f"{server.base_url}/systems/{assistant['id']}")
    action = page.locator("form#ask").get_attribute("action") or urlsplit(page.url).path
    target = action if action.startswith("http") else server.base_url + action
    forged = page.context.request.post(
        target, form={"text": "Forfalsket spørgsmål", "kind": "question"}, max_redirects=0
    )
    assert forged.status in (400, 403), f"a POST without the CSRF token answered {forged.status}"
    goto_ok(page, f"{server.base_url}/systems/{assistant['id']}")
    assert "Forfalsket spørgsmål" not in page.locator("section#questions").inner_text()


# --- the written account ----------------------------------------------------------------------------


def test_statement_prints_and_downloads_as_pdf(server: Server, log_in: LogIn, tmp_path: Path) -> None:
    fjordby = server.org("Fjordby")
    routes = fjordby.system("ruteplanlægning")
    page = log_in("steward", fjordby.id, name=SCREENSHOT_NAME)
    goto_ok(page, f"{server.base_url}/systems/{routes['id']}/statement")
    assert html_lang(page) == "da"
    assert routes["name"] in page.locator("body").inner_text()
    assert_accessible(page, "statement (da)")
    screenshot(page, "statement-da")

    pdf_url = f"{server.base_url}/systems/{routes['id']}/statement.pdf"
    fetched = page.context.request.get(pdf_url)
    assert fetched.status == 200, f"GET statement.pdf answered {fetched.status}"
    assert fetched.headers["content-type"].startswith("application/pdf")
    assert fetched.body()[:5] == b"%PDF-"

    # A user downloads it from a link on the statement or the system page.
    link = page.locator("a[href$='statement.pdf']")
    if link.count() == 0:
        goto_ok(page, f"{server.base_url}/systems/{routes['id']}")
        link = page.locator("a[href$='statement.pdf']")
    assert link.count() >= 1, "neither the statement nor the system page links to statement.pdf"
    with page.expect_download() as download_info:
        link.first.click()
    download = download_info.value
    saved = tmp_path / (download.suggested_filename or "statement.pdf")
    download.save_as(saved)
    assert saved.read_bytes()[:5] == b"%PDF-"
    assert saved.name.endswith(".pdf"), f"the download is named {saved.name!r}"


# --- language ---------------------------------------------------------------------------------------


def test_switch_to_english_and_it_stays_switched(server: Server, log_in: LogIn) -> None:
    fjordby = server.org("Fjordby")
    routes = fjordby.system("ruteplanlægning")
    page = log_in("steward", fjordby.id, name=SCREENSHOT_NAME)
    assert html_lang(page) == "da"
    danish_logout = page.locator("form#logout").inner_text().strip()

    switch_language(page, "en")
    assert urlsplit(page.url).path == "/register", f"the switch left the register for {page.url}"
    assert any(c["name"] == LANG_COOKIE for c in page.context.cookies()), f"no {LANG_COOKIE} cookie"
    assert page.locator("form#logout").inner_text().strip() != danish_logout, "the page is still Danish"
    assert_accessible(page, "register (en)")
    screenshot(page, "register-en")

    with page.expect_navigation():
        page.locator(f"table#register a[href*='/systems/{routes['id']}']").first.click()
    assert html_lang(page) == "en", "the language did not stay switched on the next page"
    assert_accessible(page, "system (en)")
    screenshot(page, "system-en")

    goto_ok(page, f"{server.base_url}/systems/{routes['id']}/statement")
    assert html_lang(page) == "en"
    assert_accessible(page, "statement (en)")
    screenshot(page, "statement-en")

    goto_ok(page, f"{server.base_url}/register")
    submit_filters(page, category="monitoring")
    assert html_lang(page) == "en"
    assert_accessible(page, "register filtered (en)")

    switch_language(page, "da")
    goto_ok(page, f"{server.base_url}/systems/{routes['id']}")
    assert html_lang(page) == "da", "switching back to Danish did not stay"


def test_every_page_in_english_passes_axe(
    server: Server, new_context: Callable[..., Any], login_link: LoginLink, log_in: LogIn
) -> None:
    """The pages before login and the error pages in English too (the Danish ones are checked above)."""
    fjordby = server.org("Fjordby")
    link = login_link("steward", fjordby.id)
    page = new_context().new_page()
    goto_ok(page, link)
    switch_language(page, "en")
    assert page.locator("form#login").count() == 1, "switching language on the login page lost the form"
    assert_accessible(page, "login (en)")
    submit_login(page, link)
    assert html_lang(page) == "en", "the language chosen before logging in was forgotten"

    nordlys = server.org("Nordlys")
    response = page.goto(f"{server.base_url}/systems/{nordlys.systems[0]['id']}")
    assert response is not None
    assert response.status == 404
    assert html_lang(page) == "en"
    assert_accessible(page, "404, another organization's system (en)")

    used = new_context().new_page()
    used.goto(link)
    if used.locator("a#language-switch").count():
        switch_language(used, "en")
    assert_accessible(used, "used login link (en)")

    admin = log_in("employer_admin", fjordby.id)
    switch_language(admin, "en")
    goto_ok(admin, f"{server.base_url}/systems/{fjordby.system('sagsassistent')['id']}")
    assert_accessible(admin, "system as employer admin (en)")


# --- other organizations ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/statement", "/statement.pdf"])
def test_a_steward_cannot_reach_another_organizations_system(
    server: Server, log_in: LogIn, suffix: str
) -> None:
    fjordby, nordlys = server.org("Fjordby"), server.org("Nordlys")
    page = log_in("steward", fjordby.id)
    for system in nordlys.systems:
        url = f"{server.base_url}/systems/{system['id']}{suffix}"
        if suffix.endswith(".pdf"):
            status = page.context.request.get(url).status
        else:
            response = page.goto(url)
            assert response is not None
            status = response.status
            assert system["name"] not in page.locator("body").inner_text(), "the 404 page names the system"
        assert status == 404, f"{url} answered {status} to a steward of another organization"
    if not suffix:
        assert html_lang(page) == "da"
        assert_accessible(page, "404, another organization's system (da)")
    missing = page.goto(f"{server.base_url}/systems/{uuid.uuid4()}{suffix}")
    assert missing is not None
    assert missing.status == 404, "an unknown system id should answer 404 like a foreign one"


def test_keyboard_alone_opens_a_system(server: Server, log_in: LogIn) -> None:
    fjordby = server.org("Fjordby")
    page = log_in("steward", fjordby.id)
    for _ in range(80):
        page.keyboard.press("Tab")
        href = page.evaluate("() => document.activeElement && document.activeElement.getAttribute('href')")
        if href and SYSTEM_LINK.search(href):
            break
    else:
        pytest.fail("80 presses of Tab never reached a system link in table#register")
    visible = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; }"""
    )
    assert visible, "the focused link shows no focus indicator (outline or box-shadow)"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert SYSTEM_LINK.search(page.url), f"Enter on a focused system link went to {page.url}"
    assert page.locator("h1").count() == 1


# --- the remaining pages, and the check itself ------------------------------------------------------


def open_in(page: Any, url: str, lang: str) -> Any:
    """GET url (any status) and, for English, switch with a#language-switch on that very page."""
    response = page.goto(url)
    assert response is not None
    if lang != html_lang(page):
        switch_language(page, lang)
        response = page.goto(url)
        assert response is not None
    assert html_lang(page) == lang
    return response


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_other_pages_pass_axe(
    server: Server, new_context: Callable[..., Any], log_in: LogIn, lang: str
) -> None:
    """Front page, 401, the organization chooser, and pages showing form errors."""
    page = new_context().new_page()
    assert open_in(page, f"{server.base_url}/", lang).status == 200
    assert_accessible(page, f"front page, logged out ({lang})")
    assert open_in(page, f"{server.base_url}/register", lang).status == 401
    assert page.locator("table#register").count() == 0
    assert_accessible(page, f"401, register without a session ({lang})")

    auditor = log_in("auditor")  # platform-wide: chooses an organization first
    if lang == "en":
        switch_language(auditor, "en")
    assert auditor.locator("h1").count() == 1
    assert_accessible(auditor, f"register, choose an organization (auditor, {lang})")
    chooser = auditor.locator("a[href*='/register?org=']")
    assert chooser.count() >= 4, "the platform-wide auditor is offered no organizations"
    with auditor.expect_navigation():
        chooser.first.click()
    assert register_rows(auditor), "the chosen organization's register is empty"
    assert_accessible(auditor, f"register of a chosen organization (auditor, {lang})")

    fjordby = server.org("Fjordby")
    steward = log_in("steward", fjordby.id)
    if lang == "en":
        switch_language(steward, "en")
    response = steward.goto(f"{server.base_url}/register?category=no-such-category")
    assert response is not None
    assert response.status in (200, 400, 422)
    assert_accessible(steward, f"register with an invalid filter ({lang})")

    goto_ok(steward, f"{server.base_url}/systems/{fjordby.system('sagsassistent')['id']}")
    ask = steward.locator("form#ask")
    with steward.expect_response(lambda r: r.request.method == "POST") as posted:
        ask.locator("button[type=submit]").click()  # an empty question
    assert posted.value.status == 422, f"an empty question answered {posted.value.status}"
    steward.wait_for_load_state()
    assert steward.locator("form#ask [aria-invalid='true']").count() >= 1, "the empty field is not marked"
    assert_accessible(steward, f"system with an invalid question ({lang})")


def test_the_accessibility_check_finds_violations(server: Server, log_in: LogIn) -> None:
    """The check is not vacuous: an image without alt text and an unlabelled field are found."""
    page = log_in("steward", server.org("Fjordby").id)
    page.evaluate(
        """() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<img src="/static/app.css"><input type="text">');
    }"""
    )
    found = {v["id"]: v["impact"] for v in axe_violations(page, "self-test (deliberately broken)")}
    assert found.get("image-alt") == "critical", found
    assert found.get("label") == "critical", found
    RESULTS.pop()  # not a page of the product


@pytest.mark.parametrize("lang", ["da", "en"])
def test_an_unknown_address_shows_an_error_page(
    server: Server, new_context: Callable[..., Any], lang: str
) -> None:
    """A mistyped address in the browser gets the site's own 404 page, not the API's JSON problem."""
    context = new_context()
    page = context.new_page()
    open_in(page, f"{server.base_url}/", lang)  # the language cookie, as a visitor would have it
    response = page.goto(f"{server.base_url}/no-such-page")
    assert response is not None
    assert response.status == 404
    kind = response.headers.get("content-type", "")
    assert kind.startswith("text/html"), f"an unknown address answers {kind!r} to a browser"
    assert html_lang(page) == lang
    assert_accessible(page, f"404, unknown address ({lang})")
