"""The written account's words and layout, without a database: the catalogue, dates and numbers,
escaping, and that a page in one language carries no label of the other."""

from __future__ import annotations

import html as htmllib
import re
import typing
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from api.i18n import translator
from api.i18n.catalogues import texts
from api.statement import build_account, filename_for, render_html, render_markdown
from api.statement.render import css_string, md_block, md_cell
from api.statement.view import VOCABULARY_OF
from registry.obligations.materiality import RULES
from registry.obligations.rules import Severity
from registry.obligations.statement import (
    ActionItemFacts,
    FieldChange,
    FindingFacts,
    OrganizationFacts,
    ReassessmentFacts,
    RevisionFacts,
    Statement,
    UnitFacts,
)
from registry.organizations.models import Committee, CooperationBody
from registry.systems.models import (
    AccessScope,
    AutomatedDecision,
    Category,
    DataCategory,
    DpiaStatus,
    LegalBasis,
    OperatedBy,
    RiskClass,
    SpecialCategoryBasis,
    Status,
    SystemFields,
)

DA, EN = texts("da"), texts("en")
CATALOGUES = {"da": DA, "en": EN}

# --- the catalogue ------------------------------------------------------------------------------------


def flat_field_names() -> list[str]:
    """Every name a revision diff can carry: top-level fields and the keys of nested objects."""
    names = []
    for name, info in SystemFields.model_fields.items():
        names.append(name)
        if typing.get_origin(info.annotation) is list:
            continue  # lists (access) are compared whole
        for inner in typing.get_args(info.annotation) or (info.annotation,):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                names += [f"{name}.{key}" for key in inner.model_fields]
    return names


def test_every_field_of_an_ai_system_has_a_label() -> None:
    missing = [name for name in flat_field_names() if f"field.{name}" not in DA]
    assert missing == []


@pytest.mark.parametrize(
    ("vocabulary", "values"),
    [
        ("category", Category),
        ("status", Status),
        ("data_category", DataCategory),
        ("scope", AccessScope),
        ("legal_basis", LegalBasis),
        ("special_category_basis", SpecialCategoryBasis),
        ("automated_decision", AutomatedDecision),
        ("risk_class", RiskClass),
        ("dpia_status", DpiaStatus),
        ("operated_by", OperatedBy),
        ("committee", Committee),
        ("cooperation_body", CooperationBody),
        ("severity", Severity),
        ("material", RULES),
    ],
)
def test_every_value_of_every_vocabulary_is_translated(vocabulary: str, values: Any) -> None:
    names = [getattr(v, "value", v) for v in values]
    assert [n for n in names if f"{vocabulary}.{n}" not in DA] == []
    assert set(VOCABULARY_OF.values()) <= {k.split(".")[0] for k in DA}


def test_enum_values_come_out_in_the_page_language() -> None:
    assert DA["category.monitoring"] == "overvågning"
    assert EN["category.monitoring"] == "monitoring"


# --- dates and numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "da", "en"),
    [
        (date(2026, 1, 5), "5. januar 2026", "5 January 2026"),
        (date(2025, 5, 31), "31. maj 2025", "31 May 2025"),
        (date(2027, 12, 1), "1. december 2027", "1 December 2027"),
    ],
)
def test_dates_in_danish_and_english(day: date, da: str, en: str) -> None:
    assert translator("da").date(day) == da
    assert translator("en").date(day) == en


def test_moments_are_shown_on_the_danish_clock() -> None:
    winter = datetime(2026, 1, 5, 13, 7, tzinfo=UTC)  # CET, UTC+1
    summer = datetime(2026, 7, 5, 22, 30, tzinfo=UTC)  # CEST, UTC+2: the next day in Denmark
    assert translator("da").moment(winter) == "5. januar 2026 kl. 14.07"
    assert translator("en").moment(winter) == "5 January 2026, 14:07"
    assert translator("da").moment(summer) == "6. juli 2026 kl. 00.30"


@pytest.mark.parametrize(
    ("value", "da", "en"), [(1250, "1.250", "1,250"), (2.5, "2,5", "2.5"), (3.0, "3", "3"), (0, "0", "0")]
)
def test_numbers(value: float, da: str, en: str) -> None:
    assert translator("da").number(value) == da
    assert translator("en").number(value) == en


# --- escaping -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("# Heading", "\\# Heading"),
        ("[link](https://example.com)", "\\[link\\](https://example.com)"),
        ("![img](x.png)", "\\!\\[img\\](x.png)"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("a | b", "a \\| b"),
        ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
        ("line one\n# line two", "line one \\# line two"),
        ("&lt; entity", "\\&lt; entity"),
    ],
)
def test_markdown_cells_cannot_carry_markdown(text: str, escaped: str) -> None:
    assert md_cell(text) == escaped


