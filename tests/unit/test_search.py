"""Text search without HTTP: how text and queries are cut into words, and the SQL each engine gets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from registry.db import Dialect
from registry.errors import InvalidQuery
from registry.systems.search import (
    STOP_WORDS,
    TextQuery,
    indexed_text,
    text_condition,
    tsquery_text,
    words_of,
)
from tests.support.postgres import _in_ci

SQLITE = Dialect("sqlite")
POSTGRES = Dialect("postgres")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("GPS-styring, Ærø!", ["gps", "styring", "ærø"]),
        ("ÆBLEGRØD på ÅEN", ["æblegrød", "på", "åen"]),
        ("Trivselsmåling 50%_rabat", ["trivselsmåling", "50", "rabat"]),  # % and _ separate words
        ("e-mail: hr@firma.dk (beta)", ["e", "mail", "hr", "firma", "dk", "beta"]),
        ("robot🤖assistent", ["robot", "assistent"]),
        ("A\u030aen", ["åen"]),  # a + combining ring, as some keyboards send it, is å
        ("ﬁlter ²", ["filter", "2"]),  # compatibility forms (NFKC)
        ("Straße", ["strasse"]),  # case folding, not only lower-casing
        ("v2.0 4G", ["v2", "0", "4g"]),
        ("  ", []),
        ("%_-!?", []),
    ],
)
def test_words_of(text: str, words: list[str]) -> None:
    assert words_of(text) == words


def test_indexed_text_is_the_words_of_the_fields_separated_by_single_spaces() -> None:
    assert indexed_text(["Rute-planner", None, "", "Eksempel  A/S"]) == "rute planner eksempel a s"
    assert indexed_text([None, ""]) == ""


def test_a_query_keeps_each_word_once_in_order() -> None:
    assert TextQuery.parse("Rute rute, RUTE planlægning").words == ("rute", "planlægning")


@pytest.mark.parametrize("q", ["", "   ", "%", "_-_", "🤖🤖"])
def test_a_query_without_words_names_q(q: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        TextQuery.parse(q)
    assert [problem.field for problem in caught.value.problems] == ["q"]


def test_stop_words_are_left_out_per_language() -> None:
    query = TextQuery.parse("hjælper med at skrive the letters")
    assert query.terms("danish") == ("hjælper", "skrive", "the", "letters")
    assert query.terms("english") == ("hjælper", "med", "skrive", "letters")
    assert query.groups() == [query.terms("danish"), query.terms("english")]
    assert TextQuery.parse("rute").groups() == [("rute",)]  # the same in both: one group
    assert TextQuery.parse("og").groups() == [("og",)]  # Danish stop word, English word
    assert TextQuery.parse("for over").groups() == []  # stop words in both languages


def test_tsquery_text_asks_for_every_word_as_a_prefix() -> None:
    assert tsquery_text(["rute", "ærø", "4g"]) == "'rute':* & 'ærø':* & '4g':*"


def test_postgres_gets_one_full_text_clause_per_language() -> None:
    clause, args = text_condition(POSTGRES, TextQuery.parse("Hjælper med AI"))
    assert clause == (
        "(\"search_danish\" @@ to_tsquery('danish', {}) OR \"search_english\" @@ to_tsquery('english', {}))"
    )
    assert args == ["'hjælper':* & 'ai':*", "'hjælper':* & 'med':* & 'ai':*"]


def test_only_stop_words_match_nothing_on_both_engines() -> None:
    for dialect in (SQLITE, POSTGRES):
        assert text_condition(dialect, TextQuery.parse("for over")) == ("1 = 0", [])


def _sqlite_matches(text: str, q: str) -> bool:
    clause, args = text_condition(SQLITE, TextQuery.parse(q))
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE t (search_text TEXT)")
        db.execute("INSERT INTO t VALUES (?)", [indexed_text([text])])
        sql = "SELECT count(*) FROM t WHERE " + clause.format(*(["?"] * len(args)))  # noqa: S608
        return bool(db.execute(sql, args).fetchone()[0])


@pytest.mark.parametrize(
    ("text", "q", "matches"),
    [
        ("Ruteplanlægning i hjemmeplejen", "hjemmeplejen", True),
        ("Ruteplanlægning i hjemmeplejen", "HJEMME", True),  # the beginning of a word
        ("Ruteplanlægning i hjemmeplejen", "planlægning", False),  # not the inside of a word
        ("Ruteplanlægning i hjemmeplejen", "hjemmeplejens", False),  # no stemming on SQLite
        ("Ruteplanlægning i hjemmeplejen", "rute pleje", False),  # every word must begin a word
        ("Ruteplanlægning i hjemmeplejen", "i", False),  # a stop word in both languages
        ("GPS-styring af chauffører", "gps styring", True),
        ("GPS-styring af chauffører", "styring af", True),  # "af": Danish stop word, English word
        ("GPS-styring af chauffører", "styring of", True),  # "of" is left out in English (a stop word)
        ("Trivselsmåling 50%_rabat", "50%", True),
        ("Trivselsmåling 50%_rabat", "trivsels%ling", False),  # % is no wildcard
        ("Trivselsmåling 50%_rabat", "_rabat", True),  # _ is no wildcard either
        ("Æblegrød på Ærø", "ÆRØ æble", True),
    ],
)
def test_the_sqlite_fallback(text: str, q: str, matches: bool) -> None:
    assert _sqlite_matches(text, q) is matches


def test_the_stop_words_are_postgresqls() -> None:
    files = sorted(Path("/usr/share/postgresql").glob("*/tsearch_data"))
    if not files:
        reason = "PostgreSQL is not installed here, so its stop-word files cannot be compared"
        if _in_ci():  # CI installs it (scripts/ensure-postgres.sh): a skip there would hide the check
            pytest.fail(reason)
        pytest.skip(reason)
    for language, words in STOP_WORDS.items():
        shipped = (files[-1] / f"{language}.stop").read_text(encoding="utf-8").split()
        assert words == frozenset(shipped), language
