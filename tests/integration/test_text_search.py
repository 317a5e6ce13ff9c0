"""Text search (`q`) gives the same systems on SQLite and on PostgreSQL.

This file runs on SQLite by default and on PostgreSQL in test_postgres.py's re-run of the integration
suite (AIREG_TEST_DATABASE_URL). Both engines search the same words (registry/systems/search.py): each word of
`q` must begin a word of the system, in Danish or in English, stop words left out. PostgreSQL also
stems; SQLite cannot. So:

* The QUERIES below agree by construction: every word of each query begins, as written, a word of each
  system expected, and no other system of the corpus has a word with the same Danish or English stem
  as a query word that the query word does not begin (no other inflection of it). Both engines must
  give exactly the expected set.
* STEMMED queries are the cases where the engines differ on purpose: a test per engine, each skipped
  (with its reason, shown by `-ra`) on the other engine.
"""

from __future__ import annotations

import importlib
import uuid
from urllib.parse import quote

import pytest

from registry.db import dialect_of
from registry.systems.search import TextQuery, text_condition
from registry.systems.tables import AISystem
from tests.support.world import API, World, system_body

ON_POSTGRES = AISystem._meta.db.engine_type == "postgres"
SEARCH_MIGRATION = "migrations.registry.registry_2026_11_29t21_07_24_525760"

# Systems of organization 0, besides the world's own ("Ruteplanlægning i hjemmeplejen", named "base").
CORPUS: dict[str, dict[str, object]] = {
    "vagt": {
        "name": "Vagtplanlægning med AI",
        "vendor": "Nordisk Planlægning ApS",
        "purpose": "Foreslår vagtplaner ud fra medarbejdernes ønsker og fravær.",
        "category": "decision_support",
        "status": "in_use",
    },
    "gps": {
        "name": "Kørselsregistrering",
        "vendor": "FleetTrack Ltd",
        "purpose": "GPS tracking of vehicles and driving behaviour for route optimisation.",
        "description": "Registrerer kørte kilometer for hver bil.",
        "category": "monitoring",
        "control_measure": True,
        "status": "in_use",
    },
    "chat": {
        "name": "Intern chatassistent",
        "vendor": "OpenAI",
        "product": "ChatGPT Enterprise",
        "purpose": "Hjælper medarbejdere med at skrive breve og opsummere sager.",
        "category": "generative_assistant",
        "status": "pilot",
    },
    "sick": {
        "name": "Sygefraværsanalyse",
        "vendor": "Ærø Data A/S",
        "purpose": "Finder mønstre i sygefravær på tværs af afdelinger.",
        "category": "analytics",
        "status": "planned",
    },
    "cv": {
        "name": "CV screening",
        "vendor": "TalentSoft Inc.",
        "purpose": "Ranks job applicants by their CVs.",
        "description": "Screening of applications for recruitment.",
        "category": "decision_support",
        "status": "suspended",
    },
    "mail": {
        "name": "E-mail-sortering (beta)",
        "vendor": "Københavns Kommune IT",
        "purpose": "Sorterer indgående e-mails til den rette afdeling.",
        "description": "Sprogmodel med 95% træfsikkerhed.",
        "category": "automation",
        "status": "in_use",
    },
}

# (q, other filters, the systems expected): the same on both engines.
QUERIES: list[tuple[str, str, set[str]]] = [
    ("vagtplanlægning", "", {"vagt"}),  # one word
    ("VagtPlan", "", {"vagt"}),  # mixed case; the beginning of a word
    ("gps tracking", "", {"gps"}),  # two words
    ("tracking gps", "", {"gps"}),  # in any order
    ("chatgpt medarbejdere", "", {"chat"}),  # two words from two fields
    ("hjælper med at skrive", "", {"chat"}),  # "med" and "at" are Danish stop words
    ("sygefravær", "", {"sick"}),  # æ; also begins "sygefraværsanalyse"
    ("ÆRØ", "", {"sick"}),  # a word only in the vendor, upper-case æ and ø
    ("københavns", "", {"mail"}),  # ø, in the vendor
    ("talentsoft", "", {"cv"}),  # only in the vendor
    ("FleetTrack", "", {"gps"}),  # only in the vendor
    ("e-mail", "", {"mail"}),  # punctuation separates words
    ("(beta)", "", {"mail"}),
    ("sygefravær?!", "", {"sick"}),
    ("cv-screening", "", {"cv"}),
    ("95%", "", {"mail"}),  # % is no wildcard, only punctuation
    ("planlægning", "", {"vagt"}),  # a word, not the inside of "ruteplanlægning"
    ("ruteplanlægning", "", {"base"}),  # never another organization's system
    ("screening", "category=decision_support", {"cv"}),  # with other filters
    ("screening", "status=in_use", set()),
    ("sygefravær", "status=planned", {"sick"}),
    ("kørsel tracking", "control_measure=true", {"gps"}),
    ("blockchain", "", set()),  # no match
    ("applicants blockchain", "", set()),  # every word must match
    ("for", "", set()),  # a stop word in both languages: nothing to look for
]

