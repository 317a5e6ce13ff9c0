"""The demo data files: their format (DemoFile), their order, and the checks they pass before anything
is seeded. A mistake raises DemoDataError naming the file and the place (a dotted path into the file)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from registry.fields import Day, Strict
from registry.obligations.models import AmoParticipation
from registry.organizations.models import OrganizationFields, UnitFields
from registry.questions.models import AnswerFields, QuestionFields
from registry.systems.models import SystemFields
from registry.systems.records import FIELDS_OF, RecordKind

LATEST = "latest"  # a record's `replaces`: the latest entry of its history so far

DATA_DIR = Path(__file__).parent / "data"


class DemoDataError(ValueError):
    """A data file that cannot be seeded; the message names the file and the place."""


class DemoUnit(UnitFields):
    key: str  # what systems and steward_units refer to
    parent: str | None = None  # the parent's key
    parent_id: None = None  # set when seeded


class DemoRecord(Strict):
    """An entry of a history (registry/systems/records.py): `kind` and its fields. Recorded after the
    registration or revision it is listed under; it covers that version unless it says otherwise
    (`covers_version`: null is the system as first put into use). `replaces: "latest"` names the
    latest entry of its history so far."""

    kind: RecordKind
    entry: dict[str, Any]


class DemoApvCompletion(Strict):
    """The system's open APV revisions completed, on the day of the story, with the AMO."""

    completed_on: Day
    amo_participation: AmoParticipation
    findings: str | None = None


class DemoRevision(Strict):
    change_note: str
    effective_at: Day  # the day of the story: when the change took effect
    material: bool = False
    changes: dict[str, Any]  # the top-level fields of the AI system it replaces
    records: list[DemoRecord] = []
    apv_completed: DemoApvCompletion | None = None  # after the change and its records


class DemoAnswer(AnswerFields):
    corrects_previous: bool = False  # corrects the answer before it (ids are made when seeded)


class DemoQuestion(QuestionFields):
    """A steward's question or correction, asked after the system's history is seeded, with
    management's answers in order."""

    answers: list[DemoAnswer] = []


class DemoSystem(Strict):
    registration_note: str = "Registreret i AI-registret"
    effective_at: Day  # when the registration took effect (the system as first recorded)
    fields: dict[str, Any]  # the registration; unit_ids hold unit keys
    records: list[DemoRecord] = []  # recorded right after the registration
    revisions: list[DemoRevision] = []
    questions: list[DemoQuestion] = []


class DemoFile(Strict):
    domain: str  # the employer admin who writes the register is hr@<domain>
    organization: OrganizationFields
    units: list[DemoUnit]  # parents before their children
    steward_units: list[str] = []  # keys of the units a demo steward limited to units gets
    systems: list[DemoSystem]


def _validated(model: type[Strict], data: Any, where: str) -> Any:
    try:
        return model.model_validate_json(data) if isinstance(data, str) else model.model_validate(data)
    except ValidationError as exc:
        places = (f"{where}{'.'.join(map(str, e['loc']))}".rstrip(": ") for e in exc.errors())
        problems = (f"{place}: {e['msg']}" for place, e in zip(places, exc.errors(), strict=True))
        raise DemoDataError("; ".join(problems)) from None


def with_unit_ids(fields: dict[str, Any], ids: dict[str, str], where: str) -> dict[str, Any]:
    """`fields` with the unit keys in unit_ids replaced by the ids in `ids`."""
    keys = fields.get("unit_ids")
    if not isinstance(keys, list):
        return fields  # absent, or not a list, which SystemFields reports
    if unknown := [key for key in keys if str(key) not in ids]:
        raise DemoDataError(f"{where}.unit_ids: not keys of units in this file: {unknown}")
    return fields | {"unit_ids": [ids[str(key)] for key in keys]}


def resolved_systems(file: str, spec: DemoFile, ids: dict[str, str]) -> list[tuple[SystemFields, DemoSystem]]:
    """Each system's registration, and the system with its unit keys replaced by `ids`; every revision is
    checked as the service will check it: it names only fields of an AI system and leaves a valid one."""
    resolved = []
    for s, system in enumerate(spec.systems):
        at = f"{file}: systems.{s}"
        fields = with_unit_ids(system.fields, ids, f"{at}.fields")
        current = registration = _validated(SystemFields, fields, f"{at}.fields.")
        revisions = []
        for r, rev in enumerate(system.revisions):
            if unknown := [name for name in rev.changes if name not in SystemFields.model_fields]:
                raise DemoDataError(f"{at}.revisions.{r}.changes: not fields of an AI system: {unknown}")
            changes = with_unit_ids(rev.changes, ids, f"{at}.revisions.{r}.changes")
            merged = current.model_dump(mode="json") | changes
            current = _validated(SystemFields, merged, f"{at}.revisions.{r}, once applied: ")
            revisions.append(rev.model_copy(update={"changes": changes}))
        _check_records(system.records, None, f"{at}.records")
        for r, rev in enumerate(system.revisions):
            _check_records(rev.records, r + 2, f"{at}.revisions.{r}.records")
        resolved.append((registration, system.model_copy(update={"revisions": revisions})))
    return resolved


def record_entry(record: DemoRecord, version: int | None, latest: str | None) -> dict[str, Any]:
    """A record's entry as the service takes it: the version it covers and what it replaces filled in."""
    entry = dict(record.entry)
    entry.setdefault("covers_version", version)
    if entry.get("replaces") == LATEST:
        entry["replaces"] = latest
    return entry


def _check_records(records: list[DemoRecord], version: int | None, where: str) -> None:
    for i, record in enumerate(records):
        entry = record_entry(record, version, str(uuid.UUID(int=i)))
        _validated(FIELDS_OF[RecordKind(record.kind)], entry, f"{where}.{i}.entry.")


def check_file(path: Path) -> DemoFile:
    """Read one data file and check it, with stand-ins for the unit ids that seeding creates."""
    spec: DemoFile = _validated(DemoFile, path.read_text(encoding="utf-8"), f"{path.name}: ")
    ids: dict[str, str] = {}
    for i, unit in enumerate(spec.units):
        if unit.key in ids:
            raise DemoDataError(f"{path.name}: units.{i}.key: {unit.key!r} is the key of an earlier unit")
        if unit.parent and unit.parent not in ids:
            raise DemoDataError(f"{path.name}: units.{i}.parent: {unit.parent!r} is no unit listed before it")
        ids[unit.key] = str(uuid.uuid5(uuid.NAMESPACE_URL, unit.key))
    if unknown := [key for key in spec.steward_units if key not in ids]:
        raise DemoDataError(f"{path.name}: steward_units: not keys of units in this file: {unknown}")
    resolved_systems(path.name, spec, ids)
    return spec


def load_files(directory: Path = DATA_DIR) -> list[tuple[str, DemoFile]]:
    """Every data file, checked, in the order they are seeded: the order of their names, NN-name.json."""
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise DemoDataError(f"{directory}: no data files")
    if misnamed := [path.name for path in paths if not re.fullmatch(r"\d\d-[a-z0-9-]+\.json", path.name)]:
        raise DemoDataError(f"{misnamed}: name data files NN-name.json; NN sets the order of seeding")
    return [(path.name, check_file(path)) for path in paths]