def test_markdown_blocks_keep_paragraphs_but_no_line_starts_a_structure() -> None:
    text = "First.\n- not a list\n1. not a list either\n> no quote\n===\n\n    no code block"
    assert md_block(text) == (
        "First.\n\\- not a list\n1\\. not a list either\n\\> no quote\n\\===\n\nno code block"
    )


def test_css_strings_cannot_leave_the_string_or_the_style_element() -> None:
    escaped = str(css_string('Q"; } body { display: none } </style>\n<script>'))
    assert escaped.startswith("Q\\22 ;")
    for character in "\"'<>{}\n":
        assert character not in escaped


@pytest.mark.parametrize(
    ("name", "output", "expected"),
    [
        ("Køreplan for hjemmeplejen", "pdf", "redegoerelse-koereplan-for-hjemmeplejen.pdf"),
        ("Årsrapport: Æbler & Ål", "html", "redegoerelse-aarsrapport-aebler-aal.html"),
        ('"; rm -rf /', "md", "redegoerelse-rm-rf.md"),
        ("日本語", "pdf", "redegoerelse-system.pdf"),
    ],
)
def test_file_names_are_plain_ascii(name: str, output: str, expected: str) -> None:
    assert filename_for(name, output) == expected


# --- a whole page in each language --------------------------------------------------------------------

DOCUMENT: dict[str, Any] = {
    "id": "s1",
    "organization_id": "o1",
    "version": 3,
    "name": "Zeta 9 <script>alert(1)</script>",
    "vendor": "Q-vendor",
    "product": "Q-product",
    "description": "Q-description\n# Q-heading",
    "purpose": "Q-purpose",
    "operational_reason": "Q-reason",
    "category": "monitoring",
    "control_measure": True,
    "status": "in_use",
    "unit_ids": ["u1"],
    "affected_groups": ["Q-group"],
    "affected_headcount": 1250,
    "data_categories": ["location", "health"],
    "data_sources": ["Q-source"],
    "access": [
        {"role": "Q-lead", "scope": "individual", "purpose": "Q-why"},
        {"role": "Q-board", "scope": "aggregate", "purpose": None},
    ],
    "retention": {"period_days": 90, "description": "Q-retention"},
    "log_retention_days": 180,
    "legal_basis": "legitimate_interests",
    "special_category_basis": "employment_obligations",
    "automated_decision": "supports_human",
    "significant_effect": True,
    "human_oversight": {"description": "Q-oversight", "overseer_role": "Q-overseer", "trained": True},
    "contest_channel": "Q-contest",
    "ai_act": {
        "risk_class": "high_risk",
        "annex_iii_point": "4(b)",
        "profiling": False,
        "emotion_recognition": False,
        "provider_eu_db_ref": "Q-eu",
        "fria_date": "2025-10-01",
    },
    "dpia": {"status": "done", "date": "2025-11-03", "reference": "Q-dpia"},
    "notice": {
        "given_at": "2026-01-05",
        "audience": "Q-audience",
        "text_ref": "Q-text",
        "exception_reason": "Q-exception",
        "late_notice_at": "2026-01-20",
    },
    "consultation": {
        "committee": "lokal-MED",
        "informed_at": "2025-12-01",
        "discussed_at": "2025-12-15",
        "decided_at": "2025-12-20",
        "minutes_ref": "Q-minutes",
    },
    "workers_informed_at": "2026-01-05",
    "employee_notice_ref": "Q-notice-v2",
    "go_live_at": "2026-03-01",
    "retired_at": None,
    "operated_by": "third_party",
    "operator_name": "Q-operator",
    "usage_policy": {"expected_use": "Q-use", "guideline_ref": "Q-guideline", "ai_content_labelled": True},
    "training": {"provided": True, "description": "Q-training", "hours_per_employee": 2.5},
    "time_savings": {
        "expected_hours_per_week": 10,
        "realised_hours_per_week": 4,
        "realised_at": "2026-06-01",
        "freed_time_use": "Q-freed",
    },
    "apv_last_assessed_at": "2024-04-01",
    "contact": {"name": "Q-contact", "email": "q@example.dk"},
    "special_categories": ["health"],
    "created_at": "2026-01-01T10:00:00.000000Z",
    "updated_at": "2026-02-01T13:05:00.000000Z",
}


