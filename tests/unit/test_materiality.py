"""Which changes of an AI system are material, and which event each change sends."""

from __future__ import annotations

from typing import Any

import pytest

from registry.events import EventType, system_event
from registry.obligations.materiality import material_reasons

BASE: dict[str, Any] = {
    "category": "decision_support",
    "control_measure": False,
    "status": "pilot",
    "data_categories": ["contact"],
    "special_categories": [],
    "access": [{"role": "leder", "scope": "aggregate", "purpose": "planlægning"}],
    "automated_decision": "supports_human",
    "unit_ids": ["u1"],
    "description": "Før",
}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"category": "monitoring"}, "category_became_monitoring"),
        ({"control_measure": True}, "control_measure_turned_on"),
        ({"data_categories": ["contact", "location"]}, "data_category_added"),
        (
            {"data_categories": ["contact", "health"], "special_categories": ["health"]},
            "special_category_added",
        ),
        (
            {"access": [{"role": "leder", "scope": "individual", "purpose": "opfølgning"}]},
            "access_widened_to_individual",
        ),
        ({"automated_decision": "fully_automated"}, "became_fully_automated"),
        ({"unit_ids": ["u1", "u2"]}, "new_units_affected"),
        ({"status": "in_use"}, "went_into_use"),
        ({"description": "Efter"}, "purpose_changed"),
        ({"purpose": "Nyt formål"}, "purpose_changed"),
        ({"usage_policy": {"expected_use": "Også til bonus"}}, "purpose_changed"),
        ({"vendor": "Ny leverandør A/S"}, "vendor_or_product_changed"),
        ({"product": "Version 5 med ny model"}, "vendor_or_product_changed"),
        ({"retention": {"period_days": 730}}, "retention_longer"),
        ({"access": [*BASE["access"], {"role": "HR", "scope": "aggregate"}]}, "new_access"),
        ({"operated_by": "third_party", "operator_name": "Speditør A/S"}, "operator_changed"),
        ({"significant_effect": True}, "significant_effect_stated"),
        ({"ai_act": {"risk_class": "high_risk"}}, "risk_class_raised"),
        ({"ai_act": {"risk_class": "minimal", "emotion_recognition": True}}, "emotion_recognition_turned_on"),
        ({"ai_act": {"risk_class": "minimal", "profiling": True}}, "profiling_turned_on"),
        ({"automated_decision": "supports_human"}, "decisions_supported"),
    ],
)
def test_each_rule_fires_on_its_change(change: dict[str, Any], reason: str) -> None:
    before = {**BASE, "retention": {"period_days": 365}, "ai_act": {"risk_class": "minimal"}}
    if reason == "decisions_supported":
        before["automated_decision"] = "none"
    assert reason in material_reasons(before, {**before, **change})


def test_a_pilot_starting_is_material() -> None:
    planned = {**BASE, "status": "planned"}
    assert material_reasons(planned, BASE) == ["pilot_started"]
    assert material_reasons(None, BASE) == ["pilot_started"]  # registered as a pilot


@pytest.mark.parametrize(
    "change",
    [
        {"data_categories": []},  # removing data is not material
        {"unit_ids": []},
        {"control_measure": False},
        {"status": "suspended"},
        {"access": []},
        {"retention": {"period_days": 30}},  # kept shorter
        {"contact": {"name": "Ny kontakt"}},
    ],
)
def test_changes_that_do_not_widen_anything_are_not_material(change: dict[str, Any]) -> None:
    assert material_reasons(BASE, {**BASE, **change}) == []


def test_staying_in_use_or_monitoring_is_not_a_new_reason() -> None:
    before = {**BASE, "status": "in_use", "category": "monitoring"}
    assert material_reasons(before, {**before, "affected_headcount": 12}) == []


def test_a_new_system_is_material_when_registered_in_use() -> None:
    assert material_reasons(None, {**BASE, "status": "in_use"}) == ["went_into_use"]
    assert material_reasons(None, {**BASE, "status": "planned"}) == []


@pytest.mark.parametrize(
    ("previous", "status", "expected"),
    [
        (None, "pilot", EventType.system_registered),
        (None, "retired", EventType.system_registered),
        ("pilot", "pilot", EventType.system_updated),
        ("pilot", "in_use", EventType.system_status_changed),
        ("in_use", "retired", EventType.system_retired),
        ("retired", "retired", EventType.system_updated),
    ],
)
def test_a_change_sends_its_most_specific_event(
    previous: str | None, status: str, expected: EventType
) -> None:
    event = system_event(
        "org",
        "sys",
        2,
        previous_status=previous,
        status=status,
        changed_fields=["status"],
        material_reasons=[],
    )
    assert event.type is expected
    assert event.id.startswith("msg_")
    assert event.data["material"] is False
