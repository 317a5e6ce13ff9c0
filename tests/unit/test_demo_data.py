"""The demo data files (registry/demo/data): each loads, each system and each revision is one the services
accept, every unit key refers to a unit of the same file and the units form a tree. A broken file fails
with an error naming the file and the place. The files are read here on their own too, not only through
the loader's checks, so a gap in those checks does not hide a broken file."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from registry.demo.files import DATA_DIR, DemoDataError, check_file, load_files
from registry.systems.models import SystemFields

FILES = sorted(DATA_DIR.glob("*.json"))


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _stand_ins(data: dict[str, Any]) -> dict[str, str]:
    return {unit["key"]: str(uuid.uuid4()) for unit in data["units"]}


def _with_stand_ins(fields: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    if "unit_ids" not in fields:
        return fields
    return {**fields, "unit_ids": [ids[key] for key in fields["unit_ids"]]}


def test_the_organizations_load_in_their_order() -> None:
    loaded = load_files()
    assert [file for file, _ in loaded] == [path.name for path in FILES]
    assert [spec.organization.name for _, spec in loaded] == [
        "Fjordby Kommune",
        "Region Østerdal",
        "Nordlys Energi & Service A/S",
        "Tilskudsstyrelsen",
        "Vestjysk Lager & Logistik ApS",
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_a_data_file_loads(path: Path) -> None:
    spec = check_file(path)
    assert spec.units
    assert spec.systems


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_registration_and_every_revision_is_a_valid_ai_system(path: Path) -> None:
    data = _read(path)
    ids = _stand_ins(data)
    for system in data["systems"]:
        current = SystemFields.model_validate(_with_stand_ins(system["fields"], ids))
        for revision in system.get("revisions", []):
            assert revision["change_note"].strip()
            assert set(revision["changes"]) <= set(SystemFields.model_fields), revision["change_note"]
            applied = current.model_dump(mode="json") | _with_stand_ins(revision["changes"], ids)
            current = SystemFields.model_validate(applied)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_unit_key_referred_to_exists(path: Path) -> None:
    data = _read(path)
    keys = [unit["key"] for unit in data["units"]]
    assert len(keys) == len(set(keys)), "unit keys are unique"
    referred = [unit["parent"] for unit in data["units"] if unit.get("parent")]
    referred += data.get("steward_units", [])
    for system in data["systems"]:
        referred += system["fields"].get("unit_ids", [])
        for revision in system.get("revisions", []):
            referred += revision["changes"].get("unit_ids") or []
    assert set(referred) <= set(keys)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_the_units_form_a_tree(path: Path) -> None:
    units = _read(path)["units"]
    parent = {unit["key"]: unit.get("parent") for unit in units}
    assert [key for key, up in parent.items() if up is None] == [units[0]["key"]], "one root, listed first"
    for key in parent:
        seen = [key]
        while (up := parent[seen[-1]]) is not None:
            assert up in parent, f"{seen[-1]}: no unit {up!r}"
            assert up not in seen, f"a cycle through {seen}"
            seen.append(up)
    listed: set[str] = set()
    for unit in units:  # the loader creates them in this order, so parents come first
        assert unit.get("parent") is None or unit["parent"] in listed, unit["key"]
        listed.add(unit["key"])


def _broken(tmp_path: Path, change: Any) -> str:
    data = copy.deepcopy(_read(FILES[0]))
    change(data)
    (tmp_path / "01-broken.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DemoDataError) as caught:
        load_files(tmp_path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("organization"), "01-broken.json: organization: Field required"),
        (
            lambda d: d["systems"][0]["revisions"][1].pop("change_note"),
            "01-broken.json: systems.0.revisions.1.change_note: Field required",
        ),
        (
            lambda d: d["systems"][1]["fields"].update(unit_ids=["vej_park", "havnen"]),
            "01-broken.json: systems.1.fields.unit_ids: not keys of units in this file: ['havnen']",
        ),
        (
            lambda d: d["systems"][0]["revisions"][0]["changes"].update(unit_ids=["havnen"]),
            "01-broken.json: systems.0.revisions.0.changes.unit_ids: not keys of units in this file",
        ),
        (
            lambda d: d["systems"][0]["revisions"][0]["changes"].update(colour="rød"),
            "01-broken.json: systems.0.revisions.0.changes: not fields of an AI system: ['colour']",
        ),
        (
            lambda d: d["systems"][0]["fields"].update(colour="rød"),
            "01-broken.json: systems.0.fields.colour: Extra inputs are not permitted",
        ),
        (
            lambda d: d["systems"][0]["revisions"][0]["changes"].update(status="live"),
            "01-broken.json: systems.0.revisions.0, once applied: status: Input should be",
        ),
        (
            lambda d: d["units"][2].update(parent="havnen"),
            "01-broken.json: units.2.parent: 'havnen' is no unit listed before it",
        ),
        (
            lambda d: d["units"][2].update(key="hoved_med"),
            "01-broken.json: units.2.key: 'hoved_med' is the key of an earlier unit",
        ),
        (
            lambda d: d.update(steward_units=["havnen"]),
            "01-broken.json: steward_units: not keys of units in this file: ['havnen']",
        ),
    ],
    ids=[
        "missing organization",
        "missing change note",
        "unknown unit key in a registration",
        "unknown unit key in a revision",
        "revision names a field no AI system has",
        "registration names a field no AI system has",
        "revision leaves an invalid system",
        "unknown parent",
        "unit key used twice",
        "unknown steward unit",
    ],
)
def test_a_broken_file_names_the_file_and_the_place(tmp_path: Path, change: Any, message: str) -> None:
    assert message in _broken(tmp_path, change)


def test_a_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "01-broken.json").write_text('{"domain": ,}', encoding="utf-8")
    with pytest.raises(DemoDataError, match=r"^01-broken\.json: Invalid JSON"):
        load_files(tmp_path)


def test_files_are_named_for_their_order(tmp_path: Path) -> None:
    (tmp_path / "fjordby.json").write_text(FILES[0].read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DemoDataError, match=r"NN-name\.json"):
        load_files(tmp_path)
