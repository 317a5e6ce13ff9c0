"""The register as a file: an organization's systems in the import template's columns (xlsx, csv,
jsonl), for every role that reads the register, with its visibility; and the import template."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import openpyxl

from registry.accesslog.tables import AccessLogEntry
from registry.systems.sheet import COLUMN_KEYS, COLUMNS
from tests.support.world import API, World, system_body


def _export(world: World, query: str, role: str = "employer_admin", **token: Any) -> Any:
    return world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems/export?{query}", headers=world.headers(role, 0, **token)
    )


async def _second_system(world: World, **fields: Any) -> str:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(**fields),
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_every_format_holds_every_visible_system_in_the_template_columns(world: World) -> None:
    other = await _second_system(world, name='=HYPERLINK("https://example.org")', affected_groups=["A", "B"])
    stored = {
        s: (await world.client.get(f"{API}/systems/{s}", headers=world.headers("employer_admin", 0))).json()
        for s in (world.systems[0], other)
    }

    jsonl = await _export(world, "format=jsonl")
    assert jsonl.status_code == 200, jsonl.text
    assert jsonl.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [row["id"] for row in rows] == [other, world.systems[0]]  # newest first
    assert all(tuple(row) == COLUMN_KEYS for row in rows)
    first = rows[1]
    assert first["version"] == stored[world.systems[0]]["version"]
    assert first["name"] == stored[world.systems[0]]["name"]
    assert first["unit_ids"] == "Hjemmeplejen"  # units by name
    assert rows[0]["affected_groups"] == "A; B"

    sheet = await _export(world, "format=csv")
    assert sheet.headers["content-disposition"].startswith('attachment; filename="ai-register-')
    assert sheet.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["id", "version", "Navn"]
    assert len(table[0]) == len(COLUMNS)
    assert table[1][2] == '\'=HYPERLINK("https://example.org")'  # a spreadsheet shows it as text
    assert table[1][COLUMN_KEYS.index("control_measure")] in ("Ja", "Nej")

    workbook = await _export(world, "format=xlsx&lang=en")
    assert workbook.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    values = list(book["Systems"].iter_rows(values_only=True))
    assert values[0][:3] == ("id", "version", "Name")
    assert [v[0] for v in values[1:]] == [other, world.systems[0]]
    assert book["Systems"]["C2"].data_type == "s"  # text, never a formula
    assert book["Systems"]["C2"].value == '=HYPERLINK("https://example.org")'

    entry = (await AccessLogEntry.select().order_by(AccessLogEntry.seq, ascending=False).first()) or {}
    assert (entry["action"], entry["resource_type"], entry["organization_id"]) == (
        "export",
        "system",
        world.orgs[0],
    )


async def test_each_reader_gets_what_it_may_read(world: World) -> None:
    elsewhere = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/units",
        json={"name": "Køkkenet"},
        headers=world.headers("employer_admin", 0),
    )
    kitchen = elsewhere.json()["id"]
    await _second_system(world, name="Køkkenplan", unit_ids=[kitchen])
    for role, token, expected in (
        ("auditor", {}, 2),
        ("steward", {}, 2),
        ("steward", {"units": [world.units[0]]}, 1),
    ):
        r = await _export(world, "format=jsonl", role, **token)
        assert r.status_code == 200, (role, r.text)
        assert len(r.text.splitlines()) == expected, (role, token)
    stranger = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems/export", headers=world.headers("employer_admin", 1)
    )
    assert stranger.status_code == 404
    assert (await _export(world, "format=pdf")).status_code == 400


async def test_the_template_has_the_columns_an_example_and_the_vocabularies_as_lists(world: World) -> None:
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/imports/template", headers=world.headers("employer_admin", 0)
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == 'attachment; filename="ai-register-skabelon.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = book["Systemer"]
    heading, example = list(sheet.iter_rows(values_only=True))
    assert heading[2] == "Navn"
    row = dict(zip(COLUMN_KEYS, example, strict=True))
    assert (row["id"], row["version"]) == (None, None)
    assert row["category"] == "decision_support"
    assert row["control_measure"] == "Nej"
    assert row["go_live_at"].date() == date(2027, 3, 1)
    assert book["Lister"].sheet_state == "hidden"
    lists = {
        str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1
        for v in sheet.data_validations.dataValidation
    }
    category = openpyxl.utils.get_column_letter(COLUMN_KEYS.index("category") + 1)
    assert category in lists
    status_values = [
        c.value for c in next(col for col in book["Lister"].iter_cols() if col[0].value == "status")
    ]
    assert [v for v in status_values[1:] if v] == ["planned", "pilot", "in_use", "suspended", "retired"]

    csv_template = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/imports/template?format=csv&lang=en",
        headers=world.headers("employer_admin", 0),
    )
    table = list(csv.reader(io.StringIO(csv_template.content.decode("utf-8-sig"))))
    assert table[0][2] == "Name"
    assert table[1][COLUMN_KEYS.index("control_measure")] == "No"

    for headers, status in (
        (world.headers("steward", 0), 403),
        (world.headers("employer_admin", 1), 404),
    ):
        refused = await world.client.get(
            f"{API}/organizations/{world.orgs[0]}/imports/template", headers=headers
        )
        assert refused.status_code == status
