"""Employer admins keep their register on pages: registering a system through the form, changing a
group of its fields with a note and an effective date, meeting someone else's change (a conflict that
overwrites nothing), retiring, and importing or exporting the register as a spreadsheet. Reasons are
shown next to the fields in the reader's language; nothing is half-written."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
from typing import Any

import httpx
from openpyxl import load_workbook

from registry.accesslog.tables import AccessLogEntry
from registry.systems.tables import AISystem
from tests.support.pages import (
    OpenBrowser,
    change,
    employer,
    form_value,
    register,
    section,
    steward,
    visible_text,
)
from tests.support.world import API, World

NEW = "/register/new"


def error_of(page: str, control_id: str) -> str:
    """The message next to a control (`<p class="field-error" id="<id>-error">`)."""
    found = re.search(rf'<p class="field-error" id="{re.escape(control_id)}-error"[^>]*>([^<]*)</p>', page)
    assert found, f"no error next to {control_id}"
    return visible_text(found.group(1)).strip()


def valid_form(csrf: str, **extra: Any) -> dict[str, Any]:
    return {
        "csrf": csrf,
        "name": "Vagtplan-assistent",
        "purpose": "Foreslår vagtplaner ud fra ønsker og bemanding.",
        "category": "decision_support",
        "control_measure": "false",
        "status": "planned",
        **extra,
    }


async def api_system(world: World, system_id: str) -> dict[str, Any]:
    r = await world.client.get(f"{API}/systems/{system_id}", headers=world.headers("employer_admin"))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def opened_form(client: httpx.AsyncClient, path: str) -> str:
    r = await client.get(path)
    assert r.status_code == 200, r.text
    return r.text


# --- registering ----------------------------------------------------------------------------------


async def test_an_employer_registers_a_system_through_the_form(world: World, browser: OpenBrowser) -> None:
    client = await browser(employer(world))
    page = await opened_form(client, f"{NEW}?skip=1")
    assert 'id="system-form"' in page
    for group in ("about", "data", "decisions", "rules", "notice", "use"):
        assert f'id="group-{group}"' in page
    # Each field says why it matters, as on the system page.
    assert "Formålet afgrænser" in visible_text(page)
    form = valid_form(
        form_value(page, "csrf"),
        vendor="Eksempel A/S",
        unit_ids=[world.units[0]],
        affected_groups="Sygeplejersker\nPorterer\n",
        affected_headcount="120",
        data_categories=["identification", "health"],
        **{
            "data_subjects.health": ["patients"],
            "access.0.role": "Afdelingsleder",
            "access.0.scope": "individual",
            "access.0.purpose": "",
            "access.1.role": "",
            "access.1.scope": "",
            "dpia.status": "planned",
            "human_oversight.trained": "true",
            "go_live_at": "2027-03-01",
            "change_note": "Registreret efter MED-mødet",
        },
    )
    r = await client.post(NEW, data=form)
    assert r.status_code == 303, r.text
    system_id = r.headers["location"].split("/systems/")[1].split("?")[0]
    assert r.headers["location"].endswith("?sent=registered")
    stored = await api_system(world, system_id)
    assert stored["name"] == "Vagtplan-assistent"
    assert stored["unit_ids"] == [world.units[0]]
    assert stored["affected_groups"] == ["Sygeplejersker", "Porterer"]
    assert stored["affected_headcount"] == 120
    assert stored["data_categories"] == ["identification", "health"]
    assert stored["data_subjects"] == {"health": ["patients"]}
    assert stored["access"] == [{"role": "Afdelingsleder", "scope": "individual", "purpose": None}]
    assert stored["dpia"]["status"] == "planned"
    assert stored["human_oversight"]["trained"] is True
    assert stored["go_live_at"] == "2027-03-01"
    page = (await client.get(r.headers["location"])).text
    assert "Systemet er registreret." in page
    assert "Registreret efter MED-mødet" in section(page, "history")


async def test_a_form_that_cannot_be_saved_says_why_next_to_each_field_and_saves_nothing(
    world: World, browser: OpenBrowser
) -> None:
    client = await browser(employer(world))
    page = await opened_form(client, f"{NEW}?skip=1")
    before = await AISystem.count()
    r = await client.post(
        NEW,
        data={
            "csrf": form_value(page, "csrf"),
            "name": "",
            "purpose": "Et formål",
            "category": "not-a-category",
            "status": "planned",
            "control_measure": "false",
            "affected_headcount": "12,5",
            "retired_at": "2027-01-01",
            "access.0.role": "Teamleder",
            "access.0.scope": "",
            "ai_act.annex_iii_point": "9(z)",
        },
    )
    assert r.status_code == 422
    page = r.text
    assert "Formularen blev ikke sendt" in page
    assert error_of(page, "f-name") == "Udfyld feltet."
    assert error_of(page, "f-category") == "Vælg en af mulighederne på listen."
    assert error_of(page, "f-affected-headcount") == "Skriv et helt tal."
    assert "Hver linje med adgang skal have både en rolle" in error_of(page, "f-access")
    assert "4(a)" in error_of(page, "f-ai-act-annex-iii-point")
    # What was written is kept.
    assert 'value="12,5"' in page
    assert 'value="Teamleder"' in page
    assert await AISystem.count() == before
    # Fixed but for a contradiction the services find: shown next to the date, still nothing saved.
    r = await client.post(NEW, data=valid_form(form_value(page, "csrf"), retired_at="2027-01-01"))
    assert r.status_code == 422
    assert "udfaset" in error_of(r.text, "f-retired-at")
    assert await AISystem.count() == before


async def test_the_form_is_in_english_with_english_reasons(world: World, browser: OpenBrowser) -> None:
    client = await browser(employer(world))
    await client.get("/language/en?next=/register")
    page = await opened_form(client, f"{NEW}?skip=1")
    assert '<html lang="en">' in page
    assert "Register an AI system" in page
    r = await client.post(NEW, data={"csrf": form_value(page, "csrf"), "name": "x"})
    assert r.status_code == 422
    assert error_of(r.text, "f-purpose") == "Fill in this field."


async def test_only_the_organizations_employer_admins_reach_the_forms(
    world: World, browser: OpenBrowser
) -> None:
    reader = await browser(steward(world))
    assert (await reader.get(NEW)).status_code == 403
    assert (await reader.get(f"/systems/{world.systems[0]}/edit/about")).status_code == 403
    assert (await reader.get(f"/systems/{world.systems[0]}/retire")).status_code == 403
    assert (await reader.get("/register/import")).status_code == 403
    page = (await reader.get("/register")).text
    assert 'id="new-system"' not in page
    assert f"/systems/{world.systems[0]}/edit/" not in (await reader.get(f"/systems/{world.systems[0]}")).text
    other = await browser(employer(world, 1))
    # Another organization's system is not found, as an unknown one.
    assert (await other.get(f"/systems/{world.systems[0]}/edit/about")).status_code == 404
    assert (await other.get(f"/systems/{world.systems[0]}/retire")).status_code == 404
    own = await browser(employer(world))
    assert (await own.get(f"/systems/{world.systems[0]}/edit/nonsense")).status_code == 404


# --- changing ---------------------------------------------------------------------------------------


async def test_an_employer_changes_a_group_with_a_note_an_effective_date_and_material(
    world: World, browser: OpenBrowser
) -> None:
    system_id = world.systems[0]
    client = await browser(employer(world))
    page = (await client.get(f"/systems/{system_id}")).text
    assert f'href="/systems/{system_id}/edit/about"' in page
    page = await opened_form(client, f"/systems/{system_id}/edit/about")
    assert 'value="Ruteplanlægning i hjemmeplejen"' in page  # the stored values fill the form
    assert 'id="group-data"' not in page  # one group at a time
    form = {
        "csrf": form_value(page, "csrf"),
        "version": form_value(page, "version"),
        "name": "Ruteplanlægning i hjemmeplejen",
        "vendor": "Ny leverandør A/S",
        "purpose": "Planlægger besøg og køreruter for hjemmeplejens medarbejdere.",
        "category": "decision_support",
        "control_measure": "false",
        "status": "in_use",
        "unit_ids": [world.units[0]],
        "change_note": "Taget i brug efter drøftelse i MED",
        "effective_at": "2026-11-02",
        "material": "1",
    }
    r = await client.post(f"/systems/{system_id}/edit/about", data=form)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/systems/{system_id}?sent=saved#group-about"
    stored = await api_system(world, system_id)
    assert stored["status"] == "in_use"
    assert stored["vendor"] == "Ny leverandør A/S"
    revision = (
        await world.client.get(
            f"{API}/systems/{system_id}/revisions/{stored['version']}",
            headers=world.headers("employer_admin"),
        )
    ).json()
    assert revision["change_note"] == "Taget i brug efter drøftelse i MED"
    assert revision["effective_at"] == "2026-11-02"
    assert "stated_material" in revision["material_reasons"] or revision["material_reasons"]
    # An effective date in the future is refused next to its field.
    page = await opened_form(client, f"/systems/{system_id}/edit/about")
    form |= {"csrf": form_value(page, "csrf"), "version": form_value(page, "version"), "vendor": "X"}
    r = await client.post(f"/systems/{system_id}/edit/about", data=form | {"effective_at": "2199-01-01"})
    assert r.status_code == 422
    assert "i dag" in error_of(r.text, "effective-at")


async def test_someone_elses_change_in_between_is_shown_and_never_overwritten(
    world: World, browser: OpenBrowser
) -> None:
    system_id = world.systems[0]
    client = await browser(employer(world))
    page = await opened_form(client, f"/systems/{system_id}/edit/about")
    read_version = form_value(page, "version")
    # A colleague changes the product and the operator through the API meanwhile.
    await change(world, system_id, product="Kollegaens produkt", operator_name="Kollegaens drift")
    mine = {
        "csrf": form_value(page, "csrf"),
        "version": read_version,
        "name": "Ruteplanlægning i hjemmeplejen",
        "vendor": "Min leverandør",
        "product": "Mit produkt",
        "purpose": "Planlægger besøg og køreruter for hjemmeplejens medarbejdere.",
        "category": "decision_support",
        "control_measure": "false",
        "status": "pilot",
        "unit_ids": [world.units[0]],
    }
    r = await client.post(f"/systems/{system_id}/edit/about", data=mine)
    assert r.status_code == 409
    conflict = section(r.text, "conflict")
    text = visible_text(conflict)
    assert "Nogen har gemt en ændring, mens du rettede" in text
    assert "Kollegaens produkt" in text
    assert "Kollegaens drift" in text
    assert "I har begge ændret: Produkt" in text
    # Nothing of mine is saved yet, and theirs stands.
    stored = await api_system(world, system_id)
    assert stored["product"] == "Kollegaens produkt"
    assert stored["vendor"] != "Min leverandør"
    # The form now holds the system as it is with my own changes on top, at the new version.
    page = r.text
    assert form_value(page, "version") == str(stored["version"])
    assert form_value(page, "vendor") == "Min leverandør"
    assert form_value(page, "product") == "Mit produkt"
    assert form_value(page, "operator_name") == "Kollegaens drift"
    # "Start over" goes back to the form without my changes.
    assert "Start forfra uden mine ændringer" in page
    # Keeping mine saves them on top of theirs.
    again = {**mine, "version": form_value(page, "version"), "operator_name": "Kollegaens drift"}
    r = await client.post(f"/systems/{system_id}/edit/about", data=again)
    assert r.status_code == 303, r.text
    stored = await api_system(world, system_id)
    assert stored["vendor"] == "Min leverandør"
    assert stored["product"] == "Mit produkt"
    assert stored["operator_name"] == "Kollegaens drift"


async def test_a_system_is_retired_from_its_page(world: World, browser: OpenBrowser) -> None:
    system_id = world.systems[0]
    client = await browser(employer(world))
    page = (await client.get(f"/systems/{system_id}")).text
    assert f'href="/systems/{system_id}/retire"' in page
    page = await opened_form(client, f"/systems/{system_id}/retire")
    form = {"csrf": form_value(page, "csrf"), "version": form_value(page, "version")}
    r = await client.post(f"/systems/{system_id}/retire", data=form | {"retired_at": ""})
    assert r.status_code == 422
    assert error_of(r.text, "retired-at") == "Udfyld feltet."
    r = await client.post(
        f"/systems/{system_id}/retire",
        data=form | {"retired_at": "2026-11-30", "data_deleted_at": "2026-12-01", "change_note": "Opsagt"},
    )
    assert r.status_code == 303, r.text
    stored = await api_system(world, system_id)
    assert stored["status"] == "retired"
    assert stored["retired_at"] == "2026-11-30"
    assert stored["data_deleted_at"] == "2026-12-01"
    assert "Systemet er udfaset." in (await client.get(r.headers["location"])).text


async def test_the_forms_are_in_the_access_log(world: World, browser: OpenBrowser) -> None:
    client = await browser(employer(world))
    page = await opened_form(client, f"{NEW}?skip=1")
    r = await client.post(NEW, data=valid_form(form_value(page, "csrf")))
    assert r.status_code == 303
    await client.get(f"/systems/{world.systems[0]}/edit/data")
    rows = await AccessLogEntry.select(
        AccessLogEntry.action,
        AccessLogEntry.resource_type,
        AccessLogEntry.resource_id,
        AccessLogEntry.outcome,
    ).where(AccessLogEntry.actor_sub == "hr-0")
    seen = {(row["action"], row["resource_type"], row["outcome"]) for row in rows}
    assert {
        ("read", "system_form", "allowed"),
        ("create", "system", "allowed"),
        ("read", "system", "allowed"),
    } <= seen
    assert any(row["resource_id"] == world.systems[0] and row["action"] == "read" for row in rows), (
        "the edit form's entry names the system"
    )


# --- import and export --------------------------------------------------------------------------------


def csv_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


async def template_rows(client: httpx.AsyncClient) -> list[list[str]]:
    r = await client.get("/register/import/template?format=csv")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="ai-register-skabelon.csv"'
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


async def test_an_import_with_errors_is_checked_refused_then_fixed_and_imported(
    world: World, browser: OpenBrowser
) -> None:
    client = await browser(employer(world))
    page = await opened_form(client, "/register/import")
    csrf = form_value(page, "csrf")
    heading, example = await template_rows(client)
    bad = list(example)
    bad[heading.index("Navn")] = "Andet system"
    bad[heading.index("Status")] = "måske"
    upload = {"file": ("systemer.csv", csv_file([heading, example, bad]), "text/csv")}
    before = await AISystem.count()

    r = await client.post("/register/import", data={"csrf": csrf, "action": "check"}, files=upload)
    assert r.status_code == 200
    report = section(r.text, "import-report")
    assert 'data-row="2" data-outcome="created"' in report
    assert 'data-row="3" data-outcome="refused"' in report
    assert "Status</strong>: Vælg en af mulighederne på listen." in report
    assert "Intet er gemt" in visible_text(report)

    r = await client.post("/register/import", data={"csrf": csrf, "action": "import"}, files=upload)
    assert r.status_code == 422
    assert "Intet er importeret" in visible_text(section(r.text, "import-report"))
    assert await AISystem.count() == before

    bad[heading.index("Status")] = "Planlagt"
    fixed = {"file": ("systemer.csv", csv_file([heading, example, bad]), "text/csv")}
    r = await client.post("/register/import", data={"csrf": csrf, "action": "import"}, files=fixed)
    assert r.status_code == 200
    report = section(r.text, "import-report")
    assert "Filen er importeret." in visible_text(report)
    assert 'data-outcome="created" data-count="2"' in report
    assert await AISystem.count() == before + 2
    # Each new system links to its page.
    assert len(re.findall(r'<a href="/systems/[0-9a-f-]{36}">Nyt system</a>', report)) == 2


async def test_a_file_that_is_no_spreadsheet_is_explained_and_nothing_written(
    world: World, browser: OpenBrowser
) -> None:
    client = await browser(employer(world))
    csrf = form_value(await opened_form(client, "/register/import"), "csrf")
    before = await AISystem.count()
    cases = [
        (b"foo,bar\n1,2\n", "Kolonnen »foo« findes ikke i skabelonen"),
        (b"PK\x03\x04 not really a workbook", "hverken et Excel-regneark"),
        (b"", "Filen er tom."),
    ]
    for body, reason in cases:
        upload = {"file": ("x.csv", body, "text/csv")}
        r = await client.post("/register/import", data={"csrf": csrf, "action": "check"}, files=upload)
        assert r.status_code == 400, body
        assert reason in error_of(r.text, "import-file")
    r = await client.post("/register/import", data={"csrf": csrf, "action": "check"})
    assert r.status_code == 400
    assert error_of(r.text, "import-file") == "Vælg en fil."
    assert await AISystem.count() == before


async def test_every_reader_downloads_the_register_and_it_imports_unchanged(
    world: World, browser: OpenBrowser
) -> None:
    await register(world, name="Andet system")
    reader = await browser(steward(world))
    r = await reader.get("/register/export?format=xlsx")
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith('attachment; filename="ai-register-')
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Andet system" in names
    csv_export = await reader.get("/register/export?format=csv")
    assert csv_export.status_code == 200
    assert (await reader.get("/register/export?format=pdf")).status_code == 404
    # An employer admin checks the same file: every row unchanged.
    admin = await browser(employer(world))
    csrf = form_value(await opened_form(admin, "/register/import"), "csrf")
    upload = {"file": ("register.xlsx", r.content, "application/octet-stream")}
    checked = await admin.post("/register/import", data={"csrf": csrf, "action": "check"}, files=upload)
    assert checked.status_code == 200
    report = section(checked.text, "import-report")
    assert 'data-outcome="unchanged" data-count="' + str(len(names)) + '"' in report


# --- guided questions and the checklist ---------------------------------------------------------------


async def test_registering_starts_with_questions_whose_answers_fill_the_form(
    world: World, browser: OpenBrowser
) -> None:
    client = await browser(employer(world))
    page = await opened_form(client, NEW)
    assert 'id="guide"' in page
    assert "Kan systemet vise, hvad den enkelte medarbejder har lavet?" in visible_text(page)
    assert 'href="/register/new?skip=1"' in page
    page = await opened_form(client, f"{NEW}?guide.location=yes&guide.medical_device=no")
    proposals = visible_text(section(page, "proposals"))
    assert "Du svarede ja til: Kan systemet se, hvor medarbejderne er?" in proposals
    assert "Kontrolforanstaltning: Ja" in proposals
    assert re.search(r'<option value="monitoring" selected>', page)
    assert re.search(r'name="data_categories" value="location" checked', page)
    # The answers travel with the form, so the proposals stay in view on the next page.
    assert 'name="guide.location" value="yes"' in page
    skipped = await opened_form(client, f"{NEW}?skip=1")
    assert 'id="proposals"' not in skipped
    assert 'id="system-form"' in skipped


async def test_the_checklist_says_what_the_rules_will_find_and_saves_nothing(
    world: World, browser: OpenBrowser
) -> None:
    client = await browser(employer(world))
    page = await opened_form(client, f"{NEW}?skip=1")
    before = await AISystem.count()
    form = valid_form(form_value(page, "csrf"), action="check", control_measure="true", status="planned")
    r = await client.post(NEW, data=form)
    assert r.status_code == 200
    checklist = visible_text(section(r.text, "checklist"))
    assert "For at varsle og inddrage rigtigt mangler:" in checklist
    assert "Intet er gemt endnu." in checklist
    assert await AISystem.count() == before
    # A system the checks find nothing in says so.
    system_id = world.systems[0]
    page = await opened_form(client, f"/systems/{system_id}/edit/use")
    stored = await api_system(world, system_id)
    r = await client.post(
        f"/systems/{system_id}/edit/use",
        data={"csrf": form_value(page, "csrf"), "version": form_value(page, "version"), "action": "check"},
    )
    assert r.status_code == 200
    assert 'id="checklist"' in r.text
    assert (await api_system(world, system_id))["version"] == stored["version"]


async def test_a_system_is_filled_in_from_a_product_card(world: World, browser: OpenBrowser) -> None:
    r = await world.client.post(
        f"{API}/products",
        json={
            "vendor": "Omsorgsruter ApS",
            "product": "RutePlan",
            "product_version": "4.2",
            "intended_purpose": "Ruteplanlægning i hjemmeplejen.",
            "ai_act": {"risk_class": "limited", "provider_eu_db_ref": "EU-123"},
            "processing_locations": ["Danmark"],
        },
        headers=world.headers("platform_admin", None),
    )
    assert r.status_code == 201, r.text
    card = r.json()
    client = await browser(employer(world))
    guide = await opened_form(client, NEW)
    assert f'<option value="{card["id"]}">Omsorgsruter ApS RutePlan 4.2</option>' in guide
    page = await opened_form(client, f"{NEW}?product={card['id']}&guide.allocates_work=yes")
    assert "Udfyldt fra produktkortet: Omsorgsruter ApS RutePlan 4.2" in visible_text(
        section(page, "product-card")
    )
    assert form_value(page, "name") == "RutePlan"
    assert form_value(page, "vendor") == "Omsorgsruter ApS"
    assert form_value(page, "product_card_version") == "1"
    assert re.search(rf'<option value="{card["id"]}" selected>', page)
    # The employer's own answers stand over the provider's classification.
    assert re.search(r'<option value="high_risk" selected>', page)
    assert form_value(page, "ai_act.provider_eu_db_ref") == "EU-123"
    form = valid_form(
        form_value(page, "csrf"),
        name="RutePlan i hjemmeplejen",
        product_card_id=card["id"],
        product_card_version="1",
        **{"ai_act.risk_class": "high_risk", "ai_act.provider_eu_db_ref": "EU-123"},
    )
    r = await client.post(NEW, data=form)
    assert r.status_code == 303, r.text
    system_id = r.headers["location"].split("/systems/")[1].split("?")[0]
    stored = await api_system(world, system_id)
    assert stored["product_card_id"] == card["id"]
    assert stored["product_card_version"] == 1
    # The system page names the card, not its id.
    page = (await client.get(f"/systems/{system_id}")).text
    assert "Omsorgsruter ApS RutePlan" in visible_text(section(page, "fields"))
    # An unknown card is a 404, not an empty form.
    assert (await client.get(f"{NEW}?product={world.orgs[0]}")).status_code == 404


async def test_an_apv_revision_is_completed_with_the_amo_and_an_action_plan(
    world: World, browser: OpenBrowser
) -> None:
    [task_id, *_] = await world.open_reassessments()
    admin = world.headers("employer_admin", 0)
    task = (await world.client.get(f"{API}/apv-reassessments/{task_id}", headers=admin)).json()
    system_id = task["system_id"]
    client = await browser(employer(world))
    page = (await client.get(f"/systems/{system_id}")).text
    assert f'action="/apv-reassessments/{task_id}/complete"' in page
    steward_page = (await (await browser(steward(world))).get(f"/systems/{system_id}")).text
    assert "apv-complete" not in steward_page
    url = f"/apv-reassessments/{task_id}/complete"
    csrf = form_value(page, "csrf")
    r = await client.post(url, data={"csrf": csrf, "action.0.description": "Flere pauser"})
    assert r.status_code == 422
    assert "AMO" in error_of(r.text, f"apv-{task_id}-amo")
    assert "mangler beskrivelse, ansvarlig eller frist" in error_of(r.text, f"apv-{task_id}-action")
    assert 'value="Flere pauser"' in r.text
    r = await client.post(
        url,
        data={
            "csrf": csrf,
            "amo": "yes",
            "participants": "AMR, Hjemmeplejen\nLeder, Hjemmeplejen",
            "findings": "Ruteplanen giver for lidt tid mellem besøg.",
            "action.0.description": "Læg 5 minutter ind mellem besøg",
            "action.0.owner": "Leder, Hjemmeplejen",
            "action.0.deadline": "2027-02-01",
        },
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/systems/{system_id}?sent=apv#apv"
    done = (await world.client.get(f"{API}/apv-reassessments/{task_id}", headers=admin)).json()
    assert done["status"] == "completed"
    assert done["amo_participation"]["participated"] is True
    assert done["amo_participation"]["participants"] == ["AMR, Hjemmeplejen", "Leder, Hjemmeplejen"]
    assert done["action_items"] == [
        {
            "description": "Læg 5 minutter ind mellem besøg",
            "owner": "Leder, Hjemmeplejen",
            "deadline": "2027-02-01",
        }
    ]
    page = (await client.get(r.headers["location"])).text
    assert "APV-revisionen er afsluttet." in page
    assert f'action="/apv-reassessments/{task_id}/complete"' not in page


# --- what an edit must never do -------------------------------------------------------------------------


def notice_form(page: str, **fields: Any) -> dict[str, Any]:
    """The notice group's form as rendered (its histories and dates), with `fields` changed."""
    form = {
        "csrf": form_value(page, "csrf"),
        "version": form_value(page, "version"),
        "history_seen": form_value(page, "history_seen"),
    }
    names = r"(?:notice|consultation|control_measure_assessment)\.[a-z_]+|[a-z_]+_at|employee_notice_ref"
    for name, value in re.findall(rf'name="({names})" value="([^"]*)"', page):
        form.setdefault(name, htmllib.unescape(value))
    for name, selected in re.findall(
        r'<select id="[^"]+" name="([a-z_.]+)"[^>]*>(?:(?!</select>).)*?<option value="([^"]*)" selected>',
        page,
        re.S,
    ):
        form.setdefault(name, selected)
    return form | fields


