"""The written account through the API: HTML, Markdown and PDF in Danish and English, escaped,
visible exactly as the system itself, and recorded in the access log."""

from __future__ import annotations

import html as htmllib
import io
import re
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from registry.accesslog.tables import AccessLogEntry
from tests.support.world import API, World, system_body

HOSTILE_NAME = "Ruteplan <script>alert('x')</script>"
PURPOSE = "Planlægger besøg og køreruter for hjemmeplejens medarbejdere."
INJECTION = "Sådan virker det.\n# Falsk overskrift\n[klik her](https://example.com) <b>fed</b>"


def admin(world: World, org_index: int = 0) -> dict[str, str]:
    return world.headers("employer_admin", org_index)


def account_body(world: World, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "Køreplan for hjemmeplejen",
        "purpose": PURPOSE,
        "operational_reason": "Færre kørte kilometer og bedre kontinuitet for borgerne.",
        "description": INJECTION,
        "category": "monitoring",
        "control_measure": True,
        "status": "pilot",
        "unit_ids": [world.units[0]],
        "affected_groups": ["Social- og sundhedshjælpere"],
        "affected_headcount": 120,
        "data_categories": ["location", "work_performance"],
        "data_sources": ["GPS i tjenestebilerne"],
        "access": [
            {"role": "Teamleder", "scope": "individual", "purpose": "Planlægning af ruter"},
            {"role": "Direktion", "scope": "aggregate"},
        ],
        "retention": {"period_days": 90},
        "log_retention_days": 200,
        "legal_basis": "legitimate_interests",
        "automated_decision": "supports_human",
        "significant_effect": False,
        "human_oversight": {"description": "Planlæggeren godkender ruterne.", "overseer_role": "Planlægger"},
        "contest_channel": "Kontakt teamlederen eller tillidsrepræsentanten.",
        "notice": {"given_at": "2026-01-05", "audience": "Alle i hjemmeplejen", "text_ref": "Varsling v2"},
        "consultation": {
            "committee": "lokal-MED",
            "informed_at": "2025-12-01",
            "discussed_at": "2025-12-15",
            "minutes_ref": "Referat lokal-MED 15.12.2025, pkt. 4",
        },
        "go_live_at": "2026-03-01",
        "contact": {"name": "Hanne Holm", "email": "hanne@example.dk"},
    }
    return system_body(**(fields | overrides))


async def register(world: World, **overrides: Any) -> str:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=account_body(world, **overrides),
        headers=admin(world),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def change(world: World, system_id: str, **fields: Any) -> None:
    current = await world.client.get(f"{API}/systems/{system_id}", headers=admin(world))
    r = await world.client.patch(
        f"{API}/systems/{system_id}",
        json=fields,
        headers={**admin(world), "If-Match": current.headers["etag"]},
    )
    assert r.status_code == 200, r.text


async def statement(world: World, system_id: str, *, role: str = "steward", **params: str) -> httpx.Response:
    return await world.client.get(
        f"{API}/systems/{system_id}/statement", params=params, headers=world.headers(role, 0)
    )


async def first_finding(world: World, system_id: str) -> dict[str, Any]:
    r = await world.client.get(f"{API}/systems/{system_id}/findings", headers=admin(world))
    assert r.status_code == 200, r.text
    assert r.json(), "the account's system should have an open finding"
    return dict(r.json()[0])


@pytest.fixture
async def system(world: World) -> str:
    """A monitoring control measure, registered as a pilot, then taken into use (a material change
    that opens an APV reassessment), then given health data."""
    system_id = await register(world)
    await change(world, system_id, status="in_use", change_note="Godkendt i lokal-MED")
    await change(world, system_id, data_categories=["location", "work_performance", "health"])
    return system_id


def visible_text(html: str) -> str:
    body = re.sub(r"<style.*?</style>", " ", html, flags=re.DOTALL)
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


# --- HTML ---------------------------------------------------------------------------------------------


async def test_html_in_danish_is_a_complete_document_in_plain_danish(world: World, system: str) -> None:
    r = await statement(world, system)  # html and da are the defaults

    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        r.headers["content-disposition"] == 'inline; filename="redegoerelse-koereplan-for-hjemmeplejen.html"'
    )
    assert r.headers["content-language"] == "da"
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none' covers scripts
    html = r.text
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="da">' in html
    assert '<th scope="col">' in html
    assert '<th scope="row">' in html
    assert "@media print" in html
    assert "@page" in html
    text = visible_text(html)
    finding = await first_finding(world, system)
    for expected in (
        "Skriftlig redegørelse om AI-systemet Køreplan for hjemmeplejen",
        PURPOSE,
        "Formål",
        "Hvem har adgang",
        "Teamleder",
        "individniveau",
        "overvågning",  # the category, in Danish
        "helbred",
        "Ja, følsom oplysning",
        "5. januar 2026",  # notice given
        "1. december 2025",  # committee informed
        "Referat lokal-MED 15.12.2025, pkt. 4",
        "90 dage",
        "Kontakt teamlederen eller tillidsrepræsentanten.",
        finding["message_da"],
        "Hjemmeplejen",  # the unit, by name
        "systemet er taget i brug",  # the material reason of version 2 and of the APV reassessment
        "Godkendt i lokal-MED",
        "afprøves (pilotforsøg)",  # version 2's status before
        "Version 3",
    ):
        assert expected in text, expected
    assert finding["message_en"] not in text
    assert "Who has access" not in text
    # Newest change first.
    assert text.index("Version 3") < text.index("Version 2") < text.index("Version 1")


