"""Employer admins in Debian's Chromium: registering through the guided questions, an edit that meets
someone else's change, an import with errors that is fixed and imported, and every page at phone
width (390 px) without sideways scrolling and without serious or critical axe findings."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import pytest

from tests.e2e.axe_check import assert_accessible
from tests.e2e.conftest import Organization, Server, submit_login
from tests.e2e.test_browser import goto_ok, screenshot, switch_language

LogIn = Callable[..., Any]
PHONE = {"width": 390, "height": 844}


def api_system(server: Server, org: Organization, system_id: str) -> dict[str, Any]:
    token = server.bearer("employer_admin", org.id)
    response = server.api("GET", f"/api/v1/systems/{system_id}", token)
    assert response.status_code == 200, response.text
    return dict(response.json())


def listed(server: Server, org: Organization) -> list[dict[str, Any]]:
    token = server.bearer("employer_admin", org.id)
    response = server.api("GET", f"/api/v1/organizations/{org.id}/systems?limit=100", token)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def submit(page: Any, selector: str, status: int | None = None) -> Any:
    """Click a submit button and wait for the page it leads to; check the answer's status."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator(selector).click()
    page.wait_for_load_state()
    if status is not None:
        assert posted.value.status == status, f"{selector} answered {posted.value.status}"
    return posted.value


def test_register_through_the_guided_questions(server: Server, log_in: LogIn) -> None:
    fjordby = server.org("Fjordby")
    page = log_in("employer_admin", fjordby.id)
    with page.expect_navigation():
        page.locator("a#new-system").click()
    assert page.locator("form#guide").count() == 1
    page.check("#guide-individual_work-yes")
    page.check("#guide-health_data-yes")
    page.check("#guide-public_contact-no")
    with page.expect_navigation():
        page.locator("#guide-next").click()
    screenshot(page, "register-guided-da")
    proposals = page.locator("#proposals").inner_text()
    assert "Kontrolforanstaltning: Ja" in proposals
    assert "Du svarede ja til: Kan systemet vise, hvad den enkelte medarbejder har lavet?" in proposals
    assert "4(b)" in proposals
    # The proposals fill the form, where they can be changed.
    assert page.input_value("#f-category") == "monitoring"
    assert page.input_value("#f-control-measure") == "true"
    assert page.input_value("#f-ai-act-annex-iii-point") == "4(b)"
    assert page.locator("input[name='data_categories'][value='health']").is_checked()
    page.fill("#f-name", "Sagsoverblik pr. medarbejder")
    page.fill("#f-purpose", "Viser sagsbehandlernes sager, så lederen kan fordele dem.")
    page.select_option("#f-status", "planned")
    page.fill("#f-ai-act-annex-iii-point", "4(b)")
    # Before saving: what the rules will say, per duty.
    submit(page, "#check", 200)
    checklist = page.locator("#checklist").inner_text()
    assert "For at varsle og inddrage rigtigt mangler:" in checklist
    assert "For at følge AI-forordningen mangler:" in checklist
    screenshot(page, "register-checklist-da")
    submit(page, "#save", 303)
    assert "/systems/" in page.url
    assert page.locator("#sent-notice").inner_text() == "Systemet er registreret."
    system_id = page.url.split("/systems/")[1].split("?")[0]
    stored = api_system(server, fjordby, system_id)
    assert stored["control_measure"] is True
    assert stored["category"] == "monitoring"
    assert stored["ai_act"]["annex_iii_point"] == "4(b)"
    assert stored["ai_act"]["interacts_with_public"] is False
    assert "health" in stored["data_categories"]