async def test_a_history_recorded_meanwhile_is_not_undone_by_an_open_form(
    world: World, browser: OpenBrowser
) -> None:
    system_id = world.systems[0]
    admin = world.headers("employer_admin", 0)
    client = await browser(employer(world))
    page = await opened_form(client, f"/systems/{system_id}/edit/notice")
    # Meanwhile the committee's decision is recorded through the API (the system's version stays).
    r = await world.client.post(
        f"{API}/systems/{system_id}/consultations",
        json={"committee": "lokal-MED", "informed_at": "2026-10-01", "decided_at": "2026-10-20"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    # The open form changes only the go-live day: the new consultation stands.
    r = await client.post(
        f"/systems/{system_id}/edit/notice", data=notice_form(page, go_live_at="2026-11-01")
    )
    assert r.status_code == 303, r.text
    stored = await api_system(world, system_id)
    assert stored["go_live_at"] == "2026-11-01"
    assert stored["consultation"]["decided_at"] == "2026-10-20"
    # A form that changed the consultation too is a conflict, shown, and nothing is written.
    page = await opened_form(client, f"/systems/{system_id}/edit/notice")
    await world.client.post(
        f"{API}/systems/{system_id}/consultations",
        json={"committee": "lokal-MED", "informed_at": "2026-10-01", "decided_at": "2026-10-22"},
        headers=admin,
    )
    r = await client.post(
        f"/systems/{system_id}/edit/notice",
        data=notice_form(page, **{"consultation.minutes_ref": "Referat 12"}),
    )
    assert r.status_code == 409
    conflict = visible_text(section(r.text, "conflict"))
    assert "I har begge ændret" in conflict
    assert "22. oktober 2026" in conflict  # what was recorded meanwhile
    assert (await api_system(world, system_id))["consultation"]["decided_at"] == "2026-10-22"


async def test_a_conflict_keeps_the_others_change_of_another_key_of_the_same_group(
    world: World, browser: OpenBrowser
) -> None:
    system_id = world.systems[0]
    await change(world, system_id, ai_act={"risk_class": "unknown"})
    client = await browser(employer(world))
    page = await opened_form(client, f"/systems/{system_id}/edit/rules")
    await change(world, system_id, ai_act={"risk_class": "unknown", "fria_date": "2026-09-01"})
    form = {
        "csrf": form_value(page, "csrf"),
        "version": form_value(page, "version"),
        "history_seen": form_value(page, "history_seen"),
        "ai_act.risk_class": "limited",
    }
    r = await client.post(f"/systems/{system_id}/edit/rules", data=form)
    assert r.status_code == 409
    page = r.text
    assert re.search(r'<option value="limited" selected>', page)  # mine
    assert form_value(page, "ai_act.fria_date") == "2026-09-01"  # theirs, another key of the group
    assert "I har begge ændret" not in page  # not the same key
    form |= {"version": form_value(page, "version"), "ai_act.fria_date": "2026-09-01"}
    r = await client.post(f"/systems/{system_id}/edit/rules", data=form)
    assert r.status_code == 303, r.text
    stored = await api_system(world, system_id)
    assert (stored["ai_act"]["risk_class"], stored["ai_act"]["fria_date"]) == ("limited", "2026-09-01")


async def test_odd_addresses_and_values_get_pages_not_errors(world: World, browser: OpenBrowser) -> None:
    system_id = world.systems[0]
    client = await browser(employer(world))
    page = await opened_form(client, f"/systems/{system_id}/edit/about")
    form = {
        "csrf": form_value(page, "csrf"),
        "version": form_value(page, "version"),
        "name": "Ruteplanlægning i hjemmeplejen",
        "purpose": "Planlægger besøg og køreruter for hjemmeplejens medarbejdere.",
        "category": "decision_support",
        "control_measure": "false",
        "status": "pilot",
        "unit_ids": [world.units[0]],
    }
    upper = system_id.upper()
    r = await client.post(f"/systems/{upper}/edit/about", data=form | {"action": "check"})
    assert r.status_code == 200, r.text[:300]
    r = await client.post(f"/systems/{system_id}/edit/about", data=form | {"version": "²"})
    assert r.status_code == 422
    r = await client.get(f"{NEW}?product=not-a-card")
    assert r.status_code == 404


async def test_text_the_form_gives_back_with_other_white_space_is_no_change(
    world: World, browser: OpenBrowser
) -> None:
    system_id = world.systems[0]
    await change(world, system_id, description="Første linje.\r\nAnden linje.", product="RutePlan  Pro")
    before = await api_system(world, system_id)
    client = await browser(employer(world))
    page = await opened_form(client, f"/systems/{system_id}/edit/about")
    form = {
        "csrf": form_value(page, "csrf"),
        "version": form_value(page, "version"),
        "name": before["name"],
        "vendor": "Ny leverandør",
        "product": "RutePlan Pro",
        "description": "Første linje.\r\nAnden linje.",
        "purpose": before["purpose"],
        "category": before["category"],
        "control_measure": "false",
        "status": before["status"],
        "unit_ids": before["unit_ids"],
    }
    r = await client.post(f"/systems/{system_id}/edit/about", data=form)
    assert r.status_code == 303, r.text
    after = await api_system(world, system_id)
    diff = (
        await world.client.get(
            f"{API}/systems/{system_id}/revisions/{after['version']}/diff",
            headers=world.headers("employer_admin", 0),
        )
    ).json()
    assert [c["field"] for c in diff["changes"]] == ["vendor"]
    assert after["description"] == before["description"]
