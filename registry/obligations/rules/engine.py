"""Compliance findings: the checks of shared/domain.md §7 as pure rules over one AI-system document.

A rule looks at the document (the JSON dict of `SystemFields` plus `special_categories`, `id`, ...)
and a `Context` (today, the organization's sector and notice period, APV facts, settings) and reports
at most one `Finding`: a rule id, a severity, a plain-language message in Danish and English, its
legal source and the fields concerned. No database, no HTTP, no clock: `today` comes in the context.

Severity:
- violation: a duty in force is not met; for an AI Act duty only from its effective date in
  `RuleSettings` (before it, the same finding is a warning);
- warning: missing documentation that is recommended, an inference from dates, or a duty not yet in
  force;
- info: a hint, e.g. what to prepare before a planned system goes live.

Applicability: retired systems get no findings. Planned systems get only the rules about preparation
(`Rule.planned`), and never a violation (nothing is in service yet): a violation becomes a warning.
Pilot, in-use and suspended systems are in operation. Dates are compared only when both are present.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
class Finding:
    rule_id: str
    severity: Severity
    message_da: str
    message_en: str
    source: str
    fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "message_da": self.message_da,
            "message_en": self.message_en,
            "source": self.source,
            "fields": list(self.fields),
        }


@dataclass(frozen=True, kw_only=True)
class Context:
    """What the rules need beyond the document. Build it once per organization and day."""

    today: date
    sector: str  # "private" | "public"
    notice_period_days: int
    # Date of the latest material revision that changed what the system does, None if none besides
    # registration. Leave out a revision whose only reason is going into use: the notice, the DPIA
    # and the FRIA made before go-live are made for exactly that.
    latest_material_change: date | None = None
    apv_overdue: bool = False  # an open APV reassessment of the system is past its due date
    apv_completed_without_amo: bool = False  # the latest completed reassessment had no AMO participation
    last_apv_completed: date | None = None  # completion date of the latest APV reassessment
    settings: RuleSettings


class Hit(NamedTuple):
    """What a check reports; the rule adds its id (and its source unless the hit names one)."""

    severity: Severity
    message_da: str
    message_en: str
    fields: tuple[str, ...]
    source: str | None = None


Check = Callable[[Document, Context], Hit | None]


@dataclass(frozen=True)
class Rule:
    id: str
    check_no: int  # the number of the check in shared/domain.md §7
    source: str
    description_da: str
    description_en: str
    check: Check
    planned: bool = True  # also applies to planned systems (it is about preparation)


# --- sources --------------------------------------------------------------------------------------

NOTICE_PRIVATE = "DA/LO-aftalen om kontrolforanstaltninger"
NOTICE_PUBLIC = "Aftale om kontrolforanstaltninger (KL/Forhandlingsfællesskabet)"
NOTICE_ANY = f"{NOTICE_PRIVATE}; {NOTICE_PUBLIC}"
BRIEFING_PRIVATE = f"{NOTICE_PRIVATE}; Samarbejdsaftalen (DA/FH)"
BRIEFING_PUBLIC = f"{NOTICE_PUBLIC}; MED-rammeaftalen §§ 6-7"
GDPR = "Databeskyttelsesforordningen (GDPR)"
AI_ACT = "AI-forordningen"
APV = "Arbejdsmiljøloven § 15 a"

# GDPR Art. 22(2): (a) contract, (b) Union or member-state law, (c) explicit consent. The Art. 6 bases
# that can carry such a decision; legitimate interests and vital interests cannot.
ART22_BASES = frozenset({"contract", "legal_obligation", "public_task", "consent"})

SPECIAL_DA = {
    "health": "helbredsoplysninger",
    "biometric": "biometriske data",
    "trade_union_membership": "fagforeningsmæssigt tilhørsforhold",
    "ethnic_origin": "etnisk oprindelse",
    "religion": "religiøs overbevisning",
    "sexual_orientation": "seksuel orientering",
    "political_opinion": "politisk overbevisning",
    "genetic": "genetiske data",
}
SPECIAL_EN = {
    "health": "health data",
    "biometric": "biometric data",
    "trade_union_membership": "trade union membership",
    "ethnic_origin": "ethnic origin",
    "religion": "religious beliefs",
    "sexual_orientation": "sexual orientation",
    "political_opinion": "political opinions",
    "genetic": "genetic data",
}

BASIS_DA = {"legitimate_interests": "legitim interesse", "vital_interests": "vitale interesser"}
BASIS_EN = {"legitimate_interests": "legitimate interests", "vital_interests": "vital interests"}

# --- small helpers --------------------------------------------------------------------------------

_EMPTY: dict[str, Any] = {}
_SPECIAL = frozenset(SPECIAL_CATEGORIES)
_NOT_IN_OPERATION = frozenset({"planned", "retired"})


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _sub(document: Document, name: str) -> dict[str, Any]:
    value = document.get(name)
    return value if isinstance(value, dict) else _EMPTY


def _in_operation(document: Document) -> bool:
    return document.get("status") not in _NOT_IN_OPERATION


def _days_da(n: int) -> str:
    return "1 dag" if n == 1 else f"{n} dage"


def _days_en(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _period_da(days: int) -> str:
    if days % 365 == 0:
        return f"{days // 365} år"
    return _days_da(days)


def _period_en(days: int) -> str:
    if days % 365 == 0:
        years = days // 365
        return "1 year" if years == 1 else f"{years} years"
    return _days_en(days)


def _join_da(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def _join_en(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _by_date(today: date, effective: date) -> Severity:
    """A duty with an effective date: a warning before it, a violation on and after it."""
    return Severity.violation if today >= effective else Severity.warning


def _not_yet_da(today: date, effective: date) -> str:
    return f" Kravet gælder fra {effective}." if today < effective else ""


def _not_yet_en(today: date, effective: date) -> str:
    return f" The duty applies from {effective}." if today < effective else ""


def _ahead(severity: Severity, moment: date, today: date) -> Severity:
    """A breach that lies in the future (a planned date) is a warning: it can still be avoided."""
    if moment > today and severity is Severity.violation:
        return Severity.warning
    return severity


def _before_deadline(last_day_on_time: date | None, today: date) -> Severity:
    """Something still to do before go-live: a hint while there is time, a warning once it is late."""
    if last_day_on_time is not None and today > last_day_on_time:
        return Severity.warning
    return Severity.info


def is_high_risk(document: Document) -> bool:
    """High-risk under the AI Act as the register reads it (domain.md §5): classified high-risk,
    an Annex III point 4 (employment) system, or profiling of natural persons."""
    ai_act = _sub(document, "ai_act")
    point = ai_act.get("annex_iii_point")
    return (
        ai_act.get("risk_class") == "high_risk"
        or (isinstance(point, str) and point.startswith("4"))
        or ai_act.get("profiling") is True
    )


def _monitors(document: Document) -> bool:
    return document.get("category") == "monitoring" or bool(document.get("control_measure"))


def _special_categories(document: Document) -> list[str]:
    present = set(document.get("special_categories") or ())
    present.update(c for c in document.get("data_categories") or () if c in _SPECIAL)
    return [c for c in SPECIAL_CATEGORIES if c in present]


def _processes_personal_data(document: Document) -> bool:
    return bool(document.get("data_categories")) or _monitors(document)


def _representatives_informed(document: Document) -> date | None:
    """The earliest date the employee side (SU/MED, TR or workers' representatives) was informed."""
    dates = [
        d
        for d in (
            _day(_sub(document, "consultation").get("informed_at")),
            _day(document.get("workers_informed_at")),
        )
        if d is not None
    ]
    return min(dates) if dates else None


def _committee_da(document: Document, context: Context) -> str:
    committee = _sub(document, "consultation").get("committee")
    if committee:
        return str(committee)
    if context.sector == "public":
        return "MED-udvalget (eller tillidsrepræsentanten)"
    return "samarbejdsudvalget (eller, hvis der ikke er et, tillidsrepræsentanten)"


def _committee_en(document: Document, context: Context) -> str:
    committee = _sub(document, "consultation").get("committee")
    if committee:
        return str(committee)
    if context.sector == "public":
        return "the MED committee (or the shop steward)"
    return "the cooperation committee (or, if there is none, the shop steward)"


def _notice_source(context: Context) -> str:
    return NOTICE_PUBLIC if context.sector == "public" else NOTICE_PRIVATE


def _briefing_source(context: Context) -> str:
    return BRIEFING_PUBLIC if context.sector == "public" else BRIEFING_PRIVATE


def _exception_claimed(notice: dict[str, Any]) -> bool:
    return bool(notice.get("exception_reason")) or notice.get("late_notice_at") is not None


# --- 1-5: control measures (DA/LO; KL/FF agreement) ------------------------------------------------


def notice_missing(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure"):
        return None
    notice = _sub(document, "notice")
    if notice.get("given_at") is not None or _exception_claimed(notice):
        return None
    period = context.notice_period_days
    source = _notice_source(context)
    fields = ("notice.given_at",)
    if _in_operation(document):
        return Hit(
            Severity.violation,
            "Systemet er en kontrolforanstaltning og er taget i brug, men der er ikke registreret nogen "
            f"varsling. Medarbejderne skal varsles mindst {_days_da(period)} før en kontrolforanstaltning "
            "tages i brug.",
            "The system is a control measure and is in use, but no notice to employees is recorded. "
            f"Employees must be given notice at least {_days_en(period)} before a control measure starts.",
            fields,
            source,
        )
    go_live = _day(document.get("go_live_at"))
    if go_live is None:
        return Hit(
            Severity.info,
            "Systemet er en planlagt kontrolforanstaltning. Husk at varsle medarbejderne mindst "
            f"{_days_da(period)} før det tages i brug.",
            "The system is a planned control measure. Remember to give employees notice at least "
            f"{_days_en(period)} before it starts.",
            fields,
            source,
        )
    deadline = go_live - timedelta(days=period)
    if context.today > deadline:
        return Hit(
            Severity.warning,
            f"Systemet skal efter planen i drift {go_live}, men der er ikke varslet. Varslingen skulle "
            f"senest være givet {deadline} ({_days_da(period)} før). Udskyd starten, eller varsl nu og "
            f"start tidligst {context.today + timedelta(days=period)}.",
            f"The system is planned to go live on {go_live}, but no notice has been given. Notice was due "
            f"by {deadline} ({_days_en(period)} before). Postpone the start, or give notice now and start "
            f"no earlier than {context.today + timedelta(days=period)}.",
            fields,
            source,
        )
    return Hit(
        Severity.info,
        f"Systemet skal efter planen i drift {go_live}. Medarbejderne skal varsles senest {deadline} "
        f"({_days_da(period)} før).",
        f"The system is planned to go live on {go_live}. Employees must be given notice by {deadline} "
        f"({_days_en(period)} before).",
        fields,
        source,
    )


def notice_late(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure"):
        return None
    notice = _sub(document, "notice")
    given, go_live = _day(notice.get("given_at")), _day(document.get("go_live_at"))
    if given is None or go_live is None or _exception_claimed(notice):
        return None
    period = context.notice_period_days
    days = (go_live - given).days
    if days >= period:
        return None
    earliest = given + timedelta(days=period)
    fields = ("go_live_at", "notice.given_at")
    source = _notice_source(context)
    if go_live > context.today:
        return Hit(
            Severity.warning,
            f"Systemet skal efter planen i drift {go_live}, kun {_days_da(days)} efter varslingen den "
            f"{given}; varslingsfristen er {_days_da(period)}. Tidligste start er {earliest}.",
            f"The system is planned to go live on {go_live}, only {_days_en(days)} after the notice of "
            f"{given}; the notice period is {_days_en(period)}. The earliest start is {earliest}.",
            fields,
            source,
        )
    if days < 0:
        return Hit(
            Severity.violation,
            f"Systemet gik i drift {go_live}, {_days_da(-days)} før varslingen den {given}; "
            f"varslingsfristen er {_days_da(period)}.",
            f"The system went live on {go_live}, {_days_en(-days)} before the notice of {given}; "
            f"the notice period is {_days_en(period)}.",
            fields,
            source,
        )
    return Hit(
        Severity.violation,
        f"Systemet gik i drift {go_live}, kun {_days_da(days)} efter varslingen den {given}; "
        f"varslingsfristen er {_days_da(period)}.",
        f"The system went live on {go_live}, only {_days_en(days)} after the notice of {given}; "
        f"the notice period is {_days_en(period)}.",
        fields,
        source,
    )


def exception_incomplete(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure"):
        return None
    notice = _sub(document, "notice")
    if not _exception_claimed(notice):
        return None
    late = _day(notice.get("late_notice_at"))
    source = _notice_source(context)
    if not notice.get("exception_reason"):
        return Hit(
            Severity.violation,
            f"Der er varslet efter starten (den {late}), men der står ikke hvorfor. Det er kun tilladt at "
            "varsle bagefter, hvis formålet ellers går tabt, eller tvingende driftshensyn forhindrer "
            "varsling i tide, og begrundelsen skal gives.",
            f"Notice was given after the start (on {late}), but no reason is recorded. Notice may come "
            "afterwards only if the purpose would otherwise be lost or compelling operational reasons "
            "prevent timely notice, and the reason must be given.",
            ("notice.exception_reason",),
            source,
        )
    if late is None and _in_operation(document):
        return Hit(
            Severity.violation,
            "Der henvises til undtagelsen fra varslingsfristen, men det er ikke registreret, hvornår "
            "medarbejderne så blev varslet. Ved undtagelsen skal der varsles hurtigst muligt efter "
            "starten, med begrundelsen.",
            "The exception from the notice period is claimed, but no date of the late notice is recorded. "
            "Under the exception, notice must be given as soon as possible after the start, with the "
            "reason.",
            ("notice.late_notice_at",),
            source,
        )
    return None


def briefing_missing(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure") or _representatives_informed(document) is not None:
        return None
    who_da, who_en = _committee_da(document, context), _committee_en(document, context)
    fields = ("consultation.informed_at",)
    source = _briefing_source(context)
    if _in_operation(document):
        return Hit(
            Severity.violation,
            f"Systemet er en kontrolforanstaltning og er taget i brug, men det er ikke registreret, at "
            f"{who_da} er orienteret. Det skal ske, før kontrolforanstaltningen indføres.",
            f"The system is a control measure and is in use, but there is no record that {who_en} "
            "was informed. That must happen before the control measure is introduced.",
            fields,
            source,
        )
    go_live = _day(document.get("go_live_at"))
    when_da = f" (senest {go_live})" if go_live else ""
    when_en = f" (by {go_live})" if go_live else ""
    return Hit(
        _before_deadline(go_live, context.today),
        f"Systemet er en planlagt kontrolforanstaltning. Husk at orientere {who_da}, før det tages i "
        f"brug{when_da}.",
        f"The system is a planned control measure. Remember to inform {who_en} before it starts{when_en}.",
        fields,
        source,
    )


def briefing_late(document: Document, context: Context) -> Hit | None:
    if not document.get("control_measure"):
        return None
    informed, go_live = _representatives_informed(document), _day(document.get("go_live_at"))
    if informed is None or go_live is None or informed <= go_live:
        return None
    who_da, who_en = _committee_da(document, context), _committee_en(document, context)
    return Hit(
        _ahead(Severity.violation, go_live, context.today),
        f"{who_da[0].upper()}{who_da[1:]} blev først orienteret {informed}, efter at systemet gik i drift "
        f"{go_live}. Orienteringen skal ske, før en kontrolforanstaltning indføres.",
        f"{who_en[0].upper()}{who_en[1:]} was informed only on {informed}, after the system went live on "
        f"{go_live}. They must be informed before a control measure is introduced.",
        ("consultation.informed_at", "go_live_at"),
        _briefing_source(context),
    )


def change_without_notice(document: Document, context: Context) -> Hit | None:
    change = context.latest_material_change
    if not document.get("control_measure") or change is None:
        return None
    notice = _sub(document, "notice")
    dates = [d for d in (_day(notice.get("given_at")), _day(notice.get("late_notice_at"))) if d is not None]
    if not dates:
        return None  # no notice at all: control_measure.notice_missing
    latest = max(dates)
    window = max(context.settings.rules_change_window_days, context.notice_period_days)
    if latest >= change - timedelta(days=window):
        return None
    return Hit(
        Severity.warning,
        f"Kontrolforanstaltningen blev ændret væsentligt {change}, men den seneste varsling er fra "
        f"{latest}. En væsentlig ændring kræver en ny varsling af medarbejderne; registrér datoen for den.",
        f"The control measure was changed materially on {change}, but the latest notice is from {latest}. "
        "A material change needs a new notice to employees; record its date.",
        ("notice.given_at",),
        _notice_source(context),
    )


# --- 6-10: AI Act ---------------------------------------------------------------------------------


def workers_not_informed(document: Document, context: Context) -> Hit | None:
    if not is_high_risk(document) or _representatives_informed(document) is not None:
        return None
    effective = context.settings.rules_ai_act_high_risk_from
    today = context.today
    fields = ("workers_informed_at", "consultation.informed_at")
    if _in_operation(document):
        return Hit(
            _by_date(today, effective),
            "Systemet er et højrisiko-AI-system på arbejdspladsen, men det er ikke registreret, at "
            "medarbejderne og deres repræsentanter er orienteret, før det blev taget i brug."
            + _not_yet_da(today, effective),
            "The system is a high-risk AI system at the workplace, but there is no record that the "
            "workers and their representatives were informed before it was put into use."
            + _not_yet_en(today, effective),
            fields,
        )
    go_live = _day(document.get("go_live_at"))
    when_da = f" (senest {go_live})" if go_live else ""
    when_en = f" (by {go_live})" if go_live else ""
    return Hit(
        _before_deadline(go_live, today),
        "Systemet er et planlagt højrisiko-AI-system. Medarbejderne og deres repræsentanter skal "
        f"orienteres, før det tages i brug{when_da}.",
        "The system is a planned high-risk AI system. The workers and their representatives must be "
        f"informed before it is put into use{when_en}.",
        fields,
    )


def workers_informed_late(document: Document, context: Context) -> Hit | None:
    if not is_high_risk(document):
        return None
    informed, go_live = _representatives_informed(document), _day(document.get("go_live_at"))
    if informed is None or go_live is None or informed <= go_live:
        return None
    effective, today = context.settings.rules_ai_act_high_risk_from, context.today
    return Hit(
        _ahead(_by_date(today, effective), go_live, today),
        f"Medarbejderne og deres repræsentanter blev først orienteret {informed}, efter at "
        f"højrisiko-AI-systemet gik i drift {go_live}. De skal orienteres, før systemet tages i brug."
        + _not_yet_da(today, effective),
        f"The workers and their representatives were informed only on {informed}, after the high-risk "
        f"AI system went live on {go_live}. They must be informed before it is put into use."
        + _not_yet_en(today, effective),
        ("workers_informed_at", "consultation.informed_at", "go_live_at"),
    )


def no_trained_overseer(document: Document, context: Context) -> Hit | None:
    if not is_high_risk(document):
        return None
    oversight = _sub(document, "human_oversight")
    role = oversight.get("overseer_role")
    if role and oversight.get("trained") is True:
        return None
    effective, today = context.settings.rules_ai_act_high_risk_from, context.today
    severity = _by_date(today, effective)
    if not role:
        return Hit(
            severity,
            "Systemet er et højrisiko-AI-system, men det er ikke angivet, hvem der fører menneskeligt "
            "tilsyn med det. Tilsynet skal varetages af personer med de nødvendige kompetencer og den "
            "nødvendige oplæring." + _not_yet_da(today, effective),
            "The system is a high-risk AI system, but nobody is named to oversee it. Human oversight must "
            "be assigned to people with the necessary competence and training."
            + _not_yet_en(today, effective),
            ("human_oversight.overseer_role",),
        )
    return Hit(
        severity,
        f"Det menneskelige tilsyn med højrisiko-AI-systemet varetages af {role}, men det er ikke "
        "registreret, at vedkommende har fået oplæring i at føre tilsyn med systemet."
        + _not_yet_da(today, effective),
        f"Human oversight of the high-risk AI system is assigned to {role}, but there is no record that "
        "they were trained to oversee it." + _not_yet_en(today, effective),
        ("human_oversight.trained",),
    )


def log_retention_short(document: Document, context: Context) -> Hit | None:
    if not is_high_risk(document):
        return None
    minimum = context.settings.rules_min_log_retention_days
    kept = document.get("log_retention_days")
    if kept is not None and kept >= minimum:
        return None
    effective, today = context.settings.rules_ai_act_high_risk_from, context.today
    if kept is None:
        told_da = "Det er ikke oplyst, hvor længe systemets logfiler gemmes."
        told_en = "It is not stated how long the system's logs are kept."
    else:
        told_da = f"Systemets logfiler gemmes kun i {_days_da(kept)}."
        told_en = f"The system's logs are kept for only {_days_en(kept)}."
    return Hit(
        _by_date(today, effective),
        f"{told_da} Logfiler fra et højrisiko-AI-system skal gemmes i mindst {_days_da(minimum)}."
        + _not_yet_da(today, effective),
        f"{told_en} Logs of a high-risk AI system must be kept for at least {_days_en(minimum)}."
        + _not_yet_en(today, effective),
        ("log_retention_days",),
    )


def public_fria_missing(document: Document, context: Context) -> Hit | None:
    if context.sector != "public" or not is_high_risk(document):
        return None
    if _sub(document, "ai_act").get("fria_date") is not None:
        return None
    effective, today = context.settings.rules_ai_act_high_risk_from, context.today
    return Hit(
        _by_date(today, effective),
        "En offentlig arbejdsgiver skal vurdere et højrisiko-AI-systems betydning for grundlæggende "
        "rettigheder (FRIA), før det tages i brug. Der er ikke registreret nogen dato for vurderingen."
        + _not_yet_da(today, effective),
        "A public employer must assess a high-risk AI system's impact on fundamental rights (FRIA) "
        "before putting it into use. No date of that assessment is recorded." + _not_yet_en(today, effective),
        ("ai_act.fria_date",),
    )


def public_eu_database_missing(document: Document, context: Context) -> Hit | None:
    if context.sector != "public" or not is_high_risk(document):
        return None
    if _sub(document, "ai_act").get("provider_eu_db_ref"):
        return None
    effective, today = context.settings.rules_ai_act_high_risk_from, context.today
    return Hit(
        _by_date(today, effective),
        "En offentlig arbejdsgiver må kun bruge et højrisiko-AI-system, der er registreret i EU's "
        "database, og skal selv registrere brugen. Der er ikke angivet nogen reference til databasen."
        + _not_yet_da(today, effective),
        "A public employer may only use a high-risk AI system registered in the EU database, and must "
        "register its own use. No database reference is recorded." + _not_yet_en(today, effective),
        ("ai_act.provider_eu_db_ref",),
    )


def emotion_recognition(document: Document, context: Context) -> Hit | None:
    if _sub(document, "ai_act").get("emotion_recognition") is not True:
        return None
    effective, today = context.settings.rules_ai_act_prohibitions_from, context.today
    return Hit(
        _by_date(today, effective),
        "Systemet aflæser medarbejdernes følelser. Det er forbudt på arbejdspladsen, medmindre det sker "
        "af medicinske eller sikkerhedsmæssige grunde." + _not_yet_da(today, effective),
        "The system recognises employees' emotions. That is prohibited at the workplace unless it is "
        "done for medical or safety reasons." + _not_yet_en(today, effective),
        ("ai_act.emotion_recognition",),
    )


def disclosure_missing(document: Document, context: Context) -> Hit | None:
    if document.get("category") != "generative_assistant":
        return None
    if _sub(document, "usage_policy").get("ai_content_labelled") is True:
        return None
    effective, today = context.settings.rules_ai_act_transparency_from, context.today
    return Hit(
        _by_date(today, effective),
        "Systemet skaber tekst, billeder eller svar med AI, men det er ikke registreret, at det bliver "
        "gjort klart, når man taler med en AI, og at AI-lavet indhold bliver mærket."
        + _not_yet_da(today, effective),
        "The system generates text, images or answers with AI, but there is no record that people are "
        "told when they deal with an AI and that AI-made content is labelled."
        + _not_yet_en(today, effective),
        ("usage_policy.ai_content_labelled",),
    )


def literacy_missing(document: Document, context: Context) -> Hit | None:
    if document.get("operated_by") == "third_party":
        return None  # run by another company in the supply chain: its staff, its duty
    if _sub(document, "training").get("provided") is True:
        return None
    effective, today = context.settings.rules_ai_act_prohibitions_from, context.today
    return Hit(
        _by_date(today, effective),
        "Medarbejderne bruger systemet, men der er ikke registreret nogen oplæring eller anden indsats, "
        "der giver dem de nødvendige AI-færdigheder." + _not_yet_da(today, effective),
        "Staff use the system, but no training or other measure giving them sufficient AI literacy is "
        "recorded." + _not_yet_en(today, effective),
        ("training.provided",),
    )


# --- 11-13, 15: GDPR ------------------------------------------------------------------------------


def dpia_missing(document: Document, context: Context) -> Hit | None:
    specials = _special_categories(document)
    reasons_da: list[str] = []
    reasons_en: list[str] = []
    if specials:
        reasons_da.append(f"behandler følsomme oplysninger ({_join_da([SPECIAL_DA[c] for c in specials])})")
        reasons_en.append(f"processes special-category data ({_join_en([SPECIAL_EN[c] for c in specials])})")
    if _monitors(document):
        reasons_da.append("overvåger medarbejderne")
        reasons_en.append("monitors employees")
    if _evaluates(document):
        reasons_da.append("vurderer medarbejdernes arbejde eller adfærd systematisk")
        reasons_en.append("evaluates employees' work or behaviour systematically")
    if not reasons_da:
        return None
    dpia = _sub(document, "dpia")
    status = dpia.get("status")
    if status in {"done", "screened"} or (status == "not_required" and dpia.get("reference")):
        return None
    if status == "planned" and not _in_operation(document):
        return None
    if status == "planned":
        state_da = " Konsekvensanalysen er kun planlagt, men systemet er allerede i brug."
        state_en = " The DPIA is only planned, but the system is already in use."
    elif status == "not_required":
        state_da = " Der står, at en analyse ikke er nødvendig, men vurderingen er ikke dokumenteret."
        state_en = " It says no DPIA is needed, but that assessment is not documented."
    else:
        state_da = state_en = ""
    return Hit(
        Severity.violation,
        f"Systemet {_join_da(reasons_da)}, men der er hverken lavet en konsekvensanalyse (DPIA) eller en "
        f"dokumenteret vurdering af, om der skal laves en.{state_da}",
        f"The system {_join_en(reasons_en)}, but there is neither a data protection impact assessment "
        f"(DPIA) nor a documented screening of whether one is needed.{state_en}",
        ("dpia.status",),
    )


def _evaluates(document: Document) -> bool:
    """Systematic evaluation of employees: profiling, an Annex III point 4 system, or performance or
    behaviour data seen person by person."""
    ai_act = _sub(document, "ai_act")
    point = ai_act.get("annex_iii_point")
    if ai_act.get("profiling") is True or (isinstance(point, str) and point.startswith("4")):
        return True
    categories = document.get("data_categories") or ()
    if "work_performance" not in categories and "behaviour" not in categories:
        return False
    return any(
        isinstance(entry, dict) and entry.get("scope") == "individual"
        for entry in document.get("access") or ()
    )


def automated_decision_safeguards(document: Document, context: Context) -> Hit | None:
    if (
        document.get("automated_decision") != "fully_automated"
        or document.get("significant_effect") is not True
    ):
        return None
    basis = document.get("legal_basis")
    missing_da: list[str] = []
    missing_en: list[str] = []
    fields: list[str] = []
    if basis not in ART22_BASES:
        now_da = f" (angivet: {BASIS_DA.get(basis, basis)})" if basis else ""
        now_en = f" (stated: {BASIS_EN.get(basis, basis)})" if basis else ""
        missing_da.append(f"et grundlag, der tillader det: kontrakt, lov eller udtrykkeligt samtykke{now_da}")
        missing_en.append(f"a basis that allows it: contract, law or explicit consent{now_en}")
        fields.append("legal_basis")
    if not document.get("contest_channel"):
        missing_da.append("en vej, hvor medarbejderen kan få et menneske til at se på afgørelsen og klage")
        missing_en.append("a way for the employee to have a person review the decision and to contest it")
        fields.append("contest_channel")
    if not fields:
        return None
    return Hit(
        Severity.violation,
        "Systemet træffer fuldt automatiske afgørelser med betydelige følger for medarbejderne. "
        f"Der mangler {_join_da(missing_da)}.",
        "The system makes fully automated decisions with significant effects on employees. "
        f"Missing: {_join_en(missing_en)}.",
        tuple(fields),
    )


def lawful_basis_missing(document: Document, context: Context) -> Hit | None:
    if not _processes_personal_data(document):
        return None
    specials = _special_categories(document) if not document.get("special_category_basis") else []
    no_basis = not document.get("legal_basis")
    if not no_basis and not specials:
        return None
    parts_da: list[str] = []
    parts_en: list[str] = []
    fields: list[str] = []
    if no_basis:
        parts_da.append(
            "Der er ikke angivet noget retsgrundlag for systemets behandling af personoplysninger."
        )
        parts_en.append("No lawful basis is stated for the system's processing of personal data.")
        fields.append("legal_basis")
    if specials:
        parts_da.append(
            f"Systemet behandler følsomme oplysninger ({_join_da([SPECIAL_DA[c] for c in specials])}), "
            "men der er ikke angivet nogen undtagelse efter art. 9, der tillader det."
        )
        parts_en.append(
            f"The system processes special-category data ({_join_en([SPECIAL_EN[c] for c in specials])}), "
            "but no Art. 9 condition that allows it is stated."
        )
        fields.append("special_category_basis")
    return Hit(Severity.violation, " ".join(parts_da), " ".join(parts_en), tuple(fields))


def retention_missing(document: Document, context: Context) -> Hit | None:
    if not _processes_personal_data(document):
        return None
    retention = _sub(document, "retention")
    if retention.get("period_days") is not None or retention.get("description"):
        return None
    return Hit(
        Severity.warning,
        "Det er ikke angivet, hvor længe systemets oplysninger om medarbejderne gemmes, før de slettes.",
        "It is not stated how long the system keeps data about employees before deleting it.",
        ("retention.period_days", "retention.description"),
    )


def employee_notice_missing(document: Document, context: Context) -> Hit | None:
    if not _processes_personal_data(document) or document.get("employee_notice_ref"):
        return None
    return Hit(
        Severity.warning,
        "Der er ikke henvist til den information, medarbejderne har fået om, hvordan systemet behandler "
        "deres oplysninger (hvilken version eller hvor den findes).",
        "There is no reference to the information employees were given about how the system processes "
        "their data (which version, or where to find it).",
        ("employee_notice_ref",),
    )


def dpia_outdated(document: Document, context: Context) -> Hit | None:
    change = context.latest_material_change
    made = _day(_sub(document, "dpia").get("date"))
    if change is None or made is None:
        return None
    if made >= change - timedelta(days=context.settings.rules_change_window_days):
        return None
    return Hit(
        Severity.warning,
        f"Konsekvensanalysen (DPIA) er fra {made}, men systemet er ændret væsentligt siden, senest {change}. "
        "Analysen skal gennemgås igen og om nødvendigt opdateres.",
        f"The DPIA dates from {made}, but the system has changed materially since, most recently on "
        f"{change}. It must be reviewed and updated where necessary.",
        ("dpia.date",),
    )


def fria_outdated(document: Document, context: Context) -> Hit | None:
    change = context.latest_material_change
    made = _day(_sub(document, "ai_act").get("fria_date"))
    if change is None or made is None:
        return None
    if made >= change - timedelta(days=context.settings.rules_change_window_days):
        return None
    return Hit(
        Severity.warning,
        f"Vurderingen af betydningen for grundlæggende rettigheder (FRIA) er fra {made}, men systemet er "
        f"ændret væsentligt siden, senest {change}. Vurderingen skal opdateres.",
        f"The fundamental rights impact assessment (FRIA) dates from {made}, but the system has changed "
        f"materially since, most recently on {change}. It must be updated.",
        ("ai_act.fria_date",),
    )


# --- 14: APV (arbejdsmiljøloven §15a) ---------------------------------------------------------------


def apv_outdated(document: Document, context: Context) -> Hit | None:
    dates = [
        d for d in (_day(document.get("apv_last_assessed_at")), context.last_apv_completed) if d is not None
    ]
    max_age = context.settings.rules_apv_max_age_days
    if not dates:
        return Hit(
            Severity.warning,
            "Der er ikke registreret nogen arbejdspladsvurdering (APV), der dækker systemet. APV'en skal "
            "tage stilling til, hvordan systemet påvirker arbejdsmiljøet.",
            "No workplace risk assessment (APV) covering the system is recorded. The APV must consider how "
            "the system affects the working environment.",
            ("apv_last_assessed_at",),
        )
    last = max(dates)
    age = (context.today - last).days
    if age <= max_age:
        return None
    return Hit(
        Severity.violation,
        f"Den seneste APV, der dækker systemet, er fra {last}, {_days_da(age)} siden. APV'en skal "
        f"revideres, så den aldrig er mere end {_period_da(max_age)} gammel.",
        f"The latest APV covering the system is from {last}, {_days_en(age)} ago. The APV must be revised "
        f"so that it is never more than {_period_en(max_age)} old.",
        ("apv_last_assessed_at",),
    )


def apv_reassessment_overdue(document: Document, context: Context) -> Hit | None:
    if not context.apv_overdue:
        return None
    return Hit(
        Severity.warning,
        "En ny vurdering af arbejdsmiljøet (APV) efter en ændring af systemet er ikke afsluttet til "
        "tiden. Når en ændring påvirker arbejdet, skal APV'en revideres.",
        "A new workplace risk assessment (APV) after a change of the system is overdue. When a change "
        "affects the work, the APV must be revised.",
        ("apv_last_assessed_at",),
    )


def apv_reassessment_without_amo(document: Document, context: Context) -> Hit | None:
    if not context.apv_completed_without_amo:
        return None
    when_da = f" den {context.last_apv_completed}" if context.last_apv_completed else ""
    when_en = f" on {context.last_apv_completed}" if context.last_apv_completed else ""
    return Hit(
        Severity.violation,
        f"Den seneste APV-vurdering af systemet blev afsluttet{when_da}, uden at arbejdsmiljøorganisationen "
        "(AMO) deltog. AMO skal inddrages i arbejdet med APV'en.",
        f"The latest APV reassessment of the system was completed{when_en} without the working-environment "
        "organisation (AMO) taking part. The AMO must take part in the APV.",
        ("apv_last_assessed_at",),
    )


# --- the registry ---------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule(
        "control_measure.notice_missing",
        1,
        NOTICE_ANY,
        "Kontrolforanstaltning uden varslingsdato.",
        "Control measure without a notice date.",
        notice_missing,
    ),
    Rule(
        "control_measure.notice_late",
        2,
        NOTICE_ANY,
        "Driftsstart før varslingsdato + varslingsfrist, uden at undtagelsen er påberåbt.",
        "Go-live earlier than notice date plus notice period, with no exception claimed.",
        notice_late,
    ),
    Rule(
        "control_measure.exception_incomplete",
        3,
        NOTICE_ANY,
        "Undtagelse fra varslingsfristen uden begrundelse eller dato for den senere varsling.",
        "Exception from the notice period without a reason or a late-notice date.",
        exception_incomplete,
    ),
    Rule(
        "control_measure.briefing_missing",
        4,
        f"{BRIEFING_PRIVATE}; {BRIEFING_PUBLIC}",
        "Kontrolforanstaltning uden registreret orientering af SU/MED eller tillidsrepræsentant.",
        "Control measure with no recorded briefing of the SU/MED committee or the shop steward.",
        briefing_missing,
    ),
    Rule(
        "control_measure.briefing_late",
        4,
        f"{BRIEFING_PRIVATE}; {BRIEFING_PUBLIC}",
        "SU/MED eller tillidsrepræsentant orienteret først efter driftsstart.",
        "SU/MED committee or shop steward informed only after go-live.",
        briefing_late,
    ),
    Rule(
        "control_measure.change_without_notice",
        5,
        NOTICE_ANY,
        "Væsentlig ændring af en kontrolforanstaltning uden ny varsling.",
        "Material change to a control measure without a new notice.",
        change_without_notice,
    ),
    Rule(
        "high_risk.workers_not_informed",
        6,
        f"{AI_ACT} art. 26, stk. 7",
        "Højrisiko-AI-system (fx bilag III, punkt 4) uden registreret orientering af medarbejdere og "
        "deres repræsentanter.",
        "High-risk AI system (e.g. Annex III point 4) with no recorded information of workers and their "
        "representatives.",
        workers_not_informed,
    ),
    Rule(
        "high_risk.workers_informed_late",
        6,
        f"{AI_ACT} art. 26, stk. 7",
        "Medarbejdere og repræsentanter orienteret først efter, at højrisiko-AI-systemet gik i drift.",
        "Workers and their representatives informed only after the high-risk AI system went live.",
        workers_informed_late,
    ),
    Rule(
        "high_risk.no_trained_overseer",
        7,
        f"{AI_ACT} art. 26, stk. 2",
        "Højrisiko-AI-system uden en angivet og oplært person til menneskeligt tilsyn.",
        "High-risk AI system without a named, trained human overseer.",
        no_trained_overseer,
    ),
    Rule(
        "high_risk.log_retention_short",
        7,
        f"{AI_ACT} art. 26, stk. 6",
        "Højrisiko-AI-system, hvis logfiler gemmes kortere end minimumsperioden (6 måneder).",
        "High-risk AI system whose logs are kept for less than the minimum period (6 months).",
        log_retention_short,
    ),
    Rule(
        "high_risk.public_fria_missing",
        8,
        f"{AI_ACT} art. 27",
        "Offentlig arbejdsgiver med et højrisiko-AI-system uden dato for FRIA.",
        "Public-body deployer with a high-risk AI system without a FRIA date.",
        public_fria_missing,
    ),
    Rule(
        "high_risk.public_eu_database_missing",
        8,
        f"{AI_ACT} art. 26, stk. 8, og art. 49, stk. 3",
        "Offentlig arbejdsgiver med et højrisiko-AI-system uden reference til EU-databasen.",
        "Public-body deployer with a high-risk AI system without an EU database reference.",
        public_eu_database_missing,
    ),
    Rule(
        "ai_act.emotion_recognition",
        9,
        f"{AI_ACT} art. 5, stk. 1, litra f",
        "Følelsesgenkendelse på arbejdspladsen (forbudt).",
        "Emotion recognition at the workplace (prohibited).",
        emotion_recognition,
    ),
    Rule(
        "ai_act.disclosure_missing",
        10,
        f"{AI_ACT} art. 50",
        "Chatbot eller AI-genereret indhold uden oplysning om, at det er AI.",
        "Chatbot or generated content without disclosure that it is AI.",
        disclosure_missing,
    ),
    Rule(
        "gdpr.dpia_missing",
        11,
        f"{GDPR} art. 35",
        "Følsomme oplysninger, overvågning eller systematisk vurdering uden DPIA eller dokumenteret "
        "screening.",
        "Special-category data, monitoring or systematic evaluation without a DPIA or documented screening.",
        dpia_missing,
    ),
    Rule(
        "gdpr.automated_decision_safeguards",
        12,
        f"{GDPR} art. 22",
        "Fuldt automatisk afgørelse med betydelige følger uden grundlag efter art. 22 og uden adgang til "
        "menneskelig prøvelse.",
        "Fully automated decision with significant effect without an Art. 22 basis and a human-review "
        "channel.",
        automated_decision_safeguards,
    ),
    Rule(
        "gdpr.lawful_basis_missing",
        13,
        f"{GDPR} art. 6 og 9; databeskyttelsesloven § 12",
        "Intet retsgrundlag (art. 6), eller følsomme oplysninger uden undtagelse efter art. 9.",
        "No lawful basis (Art. 6), or special-category data without an Art. 9 condition.",
        lawful_basis_missing,
    ),
    Rule(
        "gdpr.retention_missing",
        13,
        f"{GDPR} art. 5, stk. 1, litra e",
        "Ingen opbevaringsperiode for personoplysningerne.",
        "No retention period for the personal data.",
        retention_missing,
    ),
    Rule(
        "gdpr.employee_notice_missing",
        13,
        f"{GDPR} art. 13",
        "Ingen henvisning til (versionen af) informationen til medarbejderne.",
        "No reference to (the version of) the information given to employees.",
        employee_notice_missing,
    ),
    Rule(
        "apv.outdated",
        14,
        APV,
        "Ingen APV, eller den seneste APV er ældre end 3 år.",
        "No APV, or the latest APV is older than 3 years.",
        apv_outdated,
        planned=False,
    ),
    Rule(
        "apv.reassessment_overdue",
        14,
        APV,
        "En APV-revurdering efter en ændring er ikke afsluttet til tiden.",
        "An APV reassessment after a change is overdue.",
        apv_reassessment_overdue,
    ),
    Rule(
        "apv.reassessment_without_amo",
        14,
        APV,
        "Den seneste APV-revurdering blev afsluttet uden deltagelse af AMO.",
        "The latest APV reassessment was completed without AMO participation.",
        apv_reassessment_without_amo,
    ),
    Rule(
        "gdpr.dpia_outdated",
        15,
        f"{GDPR} art. 35, stk. 11",
        "DPIA ældre end systemets seneste væsentlige ændring.",
        "DPIA older than the latest material change of the system.",
        dpia_outdated,
    ),
    Rule(
        "high_risk.fria_outdated",
        15,
        f"{AI_ACT} art. 27, stk. 2",
        "FRIA ældre end systemets seneste væsentlige ændring.",
        "FRIA older than the latest material change of the system.",
        fria_outdated,
    ),
    Rule(
        "ai_act.literacy_missing",
        16,
        f"{AI_ACT} art. 4",
        "Medarbejderne bruger systemet, uden at der er registreret en indsats for AI-færdigheder.",
        "Staff operate the system with no AI-literacy measure recorded.",
        literacy_missing,
        planned=False,
    ),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def evaluate(document: Document, context: Context, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """All findings of one system, in rule order."""
    status = document.get("status")
    if status == "retired":
        return []
    planned = status == "planned"
    findings: list[Finding] = []
    for rule in rules:
        if planned and not rule.planned:
            continue
        hit = rule.check(document, context)
        if hit is None:
            continue
        severity = hit.severity
        if planned and severity is Severity.violation:
            severity = Severity.warning
        findings.append(
            Finding(rule.id, severity, hit.message_da, hit.message_en, hit.source or rule.source, hit.fields)
        )
    return findings


def rule_catalogue() -> list[dict[str, Any]]:
    """Every rule for docs and the API: id, the number of its check in domain.md §7, its legal
    source (both sectors' sources where they differ) and what it checks, in Danish and English."""
    return [
        {
            "id": rule.id,
            "check": rule.check_no,
            "source": rule.source,
            "description_da": rule.description_da,
            "description_en": rule.description_en,
            "applies_to_planned": rule.planned,
        }
        for rule in RULES
    ]