def test_an_edit_that_meets_someone_elses_change(server: Server, log_in: LogIn) -> None:
    fjordby = server.org("Fjordby")
    system_id = fjordby.system("ruteplan")["id"]
    mine = log_in("employer_admin", fjordby.id)
    theirs = log_in("employer_admin", fjordby.id)
    goto_ok(mine, f"{server.base_url}/systems/{system_id}")
    with mine.expect_navigation():
        mine.locator("a#edit-about").click()
    goto_ok(theirs, f"{server.base_url}/systems/{system_id}/edit/about")
    theirs.fill("#f-operator-name", "Kollegaens driftspartner")
    submit(theirs, "#save", 303)
    mine.fill("#f-vendor", "Min leverandør ApS")
    mine.fill("#change-note", "Ny leverandør efter udbud")
    submit(mine, "#save", 409)
    conflict = mine.locator("#conflict").inner_text()
    assert "Nogen har gemt en ændring, mens du rettede" in conflict
    assert "Kollegaens driftspartner" in conflict
    assert mine.input_value("#f-vendor") == "Min leverandør ApS"
    assert mine.input_value("#f-operator-name") == "Kollegaens driftspartner"
    assert api_system(server, fjordby, system_id)["vendor"] != "Min leverandør ApS"  # nothing overwritten
    submit(mine, "#save", 303)
    stored = api_system(server, fjordby, system_id)
    assert stored["vendor"] == "Min leverandør ApS"
    assert stored["operator_name"] == "Kollegaens driftspartner"


def test_an_import_with_errors_then_fixed_and_imported(server: Server, log_in: LogIn, tmp_path: Path) -> None:
    org = server.org("Region")
    page = log_in("employer_admin", org.id)
    with page.expect_navigation():
        page.locator("a#import-link").click()
    with page.expect_download() as download:
        page.locator("a#template-csv").click()
    heading, example = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    broken = list(example)
    broken[heading.index("Navn")] = "Talegenkendelse i akutmodtagelsen"
    broken[heading.index("Status")] = "snart"
    broken[heading.index("Taget i brug")] = "31.2.2027"
    path = tmp_path / "systemer.csv"

    def write(rows: list[list[str]]) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)

    write([heading, example, broken])
    before = len(listed(server, org))
    page.set_input_files("#import-file", str(path))
    submit(page, "#import-check", 200)
    assert page.locator("tr[data-row='3'][data-outcome='refused']").count() == 1
    refused = page.locator("tr[data-row='3']").inner_text()
    assert "Status" in refused
    assert "Taget i brug" in refused
    page.set_input_files("#import-file", str(path))
    submit(page, "#import-run", 422)
    assert "Intet er importeret" in page.locator("#import-outcome").inner_text()
    broken[heading.index("Status")] = "Planlagt"
    broken[heading.index("Taget i brug")] = "1.3.2027"
    write([heading, example, broken])
    page.set_input_files("#import-file", str(path))
    submit(page, "#import-run", 200)
    assert page.locator("#import-outcome").inner_text() == "Filen er importeret."
    assert page.locator("li[data-outcome='created']").get_attribute("data-count") == "2"
    after = listed(server, org)
    assert len(after) == before + 2
    assert "Talegenkendelse i akutmodtagelsen" in {s["name"] for s in after}


