"""The demo data set: four fictional Danish employers and the AI systems they use at work.

The cases are modelled on real Danish public debate and practice (route planning and GPS in home care,
road-damage cameras on municipal vehicles, generative assistants in jobcentres, AI triage of chest X-rays,
speech analytics in call centres, CV screening, a freight forwarder steering hauliers' drivers); the
organizations, vendors and people are invented. Texts are in Danish, as the users are Danish.

Everything is written through the services, exactly as an employer would through the API: every system
gets its registration and several revisions with change notes, so history, diffs and findings have
something to show. Unit references in the system data are short keys, replaced by unit ids when seeded.

The data lives in `data/`: one JSON file per organization, seeded in the order of the file names
(`NN-name.json`). A file holds `domain` (the admin is `hr@<domain>`), `organization`, `units` (a short
`key` each, the `parent`'s key; parents first), `steward_units` and `systems`: registration `fields`, the
day it took effect (`effective_at`), an optional `registration_note`, `records` (notices, consultations
and workers' information), `revisions` (a `change_note`, the day it took effect, the top-level fields it
replaces and the records that follow it) and `questions` a steward (`tr@<domain>`) asks, with
management's answers. Every date is the date of its story, so the history reads as it happened.
`files.py` describes the format and checks every file before the first write; a mistake raises
DemoDataError naming the file and the place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from registry.access import Actor, Role
from registry.demo.files import (
    DemoApvCompletion,
    DemoFile,
    DemoQuestion,
    DemoRecord,
    load_files,
    record_entry,
    resolved_systems,
)
from registry.members import service as members
from registry.members.models import MemberFields
from registry.obligations import apv
from registry.obligations.models import ReassessmentPatch
from registry.organizations import service as organizations
from registry.organizations import units
from registry.organizations.models import UnitFields
from registry.organizations.tables import Organization
from registry.products import service as products
from registry.products.models import ProductCardFields
from registry.questions import service as questions
from registry.questions.models import AnswerFields
from registry.systems import record_service
from registry.systems import service as systems

PLATFORM_ADMIN = Actor(sub="demo-platform-admin", role=Role.platform_admin)


@dataclass(frozen=True)
class DemoOrganization:
    id: str
    name: str
    unit_ids: dict[str, str]  # short key such as "hjemmepleje" -> unit id
    steward_units: list[str]  # unit ids a demo steward limited to units would get


@dataclass(frozen=True)
class DemoData:
    organizations: list[DemoOrganization]


async def database_is_empty() -> bool:
    """True when no organization exists: the demo data set is only added to an empty register."""
    return await Organization.count() == 0


async def _seed_organization(file: str, spec: DemoFile) -> DemoOrganization:
    org = await organizations.create_organization(PLATFORM_ADMIN, spec.organization)
    admin = Actor(sub=f"hr@{spec.domain}", role=Role.employer_admin, org=org["id"])
    ids: dict[str, str] = {}
    for unit in spec.units:  # parents are listed before their children
        parent_id = ids[unit.parent] if unit.parent else None
        fields = UnitFields(**unit.model_dump(exclude={"key", "parent", "parent_id"}), parent_id=parent_id)
        ids[unit.key] = (await units.create_unit(admin, org["id"], fields))["id"]
    steward = Actor(sub=f"tr@{spec.domain}", role=Role.steward, org=org["id"])
    steward_units = [ids[key] for key in spec.steward_units]
    await _enroll_people(org["id"], spec.domain, steward_units)
    for registration, system in resolved_systems(file, spec, ids):
        stored = await systems.register_system(
            admin, org["id"], registration, system.registration_note, effective_at=system.effective_at
        )
        system_id = stored.document["id"]
        await _record(admin, system_id, system.records, None)
        for rev in system.revisions:
            stored = await systems.update_system(
                admin,
                system_id,
                rev.changes,
                if_match=[stored.version],
                change_note=rev.change_note,
                effective_at=rev.effective_at,
                material=rev.material,
            )
            await _record(admin, system_id, rev.records, stored.version)
            if rev.apv_completed is not None:
                await _complete_apv(admin, org["id"], system_id, rev.apv_completed)
        for question in system.questions:
            await _ask(steward, admin, system_id, question)
    return DemoOrganization(id=org["id"], name=org["name"], unit_ids=ids, steward_units=steward_units)


DEMO_PEOPLE = (
    # (local part of the address, name, role, title, limited to the file's steward_units)
    ("hr", "HR", "employer_admin", None, False),
    ("tr", "Tillidsrepræsentant", "steward", "TR", False),
    ("tr-enhed", "Tillidsrepræsentant for enheden", "steward", "TR", True),
    ("amr", "Arbejdsmiljørepræsentant", "steward", "AMR", False),
    ("revisor", "Revisor", "auditor", None, False),
)


async def _enroll_people(org_id: str, domain: str, steward_units: list[str]) -> None:
    """The demo's people as members, before the story starts: their digests and feeds then tell it."""
    for local, name, role, title, limited in DEMO_PEOPLE:
        if limited and not steward_units:
            continue
        fields = MemberFields(
            email=f"{local}@{domain}",
            name=name,
            role=role,
            title=title,
            units=steward_units if limited else None,
        )
        await members.enroll_member(org_id, fields, created_by=PLATFORM_ADMIN.sub)


async def _record(admin: Actor, system_id: str, records: list[DemoRecord], version: int | None) -> None:
    latest: dict[str, str] = {}
    for record in records:
        for entry in await record_service.list_entries(admin, system_id, record.kind):
            latest[record.kind] = entry["id"]
        recorded = await record_service.record(
            admin, system_id, record.kind, record_entry(record, version, latest.get(record.kind))
        )
        latest[record.kind] = recorded["id"]


async def _complete_apv(admin: Actor, org_id: str, system_id: str, done: DemoApvCompletion) -> None:
    for revision in await apv.list_reassessments(admin, org_id, system_id=system_id, status="open"):
        patch = ReassessmentPatch(status="completed", **done.model_dump())
        await apv.update_reassessment(admin, revision["id"], patch)


async def _ask(steward: Actor, admin: Actor, system_id: str, question: DemoQuestion) -> None:
    asked = await questions.ask(steward, system_id, question)
    previous: str | None = None
    for answer in question.answers:
        fields = AnswerFields(
            **answer.model_dump(exclude={"corrects_previous", "corrects"}),
            corrects=previous if answer.corrects_previous else None,
        )
        previous = (await questions.answer(admin, asked["id"], fields))["id"]


PRODUCTS = Path(__file__).parent / "products.json"
"""The demo's catalogue of product cards (invented vendors and products), added by the platform admin."""


async def _seed_products() -> None:
    for card in json.loads(PRODUCTS.read_text(encoding="utf-8")):
        await products.create_card(PLATFORM_ADMIN, ProductCardFields.model_validate(card))


async def seed_demo() -> DemoData:
    """Create the demo organizations, units and AI systems, with revisions, and the catalogue of
    product cards. Call only when empty."""
    files = load_files()  # every file is checked before the first write
    await _seed_products()
    return DemoData(organizations=[await _seed_organization(file, spec) for file, spec in files])