# q -> what each engine finds. Different inflections share a stem only on PostgreSQL.
STEMMED: dict[str, dict[str, set[str]]] = {
    # "planlægningen" and "planlægning" (the vendor of vagt) share the Danish stem "planlægning".
    "planlægningen": {"postgres": {"vagt"}, "sqlite": set()},
    # "medarbejdere" and "medarbejdernes" (vagt) share the Danish stem "medarbejd".
    "medarbejdere": {"postgres": {"base", "chat", "vagt"}, "sqlite": {"base", "chat"}},
}


async def _corpus(world: World) -> dict[str, str]:
    ids = {"base": world.systems[0]}
    for key, fields in CORPUS.items():
        r = await world.client.post(
            f"{API}/organizations/{world.orgs[0]}/systems",
            json=system_body(**fields),
            headers=world.headers("employer_admin", 0),
        )
        assert r.status_code == 201, r.text
        ids[key] = r.json()["id"]
    return ids


async def _found(world: World, ids: dict[str, str], q: str, filters: str = "") -> set[str]:
    query = f"q={quote(q)}" + (f"&{filters}" if filters else "")
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems?{query}", headers=world.headers("steward", 0)
    )
    assert r.status_code == 200, (q, r.text)
    names = {system_id: key for key, system_id in ids.items()}
    return {names.get(item["id"], item["id"]) for item in r.json()["items"]}


