"""The demo data set tells true stories: seeded through the services, every system's findings on a
fixed day are exactly the list below, written and checked by hand against each system's own history
(its revisions with their effective dates, its notices, consultations and workers' information)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from registry.demo import seed_demo
from registry.obligations.findings import recompute_organization
from registry.obligations.tables import SystemFinding
from registry.questions.tables import Answer, Question
from registry.systems.tables import AISystem, SystemRecord, SystemRevision
from tests.support.world import API, TokenFactory, bearer

DAY = date(2026, 12, 6)

ROSTER = "AI-understøttet vagtplanlægning på sengeafsnittene"
EXPECTED: set[tuple[str, str, str]] = {
    # Expanded to drivers' posts on 2 March 2026 (material), with no APV recorded, its APV revisions
    # not completed and the DPIA of 6 October 2025 not reviewed since.
    ("AI-sortering af ansøgninger i rekruttering", "apv.outdated", "warning"),
    ("AI-sortering af ansøgninger i rekruttering", "gdpr.dpia_outdated", "warning"),
    ("AI-sortering af ansøgninger i rekruttering", "apv.reassessment_overdue", "warning"),
    # Planned for 5 April 2027, before the Annex III date: what to prepare, as good practice where
    # Art. 111(2) will apply; only the committee (regions-MED) is informed so far.
    (ROSTER, "ai_act.exposed_persons_not_informed", "info"),
    (ROSTER, "ai_act.literacy_missing", "info"),
    (ROSTER, "apv.outdated", "info"),
    (ROSTER, "gdpr.employee_notice_missing", "warning"),
    (ROSTER, "gdpr.processor_agreement_missing", "warning"),
    (ROSTER, "high_risk.log_retention_short", "info"),
    (ROSTER, "high_risk.no_trained_overseer", "info"),
    (ROSTER, "high_risk.public_eu_database_missing", "info"),
    (ROSTER, "high_risk.public_fria_missing", "info"),
    (ROSTER, "high_risk.workers_not_informed", "info"),
    # Planned; training and the employees' information not yet given.
    ("Automatisk journalisering og fordeling af indgående post", "ai_act.literacy_missing", "info"),
    ("Automatisk journalisering og fordeling af indgående post", "gdpr.employee_notice_missing", "warning"),
    # IT security can open each caseworker's usage log: the steward's correction is about this.
    ("Generativ sagsassistent i Jobcenteret", "control_measure.possibly_control_measure", "info"),
    # Logs kept 90 days; a high-risk system put into service in 2025 (Art. 111(2): good practice).
    ("Produktivitetsmåling af pluk på lageret", "high_risk.log_retention_short", "info"),
    # Time windows allocated fully automatically, stated as without significant effect (the
    # steward's open question); the drivers got the written notice four days after go-live.
    ("Speditørens telematik og tidsvinduer for chauffører", "gdpr.automated_decision_safeguards", "info"),
    ("Speditørens telematik og tidsvinduer for chauffører", "high_risk.workers_informed_late", "info"),
    # The data reduction of 24 November 2025 changed what the system does; its APV revision (due
    # 24 December 2025) is not completed.
    ("Speditørens telematik og tidsvinduer for chauffører", "apv.reassessment_overdue", "warning"),
    # The scoring extended on 1 November 2025; the DPIA is from 15 January 2025.
    ("Talegenkendelse og kvalitetsscoring af kundeopkald", "gdpr.dpia_outdated", "warning"),
    # A pilot since 1 September 2026 with no APV recorded, and its APV revision (due 1 October 2026)
    # not completed.
    ("Talegenkendelse til journalføring i Akutafdelingen", "apv.outdated", "warning"),
    ("Talegenkendelse til journalføring i Akutafdelingen", "apv.reassessment_overdue", "warning"),
}


async def _findings() -> set[tuple[str, str, str]]:
    names = {row["id"]: row["name"] for row in await AISystem.select(AISystem.id, AISystem.name)}
    rows = await SystemFinding.select().where(SystemFinding.status == "open")
    return {(names[row["system"]], row["rule_id"], row["severity"]) for row in rows}


async def test_every_demo_system_has_exactly_the_findings_its_story_gives(migrated_database: Any) -> None:
    data = await seed_demo()
    for organization in data.organizations:
        await recompute_organization(organization.id, today=DAY)
    found = await _findings()
    assert found == EXPECTED
    # The register accuses no demo employer of breaking a rule: every story keeps the rules it can.
    assert not [finding for finding in found if finding[2] == "violation"]


async def test_the_demo_history_carries_the_dates_of_its_stories(migrated_database: Any) -> None:
    await seed_demo()
    days = [row["effective_at"] for row in await SystemRevision.select(SystemRevision.effective_at)]
    assert all(day is not None for day in days)
    assert min(days) == date(2024, 5, 6)  # the road-damage cameras went into use
    assert len({*days}) > 20  # not one seeding day
    kinds = [row["kind"] for row in await SystemRecord.select(SystemRecord.kind)]
    assert {kinds.count(kind) > 3 for kind in ("notice", "consultation", "worker_information")} == {True}
    covering = await SystemRecord.select(SystemRecord.covers_version).where(
        (SystemRecord.kind == "notice") & SystemRecord.covers_version.is_not_null()
    )
    assert len(covering) >= 3  # notices of changes, each naming the version it announces


async def test_the_demo_has_questions_and_answers_on_record(migrated_database: Any) -> None:
    await seed_demo()
    questions = await Question.select(Question.kind, Question.status)
    answers = await Answer.select(Answer.minutes_ref, Answer.corrects)
    assert len(questions) >= 3
    assert any(q["kind"] == "correction" for q in questions)
    assert len([a for a in answers if a["minutes_ref"]]) >= 2
    assert any(a["corrects"] is not None for a in answers)  # an answer corrected on record
    assert any(q["status"] == "open" for q in questions)


async def _account(client: httpx.AsyncClient, token: TokenFactory, name: str, lang: str = "da") -> str:
    row = await AISystem.select(AISystem.id, AISystem.organization).where(AISystem.name == name).first()
    headers = bearer(token("steward", str(row["organization"])))
    r = await client.get(f"{API}/systems/{row['id']}/statement?format=md&lang={lang}", headers=headers)
    assert r.status_code == 200, r.text
    return r.text


async def test_the_written_account_says_what_the_employee_side_may_ask_for(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    await seed_demo()
    route = await _account(client, token, "AI-ruteplanlægning i hjemmeplejen")
    # Every notice with what it covers, and the four conditions of a control measure.
    assert "| 10. februar 2025 | 24. marts 2025 | systemet, som det blev taget i brug |" in route
    assert "| 16. juni 2025 | 1. august 2025 | ændringen i version 2 |" in route
    assert "Betingelserne for en kontrolforanstaltning" in route
    assert "**Hvorfor medarbejderne ikke lider tab:** Oplysningerne bruges ikke til løn" in route
    # Whose data it is: the citizens' health is not the employees'.
    assert "| helbred | borgere |" in route
    # GDPR Art. 13: the DPO, processors and their agreement, transfers, rights and complaints.
    assert "**Databeskyttelsesrådgiver (DPO):** Databeskyttelsesrådgiver, Fjordby Kommune" in route
    assert "Databehandleraftale med RuteKlar A/S" in route
    assert "Du kan klage til Datatilsynet" in route
    assert "aktindsigt" in route  # a public employer
    # Questions and answers on record, with the committee, the meeting and the minutes.
    assert "### Spørgsmål: Ruteplanlæggeren fordeler besøg" in route
    assert "lokal-MED; 9. september 2025; Referat lokal-MED Hjemmeplejen 09.09.2025, pkt. 5" in route
    # Who in management stands behind it, and when the committee discussed it.
    assert "**Ansvarlig i ledelsen:** Ældre- og sundhedschef Lene Bach" in route
    assert "Behandlet i lokal-MED den 20. maj 2025" in route
    # The history says when each change took effect, not only when it was recorded.
    assert "Version 2, gældende fra 1. august 2025 (registreret" in route

    xray = await _account(client, token, "AI-triage af røntgenbilleder af thorax")
    assert "Ikke relevant \u2013 systemet er ikke registreret som kontrolforanstaltning." in xray
    # Art. 26(7): both the representatives and the workers, each with a date.
    assert "| Medarbejdernes repræsentanter | 8. oktober 2024 |" in xray
    assert "| De berørte medarbejdere | 3. februar 2025 |" in xray
    assert "Du vil være omfattet af brugen af et højrisiko-AI-system" in xray

    jobcenter = await _account(client, token, "Generativ sagsassistent i Jobcenteret", "en")
    assert "### Correction: " in jobcenter
    assert "(corrects an earlier answer)" in jobcenter
