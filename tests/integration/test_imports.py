"""Importing a filled template (xlsx or CSV): a dry run reports per row and writes nothing; a real run
writes every row or none; the register exported and imported again is unchanged; bad files get 400."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl

from registry.systems.sheet import COLUMN_KEYS
from tests.support.world import API, World, bearer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _url(world: World, query: str = "", org: int = 0) -> str:
    return f"{API}/organizations/{world.orgs[org]}/imports{query}"


async def _import(world: World, body: bytes, query: str = "", content_type: str = XLSX, **kw: Any) -> Any:
    headers = {
        **world.headers(kw.pop("role", "employer_admin"), kw.pop("org", 0)),
        "Content-Type": content_type,
    }
    return await world.client.post(_url(world, query), content=body, headers=headers)


async def _file(world: World, path: str, fmt: str) -> bytes:
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/{path}?format={fmt}", headers=world.headers("employer_admin", 0)
    )
    assert r.status_code == 200, r.text
    return r.content


async def _count(world: World) -> int:
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems", headers=world.headers("employer_admin", 0)
    )
    return len(r.json()["items"])


def _csv_table(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _csv_bytes(table: list[list[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(table)
    return buffer.getvalue().encode()


async def test_the_register_exported_and_imported_again_is_unchanged(world: World) -> None:
    for fmt, content_type in (("xlsx", XLSX), ("csv", "text/csv")):
        body = await _file(world, "systems/export", fmt)
        r = await _import(world, body, content_type=content_type)
        assert r.status_code == 200, r.text
        report = r.json()
        assert (report["dry_run"], report["unchanged"], report["refused"]) == (True, 1, 0), report
        assert report["rows"][0]["id"] == world.systems[0]


async def test_the_template_filled_in_registers_a_system_with_a_note_naming_the_import(world: World) -> None:
    body = await _file(world, "imports/template", "xlsx")
    before = await _count(world)
    dry = await _import(world, body)
    assert dry.json()["created"] == 1, dry.text
    assert await _count(world) == before  # a dry run writes nothing
    real = await _import(world, body, "?dry_run=false")
    assert real.status_code == 200, real.text
    created = real.json()["rows"][0]
    assert created["outcome"] == "created"
    assert await _count(world) == before + 1
    revisions = await world.client.get(
        f"{API}/systems/{created['id']}/revisions", headers=world.headers("employer_admin", 0)
    )
    assert revisions.json()[0]["change_note"].startswith("Importeret fra regneark")
    system = (
        await world.client.get(f"{API}/systems/{created['id']}", headers=world.headers("steward", 0))
    ).json()
    assert system["name"] == "Vagtplanlægning med AI"
    assert system["data_categories"] == ["identification", "employment"]
    assert system["human_oversight"]["trained"] is True


async def test_a_refused_row_is_reported_and_a_real_run_writes_nothing(world: World) -> None:
    table = _csv_table(await _file(world, "imports/template", "csv"))
    good = dict(zip(COLUMN_KEYS, table[1], strict=True))
    bad = {**good, "name": "Robotten", "category": "robot", "purpose": "", "go_live_at": "31.2.2027"}
    rows = [table[0], table[1], [bad[k] for k in COLUMN_KEYS]]
    body = _csv_bytes(rows, delimiter=";")  # as Danish Excel saves it
    dry = await _import(world, body, content_type="text/csv")
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["created"], report["refused"]) == (1, 1)
    refused = report["rows"][1]
    assert refused["row"] == 3
    problems = {(p["field"], p["column"]) for p in refused["problems"]}
    assert ("category", "Anvendelse") in problems
    assert any(f == "go_live_at" for f, _ in problems)
    before = await _count(world)
    real = await _import(world, body, "?dry_run=false", content_type="text/csv")
    assert real.status_code == 422
    assert real.headers["content-type"].startswith("application/problem+json")
    assert real.json()["refused"] == 1
    assert await _count(world) == before  # all or nothing


async def test_a_changed_row_changes_its_system_and_a_stale_one_is_refused(world: World) -> None:
    table = _csv_table(await _file(world, "systems/export", "csv"))
    name = COLUMN_KEYS.index("name")
    table[1][name] = "Nyt navn"
    dry = await _import(world, _csv_bytes(table), content_type="text/csv")
    assert dry.json()["changed"] == 1, dry.text
    real = await _import(world, _csv_bytes(table), "?dry_run=false", content_type="text/csv")
    assert real.status_code == 200, real.text
    system = (
        await world.client.get(f"{API}/systems/{world.systems[0]}", headers=world.headers("steward", 0))
    ).json()
    assert (system["name"], system["version"]) == ("Nyt navn", 2)
    again = await _import(world, _csv_bytes(table), content_type="text/csv")
    [stale] = again.json()["rows"][0]["problems"]
    assert stale["field"] == "version"
    assert "it is now 2" in stale["reason"]


def _workbook(mutate: Any) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Systemer"
    sheet.append(["id", "version", "Navn", "Formål", "Anvendelse", "Kontrolforanstaltning", "Status"])
    sheet.append([None, None, "Et system", "Et formål", "other", "Nej", "planned"])
    mutate(book, sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_bad_files_get_400_naming_the_file_and_write_nothing(world: World) -> None:
    def formula(book: Any, sheet: Any) -> None:
        sheet["C2"] = "=1+1"

    def renamed(book: Any, sheet: Any) -> None:
        sheet.title = "Ark1"

    def stranger(book: Any, sheet: Any) -> None:
        sheet["H1"] = "Hemmelig kolonne"

    before = await _count(world)
    for label, body, reason in (
        ("junk", bytes(range(256)) * 4000, "not an Excel workbook"),
        ("a zip that is no workbook", b"PK\x03\x04" + b"\x00" * 100, "not an Excel workbook"),
        ("a formula", _workbook(formula), "holds a formula"),
        ("another sheet", _workbook(renamed), "no sheet named Systemer"),
        ("an unknown column", _workbook(stranger), "'Hemmelig kolonne' is not one of the template's"),
        ("empty", b"", "empty"),
    ):
        r = await _import(world, body, "?dry_run=false")
        assert r.status_code == 400, (label, r.status_code, r.text)
        [problem] = r.json()["errors"]
        assert problem["field"] == "file", label
        assert reason in problem["reason"], (label, problem)
    assert await _count(world) == before
    assert (await _import(world, _workbook(lambda *_: None), role="steward")).status_code == 403
    other = await world.client.post(
        _url(world),
        content=_workbook(lambda *_: None),
        headers={**world.headers("employer_admin", 1), "Content-Type": XLSX},
    )
    assert other.status_code == 404
    minimal = await _import(world, _workbook(lambda *_: None))
    assert minimal.json()["created"] == 1, minimal.text


async def test_every_demo_register_exported_and_imported_again_is_unchanged(world: World) -> None:
    """The demo's registers hold every kind of field the register knows (histories, groups left empty,
    records as JSON): each comes back unchanged, in both formats."""
    from registry.demo import seed_demo

    demo = await seed_demo()
    for organization in demo.organizations:
        headers = bearer(world.token("employer_admin", organization.id, sub="hr"))
        for fmt, content_type in (("xlsx", XLSX), ("csv", "text/csv")):
            exported = await world.client.get(
                f"{API}/organizations/{organization.id}/systems/export?format={fmt}", headers=headers
            )
            assert exported.status_code == 200, exported.text
            r = await world.client.post(
                f"{API}/organizations/{organization.id}/imports",
                content=exported.content,
                headers={**headers, "Content-Type": content_type},
            )
            report = r.json()
            assert r.status_code == 200, r.text
            outcomes = {row["outcome"] for row in report["rows"]}
            assert outcomes == {"unchanged"}, (organization.name, fmt, report)


async def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(world: World) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/sharedStrings.xml", b"\0" * (201 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    r = await _import(world, buffer.getvalue())
    assert r.status_code == 400
    assert "unpacks to more than 200 MB" in r.json()["errors"][0]["reason"]


async def test_odd_cells_are_refused_by_row_and_column_never_with_a_500(world: World) -> None:
    from datetime import datetime

    def odd(book: Any, sheet: Any) -> None:
        sheet["H1"], sheet["I1"], sheet["J1"] = "Antal berørte medarbejdere", "Adgang", "Taget i brug"
        sheet["H2"], sheet["I2"], sheet["J2"] = datetime(2027, 1, 1), "[" * 100_000, "2027-03-01xyz"
        sheet["A3"], sheet["B3"] = world.systems[0], "9" * 400
        sheet["C3"], sheet["D3"], sheet["E3"], sheet["F3"], sheet["G3"] = "B", "F", "other", "Nej", "planned"
        sheet["A4"], sheet["B4"] = world.systems[0], 1
        sheet["C4"], sheet["D4"], sheet["E4"], sheet["F4"], sheet["G4"] = "B", "F", "other", "Nej", "planned"
        sheet.cell(row=5, column=16000, value="far to the right")

    r = await _import(world, _workbook(odd))
    assert r.status_code == 200, r.text
    rows = {row["row"]: row for row in r.json()["rows"]}
    assert {p["field"] for p in rows[2]["problems"]} == {"affected_headcount", "access", "go_live_at"}
    assert {p["field"] for p in rows[3]["problems"]} == {"version"}
    assert [(p["field"], p["reason"]) for p in rows[4]["problems"]] == [
        ("id", "is also in row 3: one row per system")
    ]
    assert 5 not in rows  # the far cell is beyond what is read; the row is otherwise empty


async def test_a_unit_name_two_units_share_is_refused_and_text_a_workbook_cannot_hold_is_left_out(
    world: World,
) -> None:
    admin = world.headers("employer_admin", 0)
    await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/units", json={"name": "Hjemmeplejen"}, headers=admin
    )

    def in_the_unit(book: Any, sheet: Any) -> None:
        sheet["H1"], sheet["H2"] = "Enheder", "Hjemmeplejen"

    r = await _import(world, _workbook(in_the_unit))
    [problem] = r.json()["rows"][0]["problems"]
    assert (problem["field"], problem["reason"]) == (
        "unit_ids",
        "names a unit that several units are called: Hjemmeplejen",
    )
    await world.client.patch(
        f"{API}/systems/{world.systems[0]}",
        json={"description": "Indsat fra Word\x0bmed en lodret tabulator"},
        headers={**admin, "If-Match": '"1"'},
    )
    exported = await world.client.get(f"{API}/organizations/{world.orgs[0]}/systems/export", headers=admin)
    assert exported.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    cell = book["Systemer"].cell(row=2, column=COLUMN_KEYS.index("description") + 1)
    assert cell.value == "Indsat fra Wordmed en lodret tabulator"


async def test_an_import_tells_subscribers_of_every_system_in_order_and_checks_each(world: World) -> None:
    """A real run gathers its events and writes them together at the end (registry.events.batched), and
    checks every system once after the last row (Obligations.deferred): the same events, deliveries
    and findings as the systems registered one by one."""
    from webhooks.tables import WebhookDelivery, WebhookEvent

    table = _csv_table(await _file(world, "imports/template", "csv"))
    name = COLUMN_KEYS.index("name")
    rows = [table[0]]
    for n in range(3):
        row = list(table[1])
        row[name] = f"Importeret system {n}"
        rows.append(row)
    events_before = await WebhookEvent.count()
    r = await _import(world, _csv_bytes(rows), "?dry_run=false", content_type="text/csv")
    assert r.status_code == 200, r.text
    ids = [row["id"] for row in r.json()["rows"]]
    registered = await (
        WebhookEvent.select(WebhookEvent.id, WebhookEvent.payload)
        .where(WebhookEvent.type == "system.registered")
        .order_by(WebhookEvent.id)
    )
    systems = [json.loads(row["payload"])["data"]["system_id"] for row in registered]
    assert systems[-3:] == ids  # one event per system, in the order of the rows
    for row in registered[-3:]:
        deliveries = await WebhookDelivery.count().where(WebhookDelivery.event == row["id"])
        assert deliveries == 1  # organization 0's subscription follows system events
    opened = await WebhookEvent.select(WebhookEvent.payload).where(WebhookEvent.type == "finding.opened")
    with_findings = {json.loads(row["payload"])["data"]["system_id"] for row in opened}
    assert set(ids) <= with_findings  # each new system was checked
    for system_id in ids:
        findings = await world.client.get(
            f"{API}/systems/{system_id}/findings", headers=world.headers("employer_admin", 0)
        )
        assert findings.status_code == 200
        assert findings.json(), "the import checked the system"
    assert await WebhookEvent.count() > events_before + 3
