"""The written account as a document in one language: sections of headings, paragraphs, facts and
tables, every label and value already put in words from the catalogue. The HTML and Markdown
templates only lay it out, so both formats (and the PDF made from the HTML) say the same."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from api.i18n import LANGUAGES, Translator, legal_source, translator
from registry.clock import parse_iso
from registry.obligations.rules import is_high_risk
from registry.obligations.statement import ReassessmentFacts, RevisionFacts, Statement
from registry.systems.models import special_categories_of

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Fields whose values come from a vocabulary: field -> catalogue prefix.
VOCABULARY_OF = {
    "category": "category",
    "status": "status",
    "data_categories": "data_category",
    "legal_basis": "legal_basis",
    "special_category_basis": "special_category_basis",
    "automated_decision": "automated_decision",
    "ai_act.risk_class": "risk_class",
    "dpia.status": "dpia_status",
    "operated_by": "operated_by",
    "consultation.committee": "committee",
    "third_country_transfer.safeguard": "transfer_safeguard",
}
DAY_COUNTS = frozenset({"retention.period_days", "log_retention_days"})
HOURS_A_WEEK = frozenset({"time_savings.expected_hours_per_week", "time_savings.realised_hours_per_week"})
HOURS = frozenset({"training.hours_per_employee"})


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: Literal["paragraph"] = "paragraph"


@dataclass(frozen=True)
class Heading:
    text: str
    kind: Literal["heading"] = "heading"


@dataclass(frozen=True)
class Facts:
    rows: tuple[tuple[str, str], ...]  # (label, value)
    kind: Literal["facts"] = "facts"


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # the first cell of a row names the row
    kind: Literal["table"] = "table"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    kind: Literal["bullets"] = "bullets"


Block = Paragraph | Heading | Facts | Table | Bullets


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Account:
    lang: str
    title: str
    system_name: str
    organization: str
    intro: tuple[str, ...]
    sections: tuple[Section, ...]
    generated: str
    created_iso: str
    contents_label: str
    page_label: str  # "Side" / "Page", for the printed page numbers
    of_label: str


@dataclass
class Words:
    """How values of the register are put in words, by the translator of one language."""

    lang: str
    units: dict[str, str] = field(default_factory=dict)  # unit id -> name
    products: dict[str, str] = field(default_factory=dict)  # product card id -> vendor and product

    @property
    def t(self) -> Translator:
        return translator(self.lang)

    def __call__(self, key: str, **values: Any) -> str:
        return self.t(key, **values)

    def term(self, vocabulary: str, value: Any) -> str:
        """A vocabulary value in words; a value the catalogue does not know is shown as stored."""
        return self.t.term(vocabulary, value)

    def day(self, value: Any) -> str:
        return self.t.date(value)

    def number(self, value: float) -> str:
        return self.t.number(value)

    def unit_names(self, unit_ids: Iterable[str]) -> str:
        ids = list(unit_ids)
        if not ids:
            return self("value.whole_organization")
        return ", ".join(self.units.get(unit, self("value.unknown_unit")) for unit in ids)

    def value(self, name: str, value: Any) -> str:
        """The value of field `name` ("notice.given_at" for a nested key) in plain words."""
        if value is None or value in ([], {}, ""):
            return self("value.not_stated")
        if isinstance(value, bool):
            return self("value.yes" if value else "value.no")
        special: dict[str, Callable[[Any], str]] = {
            "unit_ids": self.unit_names,
            "product_card_id": lambda card_id: self.products.get(str(card_id), str(card_id)),
            "access": self.access_list,
            "data_subjects": self.data_subjects,
            "dpo_contact": self.contact_text,
            "contact": self.contact_text,
        }
        if name in special:
            return special[name](value)
        if name in VOCABULARY_OF:
            items = value if isinstance(value, list) else [value]
            return ", ".join(self.term(VOCABULARY_OF[name], item) for item in items)
        return self._plain(name, value)

    def _plain(self, name: str, value: Any) -> str:
        if isinstance(value, int | float):
            return self._amount(name, value)
        if isinstance(value, str) and ISO_DAY.match(value):
            return self.day(value)
        if isinstance(value, list):  # free text (groups, sources) may hold commas of its own
            return "; ".join(self.value(name, item) for item in value)
        if isinstance(value, dict):  # a whole nested object, e.g. {} becoming a value
            parts = [
                f"{self.label(f'{name}.{key}')}: {self.value(f'{name}.{key}', inner)}"
                for key, inner in value.items()
                if inner not in (None, [], {}, "")
            ]
            return "; ".join(parts) or self("value.not_stated")
        return str(value)

    def _amount(self, name: str, value: float) -> str:
        if name in DAY_COUNTS:
            return self.t.plural("value.days", value)
        if name in HOURS_A_WEEK:
            return self.t.plural("value.hours_per_week", value)
        if name in HOURS:
            return self.t.plural("value.hours", value)
        return self.number(value)

    def label(self, name: str) -> str:
        return self.t.get(f"field.{name}", name)

    def data_subjects(self, value: dict[str, list[str]]) -> str:
        """Whose data each category is: "helbred: borgere, patienter; ..."."""
        return "; ".join(
            f"{self.term('data_category', category)}: "
            + ", ".join(self.term("data_subject", subject) for subject in subjects)
            for category, subjects in value.items()
        )

    def contact_text(self, contact: dict[str, Any]) -> str:
        return str(contact.get("name")) + (f" <{contact['email']}>" if contact.get("email") else "")

    def access_list(self, entries: list[dict[str, Any]]) -> str:
        return "; ".join(self.access_entry(entry) for entry in entries)

    def access_entry(self, entry: dict[str, Any]) -> str:
        text = f"{entry.get('role')} ({self.term('scope', entry.get('scope'))})"
        return f"{text}: {entry['purpose']}" if entry.get("purpose") else text


def _get(document: dict[str, Any], name: str) -> Any:
    """A field by its flat name ("notice.given_at")."""
    head, _, key = name.partition(".")
    value = document.get(head)
    if key:
        return (value or {}).get(key)
    return value


def _stated(value: Any) -> bool:
    return value not in (None, [], {}, "")


class _Builder:
    def __init__(self, statement: Statement, words: Words) -> None:
        self.s = statement
        self.doc = statement.system
        self.w = words

    def fact(self, name: str, *, always: bool = True) -> list[tuple[str, str]]:
        value = _get(self.doc, name)
        if not always and not _stated(value):
            return []
        return [(self.w.label(name), self.w.value(name, value))]

    def facts(self, *names: str, optional: Iterable[str] = ()) -> Facts:
        skip = set(optional)
        rows: list[tuple[str, str]] = []
        for name in names:
            rows += self.fact(name, always=name not in skip)
        return Facts(tuple(rows))

    def text(self, name: str) -> Paragraph:
        value = _get(self.doc, name)
        return Paragraph(str(value) if _stated(value) else self.w("value.not_stated"))

    # --- the sections, in the order a reader asks about them -------------------------------------

    def overview(self) -> Section:
        w, org = self.w, self.s.organization
        rows = [
            (w("overview.organization"), org.name),
            (w("overview.cooperation_body"), w.term("cooperation_body", org.cooperation_body)),
            *self.fact("vendor"),
            *self.fact("product", always=False),
            *self.fact("status"),
            *self.fact("category"),
            *self.fact("control_measure"),
            (w("overview.units"), w.unit_names(self.doc.get("unit_ids") or [])),
            *self.fact("affected_groups"),
            *self.fact("affected_headcount"),
            *self.fact("go_live_at"),
            *self.fact("retired_at", always=False),
            *self.fact("operated_by"),
            *self.fact("operator_name", always=False),
            *self.contact(),
            (w("overview.version"), str(self.doc["version"])),
        ]
        return Section("overview", w("overview.title"), (Facts(tuple(rows)),))

    def contact(self) -> list[tuple[str, str]]:
        contact = self.doc.get("contact") or {}
        if not contact:
            return [(self.w.label("contact"), self.w("value.not_stated"))]
        text = contact["name"] + (f" <{contact['email']}>" if contact.get("email") else "")
        return [(self.w.label("contact"), text)]

    def purpose(self) -> Section:
        w = self.w
        blocks: list[Block] = [self.text("purpose"), Heading(w.label("operational_reason"))]
        blocks.append(self.text("operational_reason"))
        if _stated(self.doc.get("description")):
            blocks += [Heading(w.label("description")), self.text("description")]
        if self.doc.get("control_measure"):
            blocks.append(
                Paragraph(
                    w(
                        "purpose.control_measure",
                        organization=self.s.organization.name,
                        days=self.s.organization.notice_period_days,
                    )
                )
            )
        else:
            blocks.append(Paragraph(w("purpose.not_control_measure")))
        return Section("purpose", w("purpose.title"), tuple(blocks))

    def data(self) -> Section:
        w = self.w
        categories = list(self.doc.get("data_categories") or [])
        special = special_categories_of(categories)
        blocks: list[Block] = []
        if categories:
            blocks.append(Paragraph(w("data.intro")))
            subjects = self.doc.get("data_subjects") or {}
            rows = tuple(
                (
                    w.term("data_category", c),
                    ", ".join(w.term("data_subject", who) for who in subjects.get(c) or ["employees"]),
                    w("data.special_flag") if c in special else w("value.no"),
                )
                for c in categories
            )
            columns = (w("data.column.category"), w("data.column.subjects"), w("data.column.special"))
            blocks.append(Table(w("data.caption"), columns, rows))
        else:
            blocks.append(Paragraph(w("data.none")))
        if special:
            names = ", ".join(w.term("data_category", c) for c in special)
            blocks.append(Paragraph(w("data.special_note", categories=names)))
        rows_ = [(w("data.sources"), w.value("data_sources", self.doc.get("data_sources")))]
        rows_ += self.fact("legal_basis")
        if self.doc.get("legal_basis") == "legitimate_interests":
            rows_ += self.fact("legitimate_interest")
        rows_ += self.fact("special_category_basis", always=bool(special))
        blocks.append(Facts(tuple(rows_)))
        return Section("data", w("data.title"), tuple(blocks))

    def access(self) -> Section:
        w = self.w
        entries = list(self.doc.get("access") or [])
        if not entries:
            return Section("access", w("access.title"), (Paragraph(w("access.none")),))
        rows = tuple(
            (
                str(entry.get("role")),
                w.term("scope", entry.get("scope")),
                entry.get("purpose") or w("value.not_stated"),
            )
            for entry in entries
        )
        blocks: list[Block] = [
            Paragraph(w("access.intro")),
            Table(
                w("access.caption"),
                (w("access.column.role"), w("access.column.scope"), w("access.column.purpose")),
                rows,
            ),
        ]
        individual = [str(e.get("role")) for e in entries if e.get("scope") == "individual"]
        if individual:
            blocks.append(Paragraph(w("access.individual_note", roles=", ".join(individual))))
        return Section("access", w("access.title"), tuple(blocks))

    def retention(self) -> Section:
        facts = self.facts(
            "retention.period_days",
            "retention.description",
            "log_retention_days",
            optional=["retention.description"],
        )
        return Section("retention", self.w("retention.title"), (facts,))

    def use(self) -> Section:
        w = self.w
        blocks: list[Block] = [Paragraph(w(f"use.category.{self.doc.get('category') or 'other'}"))]
        automated = self.doc.get("automated_decision")
        blocks.append(Paragraph(w(f"use.automated.{automated}" if automated else "use.automated.not_stated")))
        effect = self.doc.get("significant_effect")
        if effect is not None:
            blocks.append(
                Paragraph(w("use.significant_effect.yes" if effect else "use.significant_effect.no"))
            )
        optional = [
            "usage_policy.guideline_ref",
            "usage_policy.ai_content_labelled",
            "training.description",
            "training.hours_per_employee",
            "time_savings.expected_hours_per_week",
            "time_savings.realised_hours_per_week",
            "time_savings.realised_at",
            "time_savings.freed_time_use",
        ]
        blocks.append(
            self.facts("usage_policy.expected_use", "training.provided", *optional, optional=optional)
        )
        return Section("use", w("use.title"), tuple(blocks))

    def oversight(self) -> Section:
        facts = self.facts(
            "human_oversight.description",
            "human_oversight.overseer_role",
            "human_oversight.trained",
            "human_oversight.can_stop",
            "contest_channel",
            "decision_logic",
            optional=["human_oversight.can_stop", "decision_logic"],
        )
        blocks: list[Block] = [facts]
        if is_high_risk(self.doc) and (self.doc.get("ai_act") or {}).get("annex_i_product") is not True:
            blocks.append(Paragraph(self.w("oversight.annex_iii_rights")))
        return Section("oversight", self.w("oversight.title"), tuple(blocks))

    def assessments(self) -> Section:
        ai_act = [
            "ai_act.annex_iii_point",
            "ai_act.annex_i_product",
            "ai_act.profiling",
            "ai_act.emotion_recognition",
            "ai_act.biometric_categorisation",
            "ai_act.interacts_with_public",
            "ai_act.publishes_generated_content",
            "ai_act.significant_design_change_at",
            "ai_act.fria_date",
            "ai_act.provider_eu_db_ref",
            "ai_act.deployer_eu_db_ref",
        ]
        optional = [*ai_act, "dpia.date", "dpia.reference"]
        rows = list(self.facts(*ai_act, optional=optional).rows)
        risk = (self.doc.get("ai_act") or {}).get("risk_class") or "unknown"
        rows.insert(0, (self.w.label("ai_act.risk_class"), self.w.term("risk_class", risk)))
        rows += self.facts("dpia.status", "dpia.date", "dpia.reference", optional=optional).rows
        return Section("assessments", self.w("assessment.title"), (Facts(tuple(rows)),))

    def notice(self) -> Section:
        w = self.w
        blocks: list[Block] = [Heading(w("notice.notices"))]
        if self.doc.get("control_measure"):
            period = (w("notice.period"), w.t.weeks(self.s.organization.notice_period_days))
            blocks.append(Facts((period,)))
            blocks += self.notices()
            blocks += self.conditions()
        else:
            blocks.append(Paragraph(w("notice.not_relevant")))
        blocks += [Heading(w("notice.consultation")), *self.consultations()]
        blocks += [Heading(w("notice.information")), *self.information()]
        return Section("notice", w("notice.title"), tuple(blocks))

    def _version(self, entry: dict[str, Any]) -> str:
        covers = entry.get("covers_version")
        return (
            self.w("notice.covers.first")
            if covers is None
            else self.w("notice.covers.version", version=covers)
        )

    def notices(self) -> list[Block]:
        w = self.w
        entries = self.s.history("notice")
        if not entries:
            return [Paragraph(w("notice.none"))]
        rows = tuple(
            (
                w.day(entry.get("given_at")) if entry.get("given_at") else w("value.not_stated"),
                w.day(entry.get("takes_effect_at"))
                if entry.get("takes_effect_at")
                else w("value.not_stated"),
                self._version(entry),
                entry.get("audience") or w("value.not_stated"),
                entry.get("text_ref") or w("value.not_stated"),
                self._exception(entry.get("exception")),
            )
            for entry in entries
        )
        columns = tuple(
            w(f"notice.column.{name}")
            for name in ("given", "takes_effect", "covers", "audience", "text", "exception")
        )
        return [Table(w("notice.caption"), columns, rows)]

    def _exception(self, exception: dict[str, Any] | None) -> str:
        if not exception:
            return self.w("value.no")
        late = exception.get("late_notice_at")
        reason = exception.get("reason") or self.w("value.not_stated")
        return self.w(
            "notice.exception", reason=reason, late=self.w.day(late) if late else self.w("value.not_stated")
        )

    def conditions(self) -> list[Block]:
        """The four conditions of a control measure, as the employer states them."""
        w = self.w
        names = (
            "operational_reason",
            "control_measure_assessment.proportionality",
            "control_measure_assessment.less_intrusive_alternatives",
            "control_measure_assessment.not_offensive",
            "control_measure_assessment.no_loss",
            "control_measure_assessment.not_used_for",
        )
        return [Heading(w("notice.conditions")), Paragraph(w("notice.conditions.intro")), self.facts(*names)]

    def consultations(self) -> list[Block]:
        w = self.w
        entries = self.s.history("consultation")
        if not entries:
            return [Paragraph(w("notice.consultation.none"))]
        rows = tuple(
            (
                w.term("committee", entry.get("committee"))
                if entry.get("committee")
                else w("value.not_stated"),
                *(
                    w.day(entry[key]) if entry.get(key) else w("value.not_stated")
                    for key in ("informed_at", "discussed_at", "decided_at")
                ),
                entry.get("minutes_ref") or w("value.not_stated"),
                self._version(entry),
            )
            for entry in entries
        )
        columns = tuple(
            w(f"consultation.column.{name}")
            for name in ("committee", "informed", "discussed", "decided", "minutes", "covers")
        )
        return [Table(w("consultation.caption"), columns, rows)]

    def information(self) -> list[Block]:
        w = self.w
        blocks: list[Block] = []
        if is_high_risk(self.doc):
            blocks.append(Paragraph(w("information.high_risk")))
        entries = self.s.history("worker_information")
        if entries:
            rows = tuple(
                (
                    w(f"information.party.{entry.get('party')}"),
                    w.day(entry.get("informed_at")),
                    entry.get("channel") or w("value.not_stated"),
                    entry.get("text_ref") or w("value.not_stated"),
                )
                for entry in entries
            )
            columns = tuple(
                w(f"information.column.{name}") for name in ("party", "informed", "channel", "text")
            )
            blocks.append(Table(w("information.caption"), columns, rows))
        else:
            blocks.append(Paragraph(w("information.none")))
        blocks.append(self.facts("employee_notice_ref", "employee_notice_given_at", "go_live_at"))
        return blocks

    def rights(self) -> Section:
        """GDPR Art. 13 and 14: who to ask, who receives the data, transfers, rights, complaints."""
        w = self.w
        transfer = self.doc.get("third_country_transfer") or {}
        rows = [
            (w("rights.controller"), self.s.organization.name),
            *self.fact("dpo_contact"),
            *self.fact("processors"),
            *self.fact("processor_agreement_ref"),
            (
                w.label("third_country_transfer"),
                w.value("third_country_transfer", transfer)
                if transfer.get("countries")
                else w("rights.no_transfer"),
            ),
        ]
        blocks: list[Block] = [
            Facts(tuple(rows)),
            Paragraph(w("rights.your_rights")),
            Paragraph(w("rights.complaint")),
        ]
        if self.s.organization.sector == "public":
            blocks.append(Paragraph(w("rights.access_to_documents")))
        return Section("rights", w("rights.title"), tuple(blocks))

    def questions(self) -> Section:
        """The questions on record and management's answers, with the committee and the minutes."""
        w = self.w
        if not self.s.questions:
            return Section("questions", w("qa.title"), (Paragraph(w("qa.none")),))
        blocks: list[Block] = [Paragraph(w("qa.intro"))]
        for question in reversed(self.s.questions):  # oldest first, as the minutes tell it
            kind = w(f"qa.kind.{question['kind']}")
            blocks.append(Heading(f"{kind}: {question['text']}"))
            if not question["answers"]:
                blocks.append(Paragraph(w("qa.unanswered")))
            for answer in question["answers"]:
                where = [
                    w.term("committee", answer["committee"]) if answer.get("committee") else None,
                    w.day(answer["meeting_date"]) if answer.get("meeting_date") else None,
                    answer.get("minutes_ref"),
                ]
                recorded = "; ".join(part for part in where if part) or w("value.not_stated")
                text = answer["text"]
                if answer.get("corrects"):
                    text = w("qa.correction", text=text)
                blocks.append(Facts(((w("qa.answer"), text), (w("qa.recorded"), recorded))))
        return Section("questions", w("qa.title"), tuple(blocks))

    def signoff(self) -> Section:
        """Who in management stands behind the account, and when the committee discussed it."""
        w = self.w
        manager = self.doc.get("accountable_manager") or w("value.not_stated")
        discussed = [c for c in self.s.history("consultation") if c.get("discussed_at")]
        rows = [(w.label("accountable_manager"), manager)]
        if discussed:
            latest = max(discussed, key=lambda c: c["discussed_at"])
            committee = (
                w.term("committee", latest["committee"])
                if latest.get("committee")
                else w("signoff.committee")
            )
            text = w("signoff.discussed", committee=committee, day=w.day(latest["discussed_at"]))
            if latest.get("minutes_ref"):
                text += f" ({latest['minutes_ref']})"
            rows.append((w("signoff.discussed.label"), text))
        else:
            rows.append((w("signoff.discussed.label"), w("signoff.not_discussed")))
        return Section("signoff", w("signoff.title"), (Facts(tuple(rows)),))

    def apv(self) -> Section:
        w = self.w
        tasks = self.s.reassessments
        blocks: list[Block] = [Paragraph(w("apv.intro")), self.facts("apv_last_assessed_at")]
        if not tasks:
            blocks.append(Paragraph(w("apv.none")))
            return Section("apv", w("apv.title"), tuple(blocks))
        open_ = [t for t in tasks if t.status == "open"]
        blocks.append(
            Paragraph(
                w(
                    "apv.summary",
                    open=len(open_),
                    overdue=sum(1 for t in open_ if t.overdue),
                    completed=len(tasks) - len(open_),
                )
            )
        )
        columns = (
            w("apv.column.unit"),
            w("apv.column.reasons"),
            w("apv.column.opened"),
            w("apv.column.due"),
            w("apv.column.status"),
            w("apv.column.amo"),
            w("apv.column.completed"),
        )
        blocks.append(Table(w("apv.caption"), columns, tuple(self.apv_row(t) for t in tasks)))
        actions = [(t, item) for t in tasks for item in t.action_items]
        if actions:
            blocks.append(
                Table(
                    w("apv.actions"),
                    (
                        w("apv.column.action"),
                        w("apv.column.unit"),
                        w("apv.column.owner"),
                        w("apv.column.deadline"),
                    ),
                    tuple(
                        (item.description, self.unit_of(t), item.owner, w.day(item.deadline))
                        for t, item in actions
                    ),
                )
            )
        found = [f"{self.unit_of(t)}: {t.findings}" for t in tasks if t.findings]
        if found:
            blocks += [Heading(w("apv.findings")), Bullets(tuple(found))]
        return Section("apv", w("apv.title"), tuple(blocks))

    def unit_of(self, task: ReassessmentFacts) -> str:
        return self.w.unit_names([task.unit_id] if task.unit_id else [])

    def apv_row(self, task: ReassessmentFacts) -> tuple[str, ...]:
        w = self.w
        state = (
            task.status
            if task.status in ("completed", "cancelled")
            else ("overdue" if task.overdue else "open")
        )
        if task.amo_participated is None:
            amo = w("value.not_stated")
        else:
            amo = w("value.yes" if task.amo_participated else "value.no")
            if task.amo_participants:
                amo += f" ({', '.join(task.amo_participants)})"
        reasons = ", ".join(w.term("material", r) for r in task.reasons) or w("value.not_stated")
        opened = f"{w.day(task.opened_at.date())} ({w('apv.version', version=task.opened_version)})"
        return (
            self.unit_of(task),
            reasons,
            opened,
            w.day(task.due_date),
            w(f"apv.status.{state}"),
            amo,
            w.day(task.completed_at.date()) if task.completed_at else "",
        )

    def findings(self) -> Section:
        w = self.w
        if not self.s.findings:
            return Section("findings", w("findings.title"), (Paragraph(w("findings.none")),))
        rows = tuple(
            (
                w.term("severity", f.severity),
                w.t.message(f.message, fallback=f"rule.{f.rule_id}"),
                legal_source(f.source, w.t),
                w.day(f.opened_at.date()),
            )
            for f in self.s.findings
        )
        columns = (
            w("findings.column.severity"),
            w("findings.column.message"),
            w("findings.column.source"),
            w("findings.column.since"),
        )
        blocks = (Paragraph(w("findings.intro")), Table(w("findings.caption"), columns, rows))
        return Section("findings", w("findings.title"), blocks)

    def history(self) -> Section:
        w = self.w
        blocks: list[Block] = [Paragraph(w("history.intro"))]
        for revision in self.s.revisions:
            blocks += self.revision(revision)
        return Section("history", w("history.title"), tuple(blocks))

    def revision(self, revision: RevisionFacts) -> list[Block]:
        w = self.w
        moment = w.t.moment(revision.created_at)
        material = ", ".join(w.term("material", r) for r in revision.material_reasons)
        rows = [(w("history.author"), revision.author)]
        if revision.change_note:
            rows.append((w("history.note"), revision.change_note))
        rows.append((w("history.material"), material or w("history.material_no")))
        blocks: list[Block] = [
            Heading(
                w("history.version", version=revision.version, effective=revision.effective, moment=moment)
            ),
            Facts(tuple(rows)),
        ]
        if revision.version == 1:
            # What it was registered with is what the later changes start from: their "before".
            blocks.append(Paragraph(w("history.registered")))
        elif not revision.changes:
            blocks.append(Paragraph(w("history.no_changes")))
        else:
            blocks.append(
                Table(
                    w("history.caption", version=revision.version),
                    (w("history.column.field"), w("history.column.before"), w("history.column.after")),
                    tuple(
                        (w.label(c.field), w.value(c.field, c.old), w.value(c.field, c.new))
                        for c in revision.changes
                    ),
                )
            )
        return blocks

    def account(self) -> Account:
        w = self.w
        name = str(self.doc["name"])
        org = self.s.organization.name
        updated = self.doc.get("updated_at")
        sections: tuple[Callable[[], Section], ...] = (
            self.overview,
            self.purpose,
            self.data,
            self.access,
            self.retention,
            self.use,
            self.oversight,
            self.assessments,
            self.notice,
            self.rights,
            self.apv,
            self.findings,
            self.questions,
            self.history,
            self.signoff,
        )
        generated = w.t.moment(self.s.generated_at)
        basis = w(
            "doc.basis",
            generated=generated,
            version=self.doc["version"],
            updated=w.t.moment(parse_iso(updated)) if updated else w("value.not_stated"),
        )
        return Account(
            lang=w.lang,
            title=w("doc.title", name=name),
            system_name=name,
            organization=org,
            intro=(w("doc.intro", organization=org, name=name), w("doc.legal"), basis),
            sections=tuple(build() for build in sections),
            generated=w("doc.footer", generated=generated),
            created_iso=self.s.generated_at.isoformat(timespec="seconds"),
            contents_label=w("doc.contents"),
            page_label=w("doc.page"),
            of_label=w("doc.of"),
        )


def build_account(statement: Statement, lang: str) -> Account:
    """The account in `lang` ("da" or "en")."""
    if lang not in LANGUAGES:
        raise ValueError(f"no catalogue for language {lang!r}")
    units = {unit_id: unit.name for unit_id, unit in statement.units.items()}
    return _Builder(statement, Words(lang, units, statement.products)).account()


__all__ = [
    "Account",
    "Block",
    "Bullets",
    "Facts",
    "Heading",
    "Paragraph",
    "Section",
    "Table",
    "Words",
    "build_account",
]