def statement() -> Statement:
    moment = datetime(2026, 2, 1, 13, 5, tzinfo=UTC)
    every_kind_of_change = tuple(
        FieldChange(name, None, DOCUMENT.get(name.split(".")[0]) if "." not in name else "2026-01-05")
        for name in ("category", "status", "data_categories", "access", "unit_ids", "notice.given_at")
    )
    return Statement(
        system=DOCUMENT,
        organization=OrganizationFacts("o1", "Q-org", "public", "MED", 42),
        units={"u1": UnitFacts("u1", "Q-unit", "lokal-MED")},
        findings=tuple(
            FindingFacts(
                f"r.{s}",
                s,
                {
                    "key": "finding.high_risk.no_trained_overseer.not_trained",
                    "params": {"role": f"Q-role-{s}"},
                },
                "Q-source-law",
                moment,
            )
            for s in ("violation", "warning", "info")
        ),
        reassessments=(
            ReassessmentFacts(
                "u1", "open", True, tuple(RULES), 2, moment, date(2026, 3, 1), None, None, (), None, ()
            ),
            ReassessmentFacts(
                "u1",
                "open",
                False,
                ("went_into_use",),
                2,
                moment,
                date(2026, 3, 1),
                None,
                False,
                (),
                None,
                (),
            ),
            ReassessmentFacts(
                None,
                "completed",
                False,
                ("data_category_added",),
                3,
                moment,
                date(2026, 3, 2),
                moment,
                True,
                ("Q-amr",),
                "Q-found",
                (ActionItemFacts("Q-action", "Q-owner", date(2026, 4, 1)),),
            ),
        ),
        revisions=(
            RevisionFacts(
                3, "Q-author", moment, "Q-note", (), ("special_category_added",), every_kind_of_change
            ),
            RevisionFacts(2, "Q-author", moment, None, (), (), ()),
            RevisionFacts(1, "Q-author", moment, None, (), (), (FieldChange("name", None, "Zeta 9"),)),
        ),
        generated_at=moment,
    )


def visible_text(html: str) -> str:
    body = re.sub(r"<style.*?</style>", " ", html, flags=re.DOTALL)
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def words_of(lang: str) -> list[str]:
    """The catalogue's words of `lang` that the other language never uses: whole strings, and the
    fixed parts of strings with placeholders (a Danish term quoted in an English string is shared)."""
    own, other = CATALOGUES[lang], CATALOGUES["en" if lang == "da" else "da"]
    pieces = set()
    for key, text in own.items():
        if text == other[key]:
            continue
        for part in re.split(r"{\w+}", text):
            piece = part.strip(" .,:;()")
            if len(piece) >= 4 or ("{" not in text and piece):
                pieces.add(piece)
    return sorted(p for p in pieces if not any(p in text for text in other.values()))


@pytest.mark.parametrize(("lang", "other"), [("da", "en"), ("en", "da")])
def test_a_page_holds_no_label_of_the_other_language(lang: str, other: str) -> None:
    account = build_account(statement(), lang)
    pages = {"html": visible_text(render_html(account)), "md": render_markdown(account).replace("\\", "")}
    foreign = words_of(other)
    assert len(foreign) > 200
    for kind, text in pages.items():
        found = [w for w in foreign if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
        assert found == [], (kind, found)


def test_a_page_holds_what_the_account_must_say() -> None:
    html = render_html(build_account(statement(), "da"))
    text = visible_text(html)
    assert '<html lang="da">' in html
    for expected in (
        "Q-purpose",
        "Q-reason",
        "overvågning",
        "helbred",
        "Ja, følsom oplysning",
        "individniveau",
        "90 dage",
        "180 dage",
        "et menneske, der træffer afgørelsen",
        "betydelige følger",
        "Q-oversight",
        "Q-contest",
        "højrisiko",
        "gennemført",
        "5. januar 2026",
        "lokal-MED",
        "Q-minutes",
        "Fristen er overskredet",
        "Ja (Q-amr)",
        "varetages af rollen »Q-role-violation«",
        "Regel ikke overholdt",
        "Q-note",
        "Q-unit",
        "1.250",
        "2,5 timer",
    ):
        assert expected in text, expected
    assert "<script>" not in html
    assert "Zeta 9 &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Zeta 9 <script>alert(1)</script>" in text
    # Most severe first, as the register orders them; newest version first.
    assert text.index("Q-role-violation") < text.index("Q-role-warning") < text.index("Q-role-info")
    assert text.index("Version 3") < text.index("Version 2") < text.index("Version 1")


def test_markdown_says_the_same_as_html() -> None:
    account = build_account(statement(), "en")
    html = visible_text(render_html(account))
    markdown = render_markdown(account)
    for section in account.sections:
        assert f"## {account.sections.index(section) + 1}. {section.title}" in markdown
        assert section.title in html
    assert "\\# Q-heading" in markdown
    assert not [line for line in markdown.splitlines() if line.startswith("# Q-heading")]