async def test_html_in_english(world: World, system: str) -> None:
    r = await statement(world, system, lang="en", format="html")

    assert r.status_code == 200, r.text
    assert r.headers["content-language"] == "en"
    assert '<html lang="en">' in r.text
    text = visible_text(r.text)
    finding = await first_finding(world, system)
    for expected in (
        "Written account of the AI system Køreplan for hjemmeplejen",
        "Who has access",
        "monitoring",
        "5 January 2026",
        finding["message_en"],
        "the system went into use",
    ):
        assert expected in text, expected
    assert finding["message_da"] not in text
    assert "Hvem har adgang" not in text


async def test_text_from_the_register_is_escaped_in_html(world: World) -> None:
    system_id = await register(world, name=HOSTILE_NAME, contest_channel="<img src=x onerror=alert(1)>")

    r = await statement(world, system_id)

    assert r.status_code == 200, r.text
    assert "<script>" not in r.text
    assert "<img" not in r.text
    assert "&lt;script&gt;" in r.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in r.text
    assert "<b>fed</b>" not in r.text


# --- Markdown -----------------------------------------------------------------------------------------


async def test_markdown_in_danish_and_english(world: World, system: str) -> None:
    da = await statement(world, system, format="md")
    en = await statement(world, system, format="md", lang="en")

    assert da.status_code == en.status_code == 200
    assert da.headers["content-type"] == en.headers["content-type"] == "text/markdown; charset=utf-8"
    assert (
        da.headers["content-disposition"] == 'inline; filename="redegoerelse-koereplan-for-hjemmeplejen.md"'
    )
    assert "\n# Skriftlig redegørelse om AI-systemet Køreplan for hjemmeplejen\n" in da.text
    assert "\n## 2. Formål\n" in da.text
    assert "| Teamleder | den enkelte medarbejder (kan se oplysninger om hver enkelt) |" in da.text
    assert "| 5. januar 2026 |" in da.text  # the notice, in the table of notices
    assert "## 12. Spørgsmål og svar" in da.text or "Spørgsmål og svar" in da.text
    assert "\n# Written account of the AI system Køreplan for hjemmeplejen\n" in en.text
    assert "| 5 January 2026 |" in en.text
    finding = await first_finding(world, system)
    assert finding["message_da"].split(" (")[0][:30] in da.text.replace("\\", "")


async def test_text_from_the_register_cannot_make_markdown(world: World) -> None:
    system_id = await register(world, name=HOSTILE_NAME)

    r = await statement(world, system_id, format="md")

    assert r.status_code == 200, r.text
    lines = r.text.splitlines()
    headings = [line for line in lines if line.startswith("#")]
    assert "# Falsk overskrift" not in headings
    assert not any("Falsk" in line for line in headings)
    assert "\\# Falsk overskrift" in r.text
    assert "\\[klik her\\](https://example.com)" in r.text
    assert "\\<b\\>fed\\</b\\>" in r.text
    assert "<script>" not in r.text


# --- PDF ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "heading", "notice_date"),
    [("da", "Hvem har adgang", "5. januar 2026"), ("en", "Who has access", "5 January 2026")],
)
async def test_pdf_is_a_real_document_with_the_account_in_it(
    world: World, system: str, lang: str, heading: str, notice_date: str
) -> None:
    r = await statement(world, system, format="pdf", lang=lang)

    assert r.status_code == 200, r.text[:200]
    assert r.headers["content-type"] == "application/pdf"
    assert (
        r.headers["content-disposition"]
        == 'attachment; filename="redegoerelse-koereplan-for-hjemmeplejen.pdf"'
    )
    assert r.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(r.content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    finding = await first_finding(world, system)
    for expected in (
        "Køreplan for hjemmeplejen",
        PURPOSE,
        heading,
        notice_date,
        finding[f"message_{lang}"],
    ):
        assert expected in text, expected
    assert reader.metadata is not None
    assert "Køreplan for hjemmeplejen" in str(reader.metadata.title)


# --- who may read it ----------------------------------------------------------------------------------


async def test_a_steward_limited_to_units_gets_404_outside_them(world: World) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/units", json={"name": "Rådhuset"}, headers=admin(world)
    )
    elsewhere = r.json()["id"]
    outside = await register(world, name="Sagsbehandling", unit_ids=[elsewhere])
    inside = await register(world, name="Besøgsplan")
    limited = world.headers("steward", 0, units=[world.units[0]])

    refused = await world.client.get(f"{API}/systems/{outside}/statement", headers=limited)
    allowed = await world.client.get(f"{API}/systems/{inside}/statement", headers=limited)

    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "Sagsbehandling" not in refused.text
    assert allowed.status_code == 200


async def test_another_organizations_system_is_not_found(world: World) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    other = await statement(world, world.systems[1], format="pdf")
    missing = await statement(world, unknown, format="pdf")

    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


async def test_a_platform_admin_reads_no_register_content(world: World) -> None:
    r = await world.client.get(
        f"{API}/systems/{world.systems[0]}/statement", headers=world.headers("platform_admin", None)
    )
    assert r.status_code == 403


@pytest.mark.parametrize("params", [{"format": "docx"}, {"lang": "de"}, {"format": ""}])
async def test_an_unknown_format_or_language_is_a_400(world: World, params: dict[str, str]) -> None:
    r = await statement(world, world.systems[0], **params)

    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert next(iter(params)) in r.text  # the problem names the parameter


async def test_reading_the_account_is_in_the_access_log(world: World, system: str) -> None:
    r = await statement(world, system, format="md", role="auditor")
    assert r.status_code == 200

    entry = (await AccessLogEntry.select().order_by(AccessLogEntry.seq, ascending=False).first()) or {}
    assert (entry["action"], entry["resource_type"], entry["resource_id"]) == ("read", "statement", system)
    assert (entry["outcome"], entry["status"], entry["actor_role"]) == ("allowed", 200, "auditor")
    assert entry["organization_id"] == world.orgs[0]
