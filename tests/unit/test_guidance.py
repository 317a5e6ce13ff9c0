"""The guided questions' rules: what each answer proposes, which value stands when answers disagree,
and that every proposal is a value the register's model accepts, with a reason in both languages."""

from __future__ import annotations

import itertools

import pytest

from api.i18n.translator import translator
from api.pages.guide import checklist, duty_of, nested, proposal_views, proposed_document
from api.pages.system_form import form_groups, values_of
from api.statement.view import Words
from registry.obligations.rules import RULES, Finding, Message, Severity
from registry.systems.guidance import QUESTIONS, Answer, proposals, proposed_fields, winning
from registry.systems.models import SystemFields

REQUIRED = {
    "name": "Et system",
    "purpose": "Et formål",
    "category": "other",
    "control_measure": False,
    "status": "planned",
}


def test_a_system_that_shows_individual_work_is_a_high_risk_control_measure() -> None:
    fields = proposed_fields(proposals({"individual_work": Answer.yes}))
    assert fields["category"] == "monitoring"
    assert fields["control_measure"] is True
    assert fields["ai_act.risk_class"] == "high_risk"
    assert fields["ai_act.annex_iii_point"] == "4(b)"
    assert fields["dpia.status"] == "planned"
    assert "work_performance" in fields["data_categories"]


def test_no_answer_and_dont_know_propose_nothing() -> None:
    assert proposals({}) == []
    assert proposals(dict.fromkeys(QUESTIONS, Answer.unknown)) == []


def test_a_no_rules_out_only_what_it_answers() -> None:
    fields = proposed_fields(proposals({"medical_device": Answer.no, "individual_work": Answer.no}))
    assert fields == {"ai_act.annex_i_product": False}


def test_the_stronger_value_stands_and_lists_gather() -> None:
    answers = {"generates_content": Answer.yes, "public_contact": Answer.yes, "recruitment": Answer.yes}
    fields = proposed_fields(proposals(answers))
    assert fields["category"] == "decision_support"  # stronger than generative_assistant
    assert fields["ai_act.risk_class"] == "high_risk"  # stronger than limited
    assert fields["ai_act.annex_iii_point"] == "4(a)"
    assert fields["data_subjects"] == {"identification": ["applicants"], "employment": ["applicants"]}
    both = proposed_fields(proposals({"recruitment": Answer.yes, "employment_decisions": Answer.yes}))
    assert both["data_categories"] == ["identification", "employment", "work_performance"]
    shown = [(p.field, p.value) for p in winning(proposals(answers))]
    assert ("category", "generative_assistant") not in shown
    assert ("ai_act.risk_class", "limited") not in shown


@pytest.mark.parametrize("answer", [Answer.yes, Answer.no])
def test_every_combination_of_two_answers_is_a_valid_system(answer: Answer) -> None:
    for first, second in itertools.combinations(QUESTIONS, 2):
        document = proposed_document({first: answer, second: Answer.yes})
        SystemFields.model_validate({**REQUIRED, **document})


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_proposal_has_a_reason_and_fills_the_form(lang: str) -> None:
    words = Words(lang)
    t = translator(lang)
    for answer in (Answer.yes, Answer.no):
        answers = dict.fromkeys(QUESTIONS, answer)
        views = proposal_views(answers, words)
        assert views, answer
        for view in views:
            assert view.reason, view.field
            assert not view.reason.startswith("guide."), f"no text for {view.field}: {view.reason}"
        groups = form_groups(("about", "data", "decisions", "rules"), words, [])
        values = values_of(proposed_document(answers), groups)
        if answer is Answer.yes:
            assert values["category"] == "monitoring"
            assert values["ai_act.annex_iii_point"] == "4(a)"
    for question in QUESTIONS:
        assert t(f"guide.question.{question}").endswith("?")


def test_nested_makes_groups_of_column_keys() -> None:
    assert nested({"a.b": 1, "a.c": 2, "d": 3}) == {"a": {"b": 1, "c": 2}, "d": 3}


def test_every_rule_belongs_to_a_duty_and_the_checklist_groups_by_it() -> None:
    duties = {rule.id: duty_of(rule.id) for rule in RULES}
    assert set(duties.values()) == {"notice", "ai_act", "gdpr", "apv"}
    assert duties["control_measure.notice_missing"] == "notice"
    assert duties["high_risk.no_trained_overseer"] == "ai_act"
    assert duties["apv.outdated"] == "apv"
    findings = [
        Finding(
            "gdpr.retention_missing", Severity.warning, Message("finding.gdpr.retention_missing"), "", ()
        ),
        Finding("control_measure.notice_missing", Severity.violation, Message("x"), "", ()),
    ]
    views = checklist(findings, translator("da"))
    assert [view.id for view in views] == ["notice", "gdpr"]
    assert views[0].heading == "For at varsle og inddrage rigtigt mangler:"
    assert views[0].items[0][0] == "Regel ikke overholdt"
    assert views[0].items[0][1]  # an unknown message reads as the rule's own description
    assert checklist([], translator("da")) == []
