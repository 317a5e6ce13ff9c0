"""Compliance findings: the checks of shared/domain.md §7 as pure rules over one AI-system document.

A rule looks at the document (the JSON dict of `SystemFields` plus `special_categories`, `id`, ...)
and a `Context` (today, the organization's sector and notice period, APV facts, settings) and reports
at most one `Finding`: a rule id, a severity, a `Message` (a key of the catalogues and the values it
puts in words: dates, counts, ids), its legal source and the fields concerned. The words themselves,
in Danish and English, are in the catalogues (api/i18n), so a finding reads in its reader's language.
No database, no HTTP, no clock: `today` comes in the context.

Severity:
- violation: a duty in force is not met; for an AI Act duty only from its effective date in
  `RuleSettings` (before it, the same finding is a warning);
- warning: missing documentation that is recommended, an inference from dates, or a duty not yet in
  force;
- info: a hint, e.g. what to prepare before a planned system goes live.

Applicability: retired systems get only the rules about what is left to do after retirement
(`Rule.retired`: the data deleted). Planned systems get only the rules about preparation
(`Rule.planned`), and never a violation (nothing is in service yet): a violation becomes a warning.
Pilot, in-use and suspended systems are in operation. Dates are compared only when both are present.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from registry.obligations.settings import RuleSettings
from registry.systems.models import SPECIAL_CATEGORIES

Document = dict[str, Any]


class Severity(StrEnum):
    info = "info"
    warning = "warning"
    violation = "violation"


@dataclass(frozen=True, slots=True)
class Message:
    """A text of the catalogues by its key (`finding.<rule>.<case>`) and the values it puts in words.

    Values are dates, numbers, ids of a vocabulary, texts stated by the employer, None (nothing), other
    Messages (parts of a sentence) or lists of them; never a sentence in Danish or English. `to_json`
    is how a finding keeps it: dates as ISO dates, Messages as {"key", "params"}."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "params": {name: _json(value) for name, value in self.params.items()}}


def _json(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_json()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    return value


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: Severity
    message: Message
    source: str
    fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "message": self.message.to_json(),
            "source": self.source,
            "fields": list(self.fields),
        }


@dataclass(frozen=True, slots=True)
class Change:
    """A material change of the system after its registration: its version, the day it took effect at
    the workplace and the materiality rules it fired."""

    version: int
    effective_at: date
    reasons: tuple[str, ...]

    @property
    def changes_what_it_does(self) -> bool:
        """More than a status: a system going into use, or a pilot starting, is what the notice, the
        DPIA and the FRIA made before go-live were made for."""
        return bool(set(self.reasons) - STATUS_REASONS)


STATUS_REASONS = frozenset({"went_into_use", "pilot_started"})

Entry = Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class Context:
    """What the rules need beyond the document. Build it once per organization and day."""

    today: date
    sector: str  # "private" | "public"
    notice_period_days: int
    employer_type: str | None = None  # private | municipal | regional | state; None: not stated
    cooperation_body: str | None = None  # SU | MED | state-SU | TR (no committee: the shop steward)
    # The material changes after registration, oldest first (registry/systems/tables.py SystemRevision).
    changes: tuple[Change, ...] = ()
    # The histories (registry/systems/records.py), oldest first. Empty: the rules read the document's
    # own notice, consultation and workers_informed_at (a document evaluated on its own).
    notices: tuple[Entry, ...] = ()
    consultations: tuple[Entry, ...] = ()
    worker_information: tuple[Entry, ...] = ()
    # Date of the latest material change that changed what the system does (see Change); the builder
    # of the context derives it from `changes`, a test may state it alone.
    latest_material_change: date | None = None
    apv_overdue: bool = False  # an open APV reassessment of the system is past its due date
    apv_completed_without_amo: bool = False  # the latest completed reassessment had no AMO participation
    last_apv_completed: date | None = None  # completion date of the latest APV reassessment
    # The product cards the organization's systems were filled in from: id -> {"version", "name"}.
    product_cards: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    settings: RuleSettings


class Hit(NamedTuple):
    """What a check reports; the rule adds its id (and its source unless the hit names one)."""

    severity: Severity
    message: Message
    fields: tuple[str, ...]
    source: str | None = None


Check = Callable[[Document, Context], Hit | None]


@dataclass(frozen=True)
class Rule:
    """A check with its id, the number of its check in shared/domain.md §7 and its legal source (in
    Danish, as the register cites it). What it checks, in words: the catalogues' `rule.<id>`."""

    id: str
    check_no: int
    source: str
    check: Check
    planned: bool = True  # also applies to planned systems (it is about preparation)
    retired: bool = False  # applies to retired systems (and only to them: what is left to do)


def evaluate(document: Document, context: Context, rules: Iterable[Rule]) -> list[Finding]:
    """All findings of one system, in rule order."""
    status = document.get("status")
    retired = status == "retired"
    planned = status == "planned"
    findings: list[Finding] = []
    for rule in rules:
        if rule.retired != retired or (planned and not rule.planned):
            continue
        hit = rule.check(document, context)
        if hit is None:
            continue
        severity = hit.severity
        if planned and severity is Severity.violation:
            severity = Severity.warning
        findings.append(Finding(rule.id, severity, hit.message, hit.source or rule.source, hit.fields))
    return findings


# --- reading a document ---------------------------------------------------------------------------

_EMPTY: dict[str, Any] = {}
_SPECIAL = frozenset(SPECIAL_CATEGORIES)
_NOT_IN_OPERATION = frozenset({"planned", "retired"})


