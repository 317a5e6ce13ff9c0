"""Whether a change of an AI system is material: the kind of change that calls for a new APV
assessment, a new notice and a new consultation (shared/domain.md §1-§3). Pure functions.

Each rule looks at the previous and the new document and, when it fires, names its reason. A change
is material when at least one rule fires; the reasons are kept with the revision and the event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Document = dict[str, Any]
Rule = Callable[[Document, Document], bool]


def _set(document: Document, name: str) -> set[Any]:
    return set(document.get(name) or [])


def _individual_access(document: Document) -> set[str]:
    return {
        str(entry.get("role"))
        for entry in document.get("access") or []
        if isinstance(entry, dict) and entry.get("scope") == "individual"
    }


RULES: dict[str, Rule] = {
    "category_became_monitoring": lambda old, new: (
        new.get("category") == "monitoring" and old.get("category") != "monitoring"
    ),
    "control_measure_turned_on": lambda old, new: (
        bool(new.get("control_measure")) and not old.get("control_measure")
    ),
    "data_category_added": lambda old, new: bool(_set(new, "data_categories") - _set(old, "data_categories")),
    "special_category_added": lambda old, new: bool(
        _set(new, "special_categories") - _set(old, "special_categories")
    ),
    "access_widened_to_individual": lambda old, new: bool(_individual_access(new) - _individual_access(old)),
    "became_fully_automated": lambda old, new: (
        new.get("automated_decision") == "fully_automated"
        and old.get("automated_decision") != "fully_automated"
    ),
    "new_units_affected": lambda old, new: bool(_set(new, "unit_ids") - _set(old, "unit_ids")),
    "went_into_use": lambda old, new: new.get("status") == "in_use" and old.get("status") != "in_use",
}


def material_reasons(old: Document | None, new: Document) -> list[str]:
    """The ids of the rules a change fires, in rule order. A new system is material when it is
    registered already in use (it needs the same assessment as one going into use)."""
    if old is None:
        return ["went_into_use"] if new.get("status") == "in_use" else []
    return [rule_id for rule_id, fires in RULES.items() if fires(old, new)]
