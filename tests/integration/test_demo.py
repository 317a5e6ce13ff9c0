"""The demo data set tells true stories: seeded through the services, every system's findings on a
fixed day are exactly the list below, written and checked by hand against each system's own history
(its revisions with their effective dates, its notices, consultations and workers' information)."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.demo import seed_demo
from registry.obligations.findings import recompute_organization
from registry.obligations.tables import SystemFinding
from registry.questions.tables import Answer, Question
from registry.systems.tables import AISystem, SystemRecord, SystemRevision

DAY = date(2026, 12, 6)

ROSTER = "AI-understøttet vagtplanlægning på sengeafsnittene"
EXPECTED: set[tuple[str, str, str]] = {
    # Expanded to drivers' posts on 2 March 2026 (material), with no APV recorded and the DPIA of
    # 6 October 2025 not reviewed since.
    ("AI-sortering af ansøgninger i rekruttering", "apv.outdated", "warning"),
    ("AI-sortering af ansøgninger i rekruttering", "gdpr.dpia_outdated", "warning"),
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
    # The scoring extended on 1 November 2025; the DPIA is from 15 January 2025.
    ("Talegenkendelse og kvalitetsscoring af kundeopkald", "gdpr.dpia_outdated", "warning"),
    # A pilot since 1 September 2026 with no APV recorded.
    ("Talegenkendelse til journalføring i Akutafdelingen", "apv.outdated", "warning"),
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
