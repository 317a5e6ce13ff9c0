"""The compliance checks: pure rules over one AI system's document and its context."""

from registry.obligations.rules.engine import (
    RULES,
    RULES_BY_ID,
    Context,
    Finding,
    Rule,
    Severity,
    evaluate,
    is_high_risk,
    rule_catalogue,
)

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Context",
    "Finding",
    "Rule",
    "Severity",
    "evaluate",
    "is_high_risk",
    "rule_catalogue",
]