def day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def shift(moment: date, days: int) -> date:
    """`moment` moved by `days`, never past the calendar's ends: whatever a stored date holds (an
    earlier release accepted year 1 and year 9999), a rule's arithmetic cannot overflow."""
    try:
        return moment + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def sub(document: Document, name: str) -> dict[str, Any]:
    value = document.get(name)
    return value if isinstance(value, dict) else _EMPTY


def in_operation(document: Document) -> bool:
    return document.get("status") not in _NOT_IN_OPERATION


def is_high_risk(document: Document) -> bool:
    """High-risk under the AI Act as the register reads it (domain.md §5): classified high-risk, an
    Annex I product (Art. 6(1)), an Annex III point 4 (employment) system, or an Annex III system
    that profiles natural persons (Art. 6(3), last subparagraph). Profiling alone is not enough."""
    ai_act = sub(document, "ai_act")
    point = ai_act.get("annex_iii_point")
    point = point if isinstance(point, str) else ""
    return (
        ai_act.get("risk_class") == "high_risk"
        or ai_act.get("annex_i_product") is True
        or (bool(point) and (point.startswith("4") or ai_act.get("profiling") is True))
    )


def annex_iii(document: Document) -> bool:
    """A high-risk system under Annex III (Art. 6(2)), not an Annex I product."""
    ai_act = sub(document, "ai_act")
    return is_high_risk(document) and ai_act.get("annex_i_product") is not True


def monitors(document: Document) -> bool:
    return document.get("category") == "monitoring" or bool(document.get("control_measure"))


def special_categories(document: Document) -> list[str]:
    present = set(document.get("special_categories") or ())
    present.update(c for c in document.get("data_categories") or () if c in _SPECIAL)
    return [c for c in SPECIAL_CATEGORIES if c in present]


def processes_personal_data(document: Document) -> bool:
    return bool(document.get("data_categories")) or monitors(document)


def current(entries: Iterable[Entry]) -> list[Entry]:
    """The entries of a history that stand: those no later entry replaces."""
    entries = list(entries)
    replaced = {entry.get("replaces") for entry in entries if entry.get("replaces")}
    return [entry for entry in entries if entry.get("id") not in replaced]


def notices(document: Document, context: Context) -> list[Entry]:
    """The system's notices that stand, oldest first (the document's own notice when the context has
    no history: it is then the notice for the system as first put into use)."""
    if context.notices:
        return current(context.notices)
    notice = sub(document, "notice")
    if not notice:
        return []
    entry: dict[str, Any] = {"given_at": notice.get("given_at"), "covers_version": None}
    if notice.get("exception_reason") or notice.get("late_notice_at"):
        entry["exception"] = {
            "reason": notice.get("exception_reason"),
            "late_notice_at": notice.get("late_notice_at"),
        }
    return [entry]


def consultations(document: Document, context: Context) -> list[Entry]:
    if context.consultations:
        return current(context.consultations)
    consultation = sub(document, "consultation")
    return [consultation] if consultation else []


def informed(document: Document, context: Context, party: str) -> list[date]:
    """The days `party` (representatives or workers) was informed, from the workers' information
    history (else the document's workers_informed_at, for the workers)."""
    if context.worker_information:
        return [
            d
            for entry in current(context.worker_information)
            if entry.get("party") == party and (d := day(entry.get("informed_at"))) is not None
        ]
    if party == "workers" and (d := day(document.get("workers_informed_at"))) is not None:
        return [d]
    return []


def committee_informed(document: Document, context: Context) -> date | None:
    """The earliest day the cooperation committee (SU or MED) was informed."""
    dates = [d for c in consultations(document, context) if (d := day(c.get("informed_at"))) is not None]
    return min(dates) if dates else None


def representatives_informed(document: Document, context: Context) -> date | None:
    """The earliest day the employees' representatives were informed: the committee, or the shop
    steward or other representatives directly. Information of the workers themselves is not this."""
    dates = informed(document, context, "representatives")
    if (committee_day := committee_informed(document, context)) is not None:
        dates.append(committee_day)
    return min(dates) if dates else None


def committee(document: Document, context: Context) -> dict[str, Any]:
    """Who represents the employees for a briefing: the committee stated, else the employer's usual
    one (the catalogues' `who` format puts it in words)."""
    stated = [c.get("committee") for c in consultations(document, context) if c.get("committee")]
    usual = "steward" if context.cooperation_body == "TR" else context.employer_type or context.sector
    return {"committee": stated[-1] if stated else None, "sector": usual}


# --- severities by dates --------------------------------------------------------------------------


def by_date(today: date, effective: date) -> Severity:
    """A duty with an effective date: a warning before it, a violation on and after it."""
    return Severity.violation if today >= effective else Severity.warning


def not_yet(today: date, effective: date) -> date | None:
    """The effective date while it lies ahead (the text then says when the duty applies from)."""
    return effective if today < effective else None


def ahead(severity: Severity, moment: date, today: date) -> Severity:
    """A breach that lies in the future (a planned date) is a warning: it can still be avoided."""
    if moment > today and severity is Severity.violation:
        return Severity.warning
    return severity


def before_deadline(last_day_on_time: date | None, today: date) -> Severity:
    """Something still to do before go-live: a hint while there is time, a warning once it is late."""
    if last_day_on_time is not None and today > last_day_on_time:
        return Severity.warning
    return Severity.info


__all__ = [
    "Change",
    "Check",
    "Context",
    "Document",
    "Finding",
    "Hit",
    "Message",
    "Rule",
    "Severity",
    "evaluate",
    "is_high_risk",
]