def test_a_system_filled_from_a_product_card(server: Server, log_in: LogIn) -> None:
    org = server.org("Region")
    page = log_in("employer_admin", org.id)
    with page.expect_navigation():
        page.locator("a#new-system").click()
    page.select_option("#guide-product", label="Omsorgsruter ApS RutePlan 4.2")
    with page.expect_navigation():
        page.locator("#guide-next").click()
    assert "Udfyldt fra produktkortet" in page.locator("#product-card").inner_text()
    assert page.input_value("#f-vendor") == "Omsorgsruter ApS"
    assert page.input_value("#f-ai-act-annex-iii-point") == "4(b)"
    # What the employer changes is theirs.
    page.fill("#f-name", "Ruteplanlægning i sygeplejen")
    page.select_option("#f-status", "pilot")
    page.select_option("#f-category", "decision_support")
    page.select_option("#f-control-measure", "false")
    screenshot(page, "register-from-card-da")
    submit(page, "#save", 303)
    system_id = page.url.split("/systems/")[1].split("?")[0]
    stored = api_system(server, org, system_id)
    assert stored["name"] == "Ruteplanlægning i sygeplejen"
    assert stored["vendor"] == "Omsorgsruter ApS"
    card_id = stored["product_card_id"]
    assert stored["product_card_version"] == 1
    # The platform admin changes the card: the system gets a finding to review it.
    platform = server.bearer("platform_admin")
    changed = server.api(
        "PATCH",
        f"/api/v1/products/{card_id}",
        platform,
        json={"processing_locations": ["Danmark", "USA"]},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    goto_ok(page, f"{server.base_url}/systems/{system_id}")
    assert "Produktkortet for Omsorgsruter ApS RutePlan er ændret" in page.locator("#findings").inner_text()


def phone_pages(server: Server, org: Organization) -> list[str]:
    system = org.system("sagsassistent")["id"]
    base = server.base_url
    return [
        f"{base}/register",
        f"{base}/systems/{system}",
        f"{base}/systems/{system}/statement",
        f"{base}/register/new",
        f"{base}/register/new?skip=1",
        *(
            f"{base}/systems/{system}/edit/{group}"
            for group in ("about", "data", "decisions", "rules", "notice", "use")
        ),
        f"{base}/systems/{system}/retire",
        f"{base}/register/import",
    ]


def open_apv_systems(server: Server, org: Organization) -> list[str]:
    """Systems with an open APV revision: their page holds the form to complete it."""
    token = server.bearer("employer_admin", org.id)
    response = server.api("GET", f"/api/v1/organizations/{org.id}/apv-reassessments", token)
    assert response.status_code == 200, response.text
    return [task["system_id"] for task in response.json() if task["status"] == "open"]


def assert_no_sideways_scrolling(page: Any, label: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    inner = page.evaluate("() => window.innerWidth")
    assert width <= inner, f"{label} ({page.url}) is {width} px wide at {inner} px"


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_page_at_phone_width(
    server: Server, new_context: Callable[..., Any], login_link: Any, lang: str
) -> None:
    fjordby = server.org("Fjordby")
    for role in ("steward", "employer_admin"):
        page = new_context(viewport=PHONE).new_page()
        submit_login(page, login_link(role, fjordby.id))
        if lang == "en":
            switch_language(page, "en")
        pages = phone_pages(server, fjordby)
        if role == "steward":
            pages = pages[:3]
        for url in pages:
            goto_ok(page, url)
            label = f"{url.removeprefix(server.base_url)} at 390 px ({role}, {lang})"
            assert_no_sideways_scrolling(page, label)
            assert_accessible(page, label)
        if role == "employer_admin":
            # A form with its reasons, and the checklist, at phone width.
            goto_ok(page, f"{server.base_url}/register/new?skip=1")
            submit(page, "#save", 422)
            assert_no_sideways_scrolling(page, f"the form with errors ({lang})")
            assert_accessible(page, f"the form with errors at 390 px ({lang})")
            page.fill("#f-name", "Telefontest")
            page.fill("#f-purpose", "Et formål")
            page.select_option("#f-category", "monitoring")
            page.select_option("#f-control-measure", "true")
            page.select_option("#f-status", "planned")
            submit(page, "#check", 200)
            assert_no_sideways_scrolling(page, f"the checklist ({lang})")
            assert_accessible(page, f"the checklist at 390 px ({lang})")
    # A system with an open APV revision: its page holds the form that completes it.
    nordlys = server.org("Nordlys")
    [system_id, *_] = open_apv_systems(server, nordlys)
    page = new_context(viewport=PHONE).new_page()
    submit_login(page, login_link("employer_admin", nordlys.id))
    if lang == "en":
        switch_language(page, "en")
    goto_ok(page, f"{server.base_url}/register")  # badges of overdue revisions, the longest there are
    assert_no_sideways_scrolling(page, f"a register with overdue APV revisions ({lang})")
    goto_ok(page, f"{server.base_url}/systems/{system_id}")
    assert page.locator("form.apv-complete").count() >= 1
    assert_no_sideways_scrolling(page, f"a system with an open APV revision ({lang})")
    assert_accessible(page, f"a system with an open APV revision at 390 px ({lang})")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_members_page_and_the_preferences(
    server: Server, new_context: Callable[..., Any], login_link: Any, lang: str
) -> None:
    """An employer admin invites a person on the members page, changes the role and removes them;
    the pages pass axe and fit 390 px; a member chooses a digest on the preferences page."""
    org = server.org("Vestjysk")
    page = new_context().new_page()
    submit_login(page, login_link("employer_admin", org.id))
    if lang == "en":
        switch_language(page, "en")
    with page.expect_navigation():
        page.locator("a#members-link").click()
    assert_accessible(page, f"members ({lang})")
    address = f"amr-{lang}@lager.example"
    page.fill("#invite-email", address)
    page.fill("#invite-name", "Ali Amr")
    page.select_option("#invite-role", "steward")
    page.fill("#invite-title", "AMR")
    submit(page, "#invite-submit", 303)
    row = page.locator("tr", has_text=address)
    assert row.count() == 1
    member_id = row.get_attribute("data-member-id")
    row.locator("select").select_option("auditor")
    submit(page, f"tr[data-member-id='{member_id}'] form.member-role button", 303)
    assert "auditor" in api_members(server, org)[address]
    phone = new_context(viewport=PHONE).new_page()
    submit_login(phone, login_link("employer_admin", org.id))
    if lang == "en":
        switch_language(phone, "en")
    goto_ok(phone, f"{server.base_url}/members")
    assert_no_sideways_scrolling(phone, f"members ({lang})")
    assert_accessible(phone, f"members at 390 px ({lang})")
    # The invited member logs in with a link for their sub and chooses a digest.
    member = new_context(viewport=PHONE).new_page()
    submit_login(member, server.cli("token", "issue", "--sub", address, "--link").strip().splitlines()[-1])
    if lang == "en":
        switch_language(member, "en")
    with member.expect_navigation():
        member.locator("a#preferences-link").click()
    assert_no_sideways_scrolling(member, f"preferences ({lang})")
    assert_accessible(member, f"preferences at 390 px ({lang})")
    member.select_option("#preferences-digest", "daily")
    submit(member, "#preferences button[type=submit]", 303)
    assert member.locator("#preferences-saved").count() == 1
    # Their secret feeds: shown, replaced in one click, the old addresses gone, the new ones valid.
    old_atom = member.locator("#feed-atom").get_attribute("href")
    submit(member, "#rotate-feeds button", 303)
    assert member.locator("#feeds-rotated").count() == 1
    assert_no_sideways_scrolling(member, f"preferences with new feed addresses ({lang})")
    assert_accessible(member, f"preferences with new feed addresses ({lang})")
    new_atom = member.locator("#feed-atom").get_attribute("href")
    assert new_atom is not None
    assert old_atom is not None
    assert new_atom != old_atom
    assert (member.locator("#feed-calendar").get_attribute("href") or "").startswith("webcal://")
    fetch = member.context.request
    assert fetch.get(old_atom).status == 404
    atom = fetch.get(new_atom)
    assert atom.status == 200
    assert feedparser.parse(atom.body()).bozo == 0
    calendar = fetch.get(member.locator("#feed-calendar").inner_text())
    assert calendar.status == 200
    assert icalendar.Calendar.from_ical(calendar.body())["VERSION"] == "2.0"
    submit(page, f"tr[data-member-id='{member_id}'] form.member-remove button", 303)
    assert address not in api_members(server, org)


def api_members(server: Server, org: Organization) -> dict[str, str]:
    token = server.bearer("employer_admin", org.id)
    response = server.api("GET", f"/api/v1/organizations/{org.id}/members", token)
    assert response.status_code == 200, response.text
    return {m["email"]: m["role"] for m in response.json()}
