"""Pure rules: CVR check, contradictions, field diffs, cursors, If-Match and TTL parsing."""

from __future__ import annotations

import argparse
import uuid

import pytest

from api.cli import parse_ttl
from api.controllers.systems import parse_if_match
from registry.errors import InvalidQuery, field_path
from registry.organizations.models import cvr_is_valid
from registry.pagination import Position, decode_cursor, encode_cursor
from registry.systems.consistency import contradictions
from registry.systems.history import changed_field_names, field_changes
from registry.systems.models import special_categories_of


@pytest.mark.parametrize(
    ("cvr", "valid"),
    [
        ("29189919", True),
        ("10150817", True),
        ("29189918", False),
        ("12345678", False),
        ("01234567", False),
        ("1234567", False),
        ("123456789", False),
        ("2918991a", False),
    ],
)
def test_cvr_modulus_11(cvr: str, valid: bool) -> None:
    assert cvr_is_valid(cvr) is valid


def test_special_categories_are_derived_in_vocabulary_order() -> None:
    assert special_categories_of(["location", "genetic", "health", "voice"]) == ["health", "genetic"]
    assert special_categories_of([]) == []


def test_contradictions() -> None:
    ok = {"status": "retired", "go_live_at": "2024-01-01", "retired_at": "2025-01-01"}
    assert contradictions(ok) == []
    problems = contradictions(
        {
            "status": "in_use",
            "go_live_at": "2025-01-01",
            "retired_at": "2024-01-01",
            "consultation": {"informed_at": "2025-02-01", "decided_at": "2025-01-01"},
            "notice": {"given_at": "2025-03-01", "late_notice_at": "2025-02-01"},
        }
    )
    assert [(p.field, p.reason) for p in problems] == [
        ("retired_at", "is before go_live_at"),
        ("retired_at", "is set, but status is not retired"),
        ("consultation.decided_at", "is before consultation.informed_at"),
        ("notice.late_notice_at", "is before notice.given_at"),
    ]


def test_field_changes_go_one_level_into_objects() -> None:
    old = {"name": "A", "dpia": {"status": "done", "date": "2025-01-01"}, "unit_ids": ["u1"]}
    new = {"name": "A", "dpia": {"status": "done", "date": "2025-02-01"}, "unit_ids": ["u1", "u2"]}
    assert field_changes(old, new) == [
        {"field": "unit_ids", "old": ["u1"], "new": ["u1", "u2"]},
        {"field": "dpia.date", "old": "2025-01-01", "new": "2025-02-01"},
    ]  # in the order of the field list
    assert changed_field_names(old, new) == ["unit_ids", "dpia"]


def test_notices_consultations_and_workers_information_are_histories_not_versioned_fields() -> None:
    old = {"name": "A", "notice": {"given_at": "2025-01-01"}, "workers_informed_at": None}
    new = {"name": "A", "notice": {"given_at": "2025-02-01"}, "workers_informed_at": "2025-02-02"}
    assert field_changes(old, new) == []
    assert changed_field_names(None, {"name": "A"}) == ["name"]
    assert field_changes(new, new) == []


def test_cursor_round_trip_and_garbage() -> None:
    position = Position(sort_key=1_700_000_000_000_000, item_id=uuid.uuid4())
    assert decode_cursor(encode_cursor(position)) == position
    for garbage in ("", "abc", "bm90IGpzb24", encode_cursor(position)[:-3], "W10", "x" * 500):
        with pytest.raises(InvalidQuery):
            decode_cursor(garbage)


def test_if_match_parsing() -> None:
    assert parse_if_match(None) is None
    assert parse_if_match('"3"') == [3]
    assert parse_if_match('W/"3", "4"') == [3, 4]
    assert parse_if_match("*") == []


def test_ttl_parsing() -> None:
    assert parse_ttl("90m") == 5400
    assert parse_ttl("8h") == 28800
    assert parse_ttl("3600") == 3600
    for bad in ("0", "-1h", "1y", "400d", "h"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_ttl(bad)


def test_field_path() -> None:
    assert field_path(["access", "0", "scope"]) == "access[0].scope"
    assert field_path(["name"]) == "name"
    assert field_path(("ai_act", "risk_class")) == "ai_act.risk_class"
    assert field_path(("unit_ids", 2)) == "unit_ids[2]"


def test_an_empty_list_and_no_value_are_the_same_statement() -> None:
    assert field_changes({"access": None, "unit_ids": []}, {"access": [], "unit_ids": None}) == []
    assert changed_field_names(None, {"name": "A", "access": [], "data_categories": ["voice"]}) == [
        "name",
        "data_categories",
    ]
