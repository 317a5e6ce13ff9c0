"""Whether a change of an AI system is material: the kind of change that calls for a revision of the
APV, a new notice and a new consultation (shared/domain.md §1-§3; shared/legal-review.md §1.4). Pure
functions. The employer can also mark a change material (registry/systems/service.py, `stated_material`).

Each rule looks at the previous and the new document and, when it fires, names its reason. A change
is material when at least one rule fires; the reasons are kept with the revision and the event."""

from __future__ import annotations

import difflib
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


def _changed(name: str) -> Rule:
    return lambda old, new: (old.get(name) or None) != (new.get(name) or None)


def _nested(document: Document, name: str, key: str) -> Any:
    value = document.get(name)
    return value.get(key) if isinstance(value, dict) else None


def _roles(document: Document) -> set[str]:
    return {str(entry.get("role")) for entry in document.get("access") or [] if isinstance(entry, dict)}


# Higher is more: a change upwards is material. An unknown class sits between limited and high.
RISK_RANK = {"minimal": 0, "limited": 1, "unknown": 2, "high_risk": 3, "prohibited": 4}


def _risk(document: Document) -> int:
    return RISK_RANK.get(str(_nested(document, "ai_act", "risk_class") or "unknown"), 2)


def _turned_on(name: str, key: str) -> Rule:
    return lambda old, new: _nested(new, name, key) is True and _nested(old, name, key) is not True


def _longer_retention(old: Document, new: Document) -> bool:
    before, after = _nested(old, "retention", "period_days"), _nested(new, "retention", "period_days")
    return isinstance(after, int) and isinstance(before, int) and after > before


REWORDED = 0.9
"""A description changed less than this (difflib's similarity of the two texts) is a correction of its
wording, not a new description: a typo fixed opens no APV revision. Purpose, operational reason and the
expected use are material at any change: one word there ("ikke") can change what the data is for."""


def _described_anew(old: Document, new: Document) -> bool:
    before, after = old.get("description") or "", new.get("description") or ""
    if before == after:
        return False
    return difflib.SequenceMatcher(None, before, after).ratio() < REWORDED


RULES: dict[str, Rule] = {
    "purpose_changed": lambda old, new: (
        any(_changed(name)(old, new) for name in ("purpose", "operational_reason"))
        or _described_anew(old, new)
        or _nested(old, "usage_policy", "expected_use") != _nested(new, "usage_policy", "expected_use")
    ),
    "vendor_or_product_changed": lambda old, new: (
        _changed("vendor")(old, new) or _changed("product")(old, new)
    ),
    "retention_longer": _longer_retention,
    "new_access": lambda old, new: bool(_roles(new) - _roles(old)),
    "operator_changed": lambda old, new: (
        _changed("operated_by")(old, new) or _changed("operator_name")(old, new)
    ),
    "significant_effect_stated": lambda old, new: (
        new.get("significant_effect") is True and old.get("significant_effect") is not True
    ),
    "risk_class_raised": lambda old, new: _risk(new) > _risk(old),
    "emotion_recognition_turned_on": _turned_on("ai_act", "emotion_recognition"),
    "profiling_turned_on": _turned_on("ai_act", "profiling"),
    "decisions_supported": lambda old, new: (
        new.get("automated_decision") == "supports_human" and old.get("automated_decision") in (None, "none")
    ),
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
    # A pilot means employees already use the system: the APV is made before the work changes.
    "pilot_started": lambda old, new: new.get("status") == "pilot" and old.get("status") in (None, "planned"),
}


def material_reasons(old: Document | None, new: Document) -> list[str]:
    """The ids of the rules a change fires, in rule order. A new system is material when it is
    registered already in use or in a pilot (it needs the same assessment as one going into use)."""
    if old is None:
        return {"in_use": ["went_into_use"], "pilot": ["pilot_started"]}.get(str(new.get("status")), [])
    return [rule_id for rule_id, fires in RULES.items() if fires(old, new)]
