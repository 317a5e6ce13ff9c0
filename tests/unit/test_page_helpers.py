"""The web interface's catalogue, field explanations and security helpers, without HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from api.i18n import Translator, legal_source, translator
from api.i18n.catalogues import texts
from api.pages.forms import read_answer, read_filters, read_question
from api.pages.security import csrf_matches, csrf_token, local_path, origin_of, same_origin
from api.pages.views import FIELD_GROUPS
from registry.obligations.rules import rule_catalogue
from registry.systems.models import SYSTEM_FIELD_NAMES

DA, EN = texts("da"), texts("en")
CATALOGUES = {"da": DA, "en": EN}

# --- the catalogue ------------------------------------------------------------------------------------


def only_placeholders(text: str) -> bool:
    return not re.sub(r"{[^}]*}", "", text).strip()


# "version" is the same word in both languages.
SAME_IN_BOTH = {"apv.version", "history.version", "format.weeks_and_days"}


def test_no_text_is_left_untranslated() -> None:
    same = [
        key
        for key in DA
        if DA[key] == EN[key]
        and len(DA[key]) > 6
        and key not in SAME_IN_BOTH
        and not only_placeholders(DA[key])
    ]
    assert same == []


def test_every_field_says_why_it_matters_and_where_the_rule_comes_from() -> None:
    for lang, words in CATALOGUES.items():
        missing = [f for f in SYSTEM_FIELD_NAMES if f"why.{f}" not in words or f"source.{f}" not in words]
        assert missing == [], lang
        assert all(len(words[f"why.{f}"]) <= 140 for f in SYSTEM_FIELD_NAMES), "one line each"
    assert {key.split(".", 1)[1] for key in DA if key.startswith("why.")} == set(SYSTEM_FIELD_NAMES)


def test_every_field_is_shown_in_exactly_one_group() -> None:
    grouped = [name for _, names in FIELD_GROUPS for name in names]
    assert sorted(grouped) == sorted(SYSTEM_FIELD_NAMES)
    for group, _ in FIELD_GROUPS:
        assert f"fields.group.{group}" in DA


def test_a_translator_fills_placeholders_and_chooses_plurals() -> None:
    t = translator("da")
    assert t("login.button") == "Log ind"
    assert t("history.title") == "Ændringshistorik"
    assert t.plural("badge.open-findings", 3) == "3 åbne punkter"
    assert t.plural("badge.open-findings", 1) == "1 åbent punkt"
    assert Translator("en")("login.button") == "Log in"
    with pytest.raises(KeyError):
        t("no.such.key")


def test_legal_sources_are_put_in_english_on_english_pages() -> None:
    assert legal_source("AI-forordningen art. 5, stk. 1, litra f", translator("en")) == "AI Act Art. 5(1)(f)"
    assert legal_source("Arbejdsmiljøloven § 15 a", translator("en")) == "Working Environment Act § 15a"
    assert (
        legal_source("AI-forordningen art. 26, stk. 7", translator("da")) == "AI-forordningen art. 26, stk. 7"
    )
    danish_words = ("forordning", "stk.", "litra", "loven", "aftalen", " og ")
    for rule in rule_catalogue():
        english = legal_source(rule["source"], translator("en"))
        assert not [w for w in danish_words if w in english], english


# --- forms --------------------------------------------------------------------------------------------


def test_a_correction_must_name_a_known_field() -> None:
    t = Translator("da")
    state, fields = read_question({"kind": "correction", "text": "Forkert"}, t)
    assert fields is None
    assert state.errors["field"] == "Vælg den oplysning, du mener er forkert."
    assert state.values["text"] == "Forkert"
    state, fields = read_question({"kind": "correction", "text": "Forkert", "field": "access"}, t)
    assert fields is not None
    assert fields.fields == ["access"]
    assert state.errors["text"] is None


def test_an_answer_keeps_what_was_written_when_something_is_wrong() -> None:
    state, fields = read_answer(
        {"text": "Svar", "committee": "board", "minutes_ref": "pkt. 4"}, Translator("en")
    )
    assert fields is None
    assert state.errors["committee"] == "Choose one of the options in the list."
    assert (state.values["text"], state.values["minutes_ref"]) == ("Svar", "pkt. 4")


def test_filters_offer_only_the_readers_units_and_known_values() -> None:
    unit = "2b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    t = Translator("da")
    state, filters = read_filters(
        {"unit_id": unit.upper(), "monitoring": "1", "q": "rute"}, frozenset({unit}), t
    )
    assert filters is not None
    assert (filters.unit_id, filters.monitoring, filters.q, filters.open_findings) == (
        unit,
        True,
        "rute",
        None,
    )
    state, filters = read_filters({"unit_id": unit, "status": "live"}, frozenset(), t)
    assert filters is None
    assert set(state.errors) == {"unit_id", "status"}


# --- security helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("/systems/1?x=2#history", "/systems/1?x=2#history"),
        ("/register", "/register"),
        ("//evil.example", "/register"),
        ("/\\evil.example", "/register"),
        ("https://evil.example/", "/register"),
        ("javascript:alert(1)", "/register"),
        ("/ok\r\nSet-Cookie: x=1", "/register"),
        ("", "/register"),
        (None, "/register"),
    ],
)
def test_redirects_stay_on_this_site(candidate: str | None, expected: str) -> None:
    assert local_path(candidate) == expected


def test_csrf_tokens_are_tied_to_the_session_and_compared_safely() -> None:
    one, other = csrf_token("session-one"), csrf_token("session-two")
    assert one != other
    assert len(one) == 64
    assert csrf_matches(one, one)
    assert not csrf_matches(one, other)
    assert not csrf_matches("", "")  # no session, no token that matches


@dataclass
class FakeUrl:
    scheme: str = "http"


@dataclass
class FakeConnection:
    headers: dict[str, str] = field(default_factory=dict)
    url: FakeUrl = field(default_factory=FakeUrl)


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),
        ({"host": "register.test", "origin": "http://register.test"}, True),
        ({"host": "internal:8000", "origin": "https://register.example.dk"}, True),  # the public URL
        ({"host": "register.test", "origin": "https://evil.example"}, False),
        ({"host": "register.test", "origin": "null"}, False),
        ({"sec-fetch-site": "same-origin"}, True),
        ({"sec-fetch-site": "none"}, True),
        ({"sec-fetch-site": "same-site"}, False),
        ({"sec-fetch-site": "cross-site"}, False),
    ],
)
def test_form_posts_from_other_sites_are_recognised(headers: dict[str, str], allowed: bool) -> None:
    connection: Any = FakeConnection(headers=headers)
    assert same_origin(connection, "https://register.example.dk/") is allowed


def test_origin_of_a_url() -> None:
    assert origin_of("https://Register.Example.dk:8443/path?q") == "https://register.example.dk:8443"
