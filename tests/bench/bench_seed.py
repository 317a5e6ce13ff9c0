"""Seed data for the benchmarks: organizations, a unit each, and varied AI systems, written through
the registry services so the stored representation is the one the API really keeps (`seed`, for
bench_list.py and bench_access_log.py); and one organization of 8 units whose systems have the gaps the
compliance rules find (`seed_varied_organization`, for bench_findings.py and bench_pages.py).

Import only after AIREG_DATA_DIR points at the scratch data dir: piccolo_conf picks the database
when it is first imported.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from registry import Actor, Role
from registry.organizations import service as organizations
from registry.organizations import units
from registry.organizations.models import OrganizationFields, UnitFields, cvr_is_valid
from registry.systems import record_service
from registry.systems import service as systems
from registry.systems.models import SystemFields

# Per organization of 100 systems: 60 in use, so `status=in_use&limit=50` fills a whole page.
STATUS_SHARES = {"in_use": 60, "pilot": 14, "planned": 12, "suspended": 6, "retired": 8}
CATEGORIES = ["decision_support", "monitoring", "automation", "generative_assistant", "analytics", "other"]
CATEGORY_WEIGHTS = [30, 12, 20, 20, 13, 5]
ORDINARY_DATA = [
    "identification",
    "contact_details",
    "employment",
    "work_performance",
    "location",
    "communications",
    "device_usage",
    "images_video",
    "voice",
    "behaviour",
    "financial",
]
SPECIAL_DATA = ["health", "biometric", "trade_union_membership"]
PRODUCTS = [  # name, vendor, product, purpose
    ("Ruteplanlægning", "Eksempel Software A/S", "RutePlan", "Planlægger besøg og køreruter."),
    ("Vagtplanlægning", "Skema ApS", "VagtPro", "Foreslår vagtplaner ud fra behov, kompetencer og ønsker."),
    ("Skriveassistent", "Sprogteknologi A/S", "Skriv+", "Skriver udkast til breve og notater."),
    ("Journalresume", "Sundheds-IT A/S", "ResumeAI", "Laver resuméer af journalnotater til overlevering."),
    ("Kundeservice-chatbot", "Dialog Nordic A/S", "ChatDesk", "Besvarer og fordeler henvendelser."),
    ("Fakturagenkendelse", "Bogholderi Robotter ApS", "ScanBill", "Aflæser og konterer indgående fakturaer."),
    ("Telefonianalyse", "Kontaktcenter Data A/S", "CallInsight", "Analyserer opkald for ventetid og emner."),
    ("Rekrutteringsscreening", "TalentMatch ApS", "Screen", "Sorterer ansøgninger efter kvalifikationer."),
    ("Sygefraværsprognose", "HR Analytics A/S", "Prognose", "Forudsiger fravær for bemandingsplanlægning."),
    ("Adgangskontrol med ansigt", "SecureGate A/S", "FaceGate", "Giver adgang til lageret ved ansigt."),
    ("Kvalitetskontrol på linjen", "Vision Systems ApS", "LineEye", "Finder fejl på emner med kamera."),
    ("Mødereferater", "Tale til Tekst A/S", "Referent", "Transskriberer møder og laver referatudkast."),
]
GROUPS = [
    "hjemmeplejen",
    "sygeplejersker",
    "kontorpersonale",
    "lagermedarbejdere",
    "chauffører",
    "ledere",
    "kundeservice",
    "HR-medarbejdere",
    "produktion",
]
SOURCES = ["lønsystem", "vagtplan", "e-mail", "telefoni", "GPS i biler", "journal", "sagssystem", "kamera"]


@dataclass
class Seeded:
    org_ids: list[str] = field(default_factory=list)
    unit_ids: list[str] = field(default_factory=list)
    system_ids: dict[str, list[str]] = field(default_factory=dict)  # per organization
    status_counts: dict[str, dict[str, int]] = field(default_factory=dict)


def valid_cvrs(count: int, start: int = 20_000_000) -> list[str]:
    found: list[str] = []
    number = start
    while len(found) < count:
        if cvr_is_valid(str(number)):
            found.append(str(number))
        number += 1
    return found


def _day(rng: random.Random, earliest: date, span_days: int) -> date:
    return earliest + timedelta(days=rng.randrange(max(span_days, 1)))


def system_fields(rng: random.Random, index: int, status: str, unit_id: str) -> dict[str, Any]:
    """One plausible entry; richer for systems in use, sparse for plans."""
    name, vendor, product, purpose = PRODUCTS[index % len(PRODUCTS)]
    category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
    data = rng.sample(ORDINARY_DATA, rng.randint(1, 4))
    if rng.random() < 0.2:
        data.append(rng.choice(SPECIAL_DATA))
    control = category == "monitoring" or rng.random() < 0.15
    fields: dict[str, Any] = {
        "name": f"{name} {index + 1}",
        "vendor": vendor,
        "product": f"{product} {rng.randint(1, 9)}.{rng.randint(0, 20)}",
        "description": f"{purpose} Indført i afdelingen som led i digitaliseringsstrategien.",
        "purpose": purpose,
        "category": category,
        "control_measure": control,
        "status": status,
        "unit_ids": [unit_id] if rng.random() < 0.7 else [],
        "affected_groups": rng.sample(GROUPS, rng.randint(1, 3)),
        "affected_headcount": rng.randint(5, 2500),
        "data_categories": data,
        "data_sources": rng.sample(SOURCES, rng.randint(1, 3)),
        "legal_basis": rng.choice(["contract", "legal_obligation", "public_task", "legitimate_interests"]),
        "automated_decision": rng.choice(["none", "supports_human", "supports_human", "fully_automated"]),
        "operated_by": rng.choice(["employer", "vendor", "third_party"]),
        "contact": {"name": f"Systemejer {index + 1}", "email": f"systemejer{index + 1}@eksempel.dk"},
    }
    if "health" in data or "biometric" in data or "trade_union_membership" in data:
        fields["special_category_basis"] = "employment_obligations"
    if status == "planned":
        return fields
    go_live = _day(rng, date(2022, 1, 1), 900)
    informed = go_live - timedelta(days=rng.randint(45, 120))
    fields |= {
        "access": [
            {"role": "nærmeste leder", "scope": "individual", "purpose": "Opfølgning på opgaverne."},
            {"role": "HR", "scope": "aggregate"},
        ][: rng.randint(1, 2)],
        "retention": {"period_days": rng.choice([90, 180, 365, 730]), "description": "Slettes automatisk."},
        "log_retention_days": rng.choice([30, 90, 180]),
        "significant_effect": rng.random() < 0.3,
        "human_oversight": {
            "description": "En medarbejder godkender hvert forslag.",
            "overseer_role": "teamleder",
            "trained": rng.random() < 0.8,
        },
        "contest_channel": "Henvendelse til nærmeste leder eller tillidsrepræsentanten.",
        "ai_act": {
            "risk_class": rng.choice(["high_risk", "limited", "minimal", "minimal", "unknown"]),
            "annex_iii_point": rng.choice([None, "4", "4(a)", "4(b)"]),
            "profiling": rng.random() < 0.3,
        },
        "dpia": {"status": rng.choice(["not_required", "screened", "done"]), "reference": f"DPIA-{index}"},
        "notice": {"given_at": (informed + timedelta(days=3)).isoformat(), "audience": "de berørte"},
        "consultation": {
            "committee": rng.choice(["hoved-MED", "lokal-MED", "SU"]),
            "informed_at": informed.isoformat(),
            "discussed_at": (informed + timedelta(days=14)).isoformat(),
            "minutes_ref": f"Referat {informed.isoformat()}",
        },
        "workers_informed_at": (informed + timedelta(days=7)).isoformat(),
        "go_live_at": go_live.isoformat(),
        "usage_policy": {
            "expected_use": "Bruges som støtte; den faglige vurdering ligger hos medarbejderen.",
            "ai_content_labelled": rng.random() < 0.5,
        },
        "training": {"provided": True, "hours_per_employee": rng.choice([1, 2, 4, 8])},
        "time_savings": {"expected_hours_per_week": rng.randint(2, 40)},
    }
    if status == "retired":
        fields["retired_at"] = (go_live + timedelta(days=rng.randint(30, 300))).isoformat()
    return fields


def _statuses(rng: random.Random, per_org: int) -> list[str]:
    scale = per_org / sum(STATUS_SHARES.values())
    statuses = [s for s, n in STATUS_SHARES.items() for _ in range(round(n * scale))]
    statuses = (statuses + ["in_use"] * per_org)[:per_org]
    rng.shuffle(statuses)
    return statuses


async def _seed_organization(
    rng: random.Random, admin: Actor, cvr: str, index: int, per_org: int, seeded: Seeded
) -> None:
    org = await organizations.create_organization(
        admin,
        OrganizationFields(
            name=f"Organisation {index:03d}",
            cvr=cvr,
            sector=rng.choice(["public", "private"]),
            cooperation_body=rng.choice(["MED", "SU"]),
        ),
    )
    org_id = org["id"]
    employer = Actor(sub=f"bench-hr-{index:03d}", role=Role.employer_admin, org=org_id)
    unit = await units.create_unit(
        employer,
        org_id,
        UnitFields(name="Hovedafdelingen", committee="lokal-MED", headcount=rng.randint(50, 3000)),
    )
    ids = []
    statuses = _statuses(rng, per_org)
    for i, status in enumerate(statuses):
        fields = SystemFields.model_validate(system_fields(rng, i, status, unit["id"]))
        stored = await systems.register_system(employer, org_id, fields, "Registreret ved indlæsning.")
        ids.append(stored.document["id"])
    seeded.org_ids.append(org_id)
    seeded.unit_ids.append(unit["id"])
    seeded.system_ids[org_id] = ids
    seeded.status_counts[org_id] = {s: statuses.count(s) for s in STATUS_SHARES}


async def seed(
    organization_count: int = 100,
    systems_per_org: int = 100,
    *,
    concurrency: int = 4,
    random_seed: int = 20250101,
) -> Seeded:
    """Organizations are seeded `concurrency` at a time; SQLite queues the writers (IMMEDIATE
    transactions), so this only overlaps Python work with the commits of other organizations."""
    admin = Actor(sub="bench-platform-admin", role=Role.platform_admin)
    seeded = Seeded()
    cvrs = valid_cvrs(organization_count)
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> None:
        async with gate:
            rng = random.Random(random_seed + index)
            await _seed_organization(rng, admin, cvrs[index], index, systems_per_org, seeded)

    await asyncio.gather(*(one(i) for i in range(organization_count)))
    return seeded


# --- one organization with gaps, for the findings and the register page ---------------------------


def varied_system(rng: random.Random, n: int, unit_ids: list[str]) -> dict[str, Any]:
    """A system as employers state them: some complete, many with gaps the rules find."""
    category = rng.choice(
        ["decision_support", "monitoring", "automation", "generative_assistant", "analytics"]
    )
    status = rng.choice(["planned", "pilot", "in_use", "in_use", "in_use", "suspended"])
    go_live = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 500))
    fields: dict[str, Any] = {
        "name": f"System {n}",
        "vendor": rng.choice(["Eksempel A/S", "Nordisk Data ApS", "HR Cloud Inc."]),
        "purpose": "Planlægning, opfølgning og dokumentation i den daglige drift.",
        "category": category,
        "control_measure": category == "monitoring" or rng.random() < 0.2,
        "status": status,
        "unit_ids": rng.sample(unit_ids, rng.randrange(0, 3)),
        "data_categories": rng.sample(
            ["contact_details", "location", "work_performance", "health", "behaviour"], 2
        ),
        "go_live_at": go_live.isoformat() if status != "planned" or rng.random() < 0.5 else None,
        "ai_act": {
            "risk_class": rng.choice(["high_risk", "limited", "minimal", "unknown"]),
            "emotion_recognition": rng.random() < 0.02,
        },
    }
    if rng.random() < 0.6:
        fields["notice"] = {"given_at": (go_live - timedelta(days=rng.randrange(10, 60))).isoformat()}
    if rng.random() < 0.5:
        fields["dpia"] = {"status": rng.choice(["done", "screened", "planned"]), "date": "2025-11-01"}
    if rng.random() < 0.5:
        fields["legal_basis"] = "legitimate_interests"
        fields["retention"] = {"period_days": 365}
    if rng.random() < 0.4:
        fields["training"] = {"provided": True}
    return fields


@dataclass
class VariedOrganization:
    org_id: str
    system_ids: list[str]
    seconds: float  # registering the systems (not the organization and its units)


async def seed_varied_organization(
    count: int, rng: random.Random, cvr: str = "29189919"
) -> VariedOrganization:
    """ "Benchmark Kommune" (public sector, MED) with 8 units and `count` `varied_system`s, each
    registered through the service with its findings in its own transaction. Needs an event sink."""
    platform_admin = Actor(sub="bench", role=Role.platform_admin)
    org = await organizations.create_organization(
        platform_admin,
        OrganizationFields(
            name="Benchmark Kommune", cvr=cvr, employer_type="municipal", cooperation_body="MED"
        ),
    )
    admin = Actor(sub="bench-admin", role=Role.employer_admin, org=org["id"])
    unit_ids = [
        (await units.create_unit(admin, org["id"], UnitFields(name=f"Enhed {i}")))["id"] for i in range(8)
    ]
    started = time.perf_counter()
    ids = []
    for n in range(count):
        fields = varied_system(rng, n, unit_ids)
        stored = await systems.register_system(
            admin, org["id"], SystemFields.model_validate(fields), effective_at=date(2025, 9, 1)
        )
        ids.append(stored.document["id"])
        await _histories(admin, stored.document["id"], stored.version, fields, rng)
    return VariedOrganization(org_id=org["id"], system_ids=ids, seconds=time.perf_counter() - started)


async def _histories(
    admin: Actor, system_id: str, version: int, fields: dict[str, Any], rng: random.Random
) -> None:
    """What employers record besides the system itself: the committee informed, the representatives
    and the workers informed, and for some a material change with the notice that announces it."""
    day = date(2025, 9, 1)
    if rng.random() < 0.7:
        await record_service.record(
            admin, system_id, "consultation", {"committee": "lokal-MED", "informed_at": "2025-06-01"}
        )
    for party in ("representatives", "workers"):
        if rng.random() < 0.6:
            await record_service.record(
                admin, system_id, "worker_information", {"party": party, "informed_at": "2025-07-01"}
            )
    if rng.random() < 0.3:
        stored = await systems.update_system(
            admin,
            system_id,
            {"vendor": "Ny Leverandør A/S"},
            if_match=[version],
            change_note="Ny leverandør",
            effective_at=day + timedelta(days=rng.randrange(30, 300)),
        )
        if fields.get("control_measure") and rng.random() < 0.7:
            notice = {"given_at": "2025-09-15", "covers_version": stored.version}
            await record_service.record(admin, system_id, "notice", notice)
