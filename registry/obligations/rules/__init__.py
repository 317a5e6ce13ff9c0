"""The compliance checks: pure rules over one AI system's document and its context (engine.py), one
module of checks per area of law (checks/), and the catalogue of rules (catalogue.py)."""

from collections.abc import Iterable

from registry.obligations.rules.catalogue import RULES, RULES_BY_ID, rule_catalogue
from registry.obligations.rules.engine import (
    Change,
    Context,
    Document,
    Finding,
    Message,
    Rule,
    Severity,
    is_high_risk,
)
from registry.obligations.rules.engine import evaluate as _evaluate


def evaluate(document: Document, context: Context, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """All findings of one system, in rule order (by default, of every rule)."""
    return _evaluate(document, context, rules)


__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Change",
    "Context",
    "Finding",
    "Message",
    "Rule",
    "Severity",
    "evaluate",
    "is_high_risk",
    "rule_catalogue",
]
