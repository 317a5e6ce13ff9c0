"""Text search over AI systems (`q`): one meaning on both engines.

Both the stored text and the query are cut into words here, in Python, the same way: letters and digits
(any script, so æ, ø and å too), after Unicode normalisation (NFKC) and case folding; everything else
(spaces, punctuation, `%`, `_`, `-`, emoji) only separates words. `search_text` holds the words of
SEARCHED_FIELDS joined by single spaces.

A system matches when, in Danish or in English, every word of the query that is not a stop word of that
language begins a word of the system. Every word is a prefix (not only the last one): the register's
search is a form, not search-as-you-type, and Danish inflects and compounds at the end of words
("hjemmepleje" should find "hjemmeplejens", "løn" should find "lønsystem").

- PostgreSQL: full-text search, `search_<language> @@ to_tsquery(<language>, 'w1':* & 'w2':*)` for
  danish and english, ORed, where `search_<language>` is a stored column generated as
  `to_tsvector(<language>, search_text)` and GIN-indexed (migrations of 2026-11-29). Words are stemmed,
  so inflections also match ("planlægningen" finds "planlægning").
- SQLite: the same test without a stemmer: each word must begin a word of the text (`instr` on the
  space-separated words; no LIKE, so nothing in `q` is a wildcard). The stop words are PostgreSQL's
  (Snowball's lists, as shipped in PostgreSQL 15), so the two engines agree on every query whose
  words occur in the systems as written; they differ only where stemming relates two different
  spellings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from registry.db.dialect import Dialect
from registry.errors import FieldProblem, InvalidQuery

# The fields whose words are searched, in the order they are written into `search_text`.
SEARCHED_FIELDS = ("name", "vendor", "product", "description", "purpose", "operator_name")
# PostgreSQL text-search configurations, in the order their clauses are written.
LANGUAGES = ("danish", "english")
# On PostgreSQL, each language's words of `search_text` as a stored, generated tsvector column.
VECTOR_COLUMNS = {language: f"search_{language}" for language in LANGUAGES}

_WORD = re.compile(r"[^\W_]+")

# PostgreSQL 15's tsearch_data/danish.stop and english.stop (Snowball), as text: a unit test compares them
# with the files of an installed PostgreSQL.
_DANISH_STOP = """
og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi
min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her
alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle denne end dette mit
også under have dig anden hende mine alt meget sit sine vor mod disse hvis din nogle hos blive
mange ad bliver hendes været thi jer sådan
"""
_ENGLISH_STOP = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing a an the
and but if or because as until while of at by for with about against between into through
during before after above below to from up down in out on off over under again further then
once here there when where why how all any both each few more most other some such no nor not
only own same so than too very s t can will just don should now
"""
STOP_WORDS: dict[str, frozenset[str]] = {
    "danish": frozenset(_DANISH_STOP.split()),
    "english": frozenset(_ENGLISH_STOP.split()),
}


def words_of(text: str) -> list[str]:
    """The words of `text`, normalised and case-folded: 'GPS-styring, Ærø!' -> ['gps', 'styring', 'ærø']."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def indexed_text(values: Iterable[object]) -> str:
    """What `search_text` holds for these field values: their words, separated by single spaces."""
    return " ".join(word for value in values if value for word in words_of(str(value)))


@dataclass(frozen=True)
class TextQuery:
    """The words of a `q`, each searched as the beginning of a word."""

    words: tuple[str, ...]

    @classmethod
    def parse(cls, q: str) -> TextQuery:
        words = tuple(dict.fromkeys(words_of(q)))  # in order, each once
        if not words:
            raise InvalidQuery(
                "The search has no words to look for; use letters or digits.",
                problems=[FieldProblem("q", "has no letters or digits")],
            )
        return cls(words)

    def terms(self, language: str) -> tuple[str, ...]:
        """The words searched in `language`: PostgreSQL leaves out its stop words, so this does too."""
        stop = STOP_WORDS[language]
        return tuple(word for word in self.words if word not in stop)

    def groups(self) -> list[tuple[str, ...]]:
        """The distinct non-empty term lists, one per language; a system matches when it has every
        term of one of them. Empty when every word is a stop word in both languages."""
        found: list[tuple[str, ...]] = []
        for language in LANGUAGES:
            terms = self.terms(language)
            if terms and terms not in found:
                found.append(terms)
        return found


def tsquery_text(terms: Iterable[str]) -> str:
    """A `to_tsquery` input requiring every term as a prefix. Terms are letters and digits only (see
    words_of), so nothing in them is tsquery syntax."""
    return " & ".join(f"'{term}':*" for term in terms)


__all__ = [
    "LANGUAGES",
    "SEARCHED_FIELDS",
    "STOP_WORDS",
    "VECTOR_COLUMNS",
    "TextQuery",
    "indexed_text",
    "text_condition",
    "tsquery_text",
    "words_of",
]


def text_condition(dialect: Dialect, query: TextQuery) -> tuple[str, list[Any]]:
    """The WHERE condition (and its arguments) that holds when every word of the query begins a word
    of `search_text`, in Danish or in English. PostgreSQL: full-text search, stemmed, on the stored
    vector columns and their GIN indexes. SQLite: `instr` on the space-separated words of
    `search_text`, so nothing is a wildcard."""
    if not dialect.sqlite:
        clauses, args = [], []
        for language in LANGUAGES:
            if terms := query.terms(language):
                clauses.append(f"\"{VECTOR_COLUMNS[language]}\" @@ to_tsquery('{language}', {{}})")
                args.append(tsquery_text(terms))
    else:
        groups = query.groups()
        words = "' ' || \"search_text\""  # each word is then preceded by a space
        clauses = ["(" + " AND ".join([f"instr({words}, {{}}) > 0"] * len(g)) + ")" for g in groups]
        args = [f" {term}" for group in groups for term in group]
    # Only stop words: nothing to look for, as PostgreSQL's own empty query matches nothing.
    return ("(" + " OR ".join(clauses) + ")" if clauses else "1 = 0"), args