async def test_the_queries_find_the_same_systems_on_both_engines(world: World) -> None:
    ids = await _corpus(world)
    wrong = []
    for q, filters, expected in QUERIES:
        found = await _found(world, ids, q, filters)
        if found != expected:
            wrong.append(f"q={q!r} {filters}: found {sorted(found)}, expected {sorted(expected)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.skipif(not ON_POSTGRES, reason="stemming is PostgreSQL's full-text search; SQLite has none")
async def test_postgres_also_finds_other_inflections(world: World) -> None:
    ids = await _corpus(world)
    for q, expected in STEMMED.items():
        assert await _found(world, ids, q) == expected["postgres"], q


@pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL stems: see test_postgres_also_finds_other_inflections")
async def test_sqlite_finds_words_only_as_written(world: World) -> None:
    ids = await _corpus(world)
    for q, expected in STEMMED.items():
        assert await _found(world, ids, q) == expected["sqlite"], q


async def test_a_change_is_searched_by_its_new_words(world: World) -> None:
    admin = world.headers("employer_admin", 0)
    r = await world.client.patch(
        f"{API}/systems/{world.systems[0]}",
        json={"vendor": "Nyt Firma-Navn A/S"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text
    ids = {"base": world.systems[0]}
    assert await _found(world, ids, "firma navn") == {"base"}
    assert await _found(world, ids, "eksempel") == set()  # the old vendor's word is gone


@pytest.mark.parametrize("q", ["%", "_", "   ", "!?", "-- ;", "🤖", "%_%"])
async def test_a_q_without_words_is_a_400_naming_q(world: World, q: str) -> None:
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems",
        params={"q": q},
        headers=world.headers("steward", 0),
    )
    assert r.status_code == 400, (q, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "q" in {e["field"] for e in r.json()["errors"]}


@pytest.mark.parametrize("q", ["", "x" * 201])
async def test_an_empty_or_too_long_q_is_a_400_naming_q(world: World, q: str) -> None:
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems",
        params={"q": q},
        headers=world.headers("steward", 0),
    )
    assert r.status_code == 400, r.text
    assert "q" in {e["field"] for e in r.json()["errors"]}


@pytest.mark.parametrize(
    "q",
    [
        "rute & !planlægning | (x <-> y):*",  # tsquery syntax is only punctuation here
        "' OR 1=1 --",
        "o'brien\\ d'arc",
        "a:* b:A",
        " ".join(["o"] * 100),  # 199 characters, 100 words
        " ".join(f"w{i}" for i in range(45)),  # 45 different words
    ],
)
async def test_hostile_queries_are_only_words(world: World, q: str) -> None:
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems",
        params={"q": q},
        headers=world.headers("steward", 0),
    )
    assert r.status_code == 200, (q, r.text)


async def test_search_indexes_exist_only_on_postgres_and_are_used() -> None:
    engine = AISystem._meta.db
    if not ON_POSTGRES:
        rows = await AISystem.raw("SELECT name FROM sqlite_master WHERE name LIKE 'ai_system_search%'")
        assert rows == []  # the migration does nothing to SQLite's schema
        return
    rows = await AISystem.raw("SELECT indexname FROM pg_indexes WHERE tablename = 'ai_system'")
    assert {"ai_system_search_danish", "ai_system_search_english"} <= {row["indexname"] for row in rows}
    clause, args = text_condition(dialect_of(engine), TextQuery.parse("vagtplan sygefravær"))
    async with engine.transaction():
        await AISystem.raw("SET LOCAL enable_seqscan = off")  # an empty table would be scanned anyway
        plan = await AISystem.raw(f'EXPLAIN SELECT "id" FROM "ai_system" WHERE {clause}', *args)  # noqa: S608
    text = "\n".join(str(next(iter(row.values()))) for row in plan)
    assert "ai_system_search_danish" in text, text
    assert "ai_system_search_english" in text, text
    assert "to_tsvector" not in text, text  # the stored vectors are compared, not computed per row


async def test_postgres_keeps_the_word_vectors_itself() -> None:
    if not ON_POSTGRES:
        pytest.skip("SQLite has no stored word vectors; its search reads search_text")
    rows = await AISystem.raw(
        "SELECT column_name, is_generated, generation_expression FROM information_schema.columns "
        "WHERE table_name = 'ai_system' AND data_type = 'tsvector' ORDER BY column_name"
    )
    assert [(row["column_name"], row["is_generated"]) for row in rows] == [
        ("search_danish", "ALWAYS"),
        ("search_english", "ALWAYS"),
    ]
    assert all("search_text" in row["generation_expression"] for row in rows)


async def test_postgres_stores_documents_inline_and_uncompressed(world: World) -> None:
    if not ON_POSTGRES:
        pytest.skip("SQLite stores rows as they are")
    # A page of the list then reads its documents as they lie: no decompression (migration of
    # 2026-11-30 00:25, docs/benchmarks.md). A document of 3 kB would be compressed by default.
    r = await world.client.patch(
        f"{API}/systems/{world.systems[0]}",
        json={"description": "Planlægger besøg og køreruter for hjemmeplejens medarbejdere. " * 30},
        headers={**world.headers("employer_admin", 0), "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text
    rows = await AISystem.raw(
        'SELECT pg_column_compression("document") AS compression, '
        'pg_column_size("document") >= octet_length("document"::text) AS whole, '
        'octet_length("document"::text) AS size FROM "ai_system"'
    )
    assert max(row["size"] for row in rows) > 3000
    assert len(rows) == len(world.systems)
    assert all(row["compression"] is None and row["whole"] for row in rows), rows


async def test_the_migration_rewrites_search_text_of_existing_systems(world: World) -> None:
    # As earlier versions wrote it: the fields lower-cased, punctuation and all.
    await AISystem.raw(
        'UPDATE "ai_system" SET "search_text" = {} WHERE "id" = {}',
        "ruteplanlægning i hjemmeplejen eksempel software a/s planlægger besøg.",
        uuid.UUID(world.systems[0]),
    )
    migration = importlib.import_module(SEARCH_MIGRATION)
    await migration.rewrite_search_text()
    rows = await AISystem.select(AISystem.id, AISystem.search_text)
    texts = {str(row["id"]): row["search_text"] for row in rows}
    assert texts[world.systems[0]] == (
        "ruteplanlægning i hjemmeplejen eksempel software a s planlægger besøg og køreruter for "
        "hjemmeplejens medarbejdere"
    )
    assert texts[world.systems[0]] == texts[world.systems[1]]  # the same fields, written by the service
