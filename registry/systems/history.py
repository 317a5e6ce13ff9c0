"""Field-level differences between two versions of an AI system. Pure functions."""

from __future__ import annotations

from typing import Any

from registry.systems.models import SYSTEM_FIELD_NAMES
from registry.systems.records import LEGACY_FIELDS

# Nested objects are compared key by key ("ai_act.risk_class"); lists and scalars as a whole. Notices,
# consultations and workers' information are histories of their own (registry/systems/records.py):
# the system's read models of them are not versioned fields.
VERSIONED_FIELDS = tuple(name for name in SYSTEM_FIELD_NAMES if name not in LEGACY_FIELDS)
_MISSING = object()


def _flatten(document: dict[str, Any] | None) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    if document is None:
        return flat
    for name in VERSIONED_FIELDS:
        value = document.get(name)
        if isinstance(value, dict):
            for key, inner in value.items():
                flat[f"{name}.{key}"] = inner
        else:
            flat[name] = value
    return flat


def _absent(value: Any) -> bool:
    return value is None or value in ([], {})


def field_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """Each changed field with its old and new value, in the order of the field list. An empty list
    and no value at all are the same statement ("none"), so going from one to the other is no change."""
    before, after = _flatten(old), _flatten(new)
    changes = []
    for key in dict.fromkeys([*before, *after]):
        old_value, new_value = before.get(key), after.get(key)
        if old_value != new_value and not (_absent(old_value) and _absent(new_value)):
            changes.append({"field": key, "old": old_value, "new": new_value})
    return changes


def changed_field_names(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Top-level names of the fields that changed (what a webhook or a revision list shows)."""
    names = [change["field"].split(".", 1)[0] for change in field_changes(old, new)]
    return list(dict.fromkeys(names))
