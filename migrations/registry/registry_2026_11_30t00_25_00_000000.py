"""The list's rows on PostgreSQL: stored word vectors, and documents kept inline and uncompressed.

1. Text search. The migration of 2026-11-29 21:07 indexed `to_tsvector(<language>, search_text)` as GIN
   expression indexes. A list walks its organization's sort index in page order, and with a text
   search PostgreSQL computed both vectors for every row it passed, about 10 microseconds each: some
   50 ms for a page in an organization of 5,000 systems. Now each language's vector is a generated
   column, kept by PostgreSQL itself on every insert and update, and the GIN indexes are on those
   columns (registry/systems/search.py text_condition compares them): 1.2 ms for that page.
2. Documents. A system's document is about 2.4 kB of JSON, so with the default `toast_tuple_target`
   (about 2 kB) PostgreSQL compressed every one, and a page of 50 cost 0.9 ms of PostgreSQL's CPU to
   decompress (pglz; 0.6 ms with lz4). With the target at its maximum a row is compressed only when it
   does not fit in about 8 kB, and the page costs 0.26 ms. The table takes about 40% more space.
   Existing documents are rewritten (`USING document::text::json`) so they are stored the new way.

Both happen in one rewrite of `ai_system`, inside the migration's transaction, so writes to the table
wait until the migration ends (about four minutes for a million systems on a two-core machine).
PostgreSQL only; SQLite's schema is left as it is (its search reads `search_text`, see
registry/systems/search.py, and it stores documents inline anyway).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from registry.systems.search import LANGUAGES, VECTOR_COLUMNS

ID = "2026-11-30T00:25:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ai_system on PostgreSQL: stored tsvector columns, GIN-indexed; documents inline, uncompressed"

# PostgreSQL's largest toast_tuple_target (a page less its header); 2032 is the default.
ROW_TARGET = 8160
DEFAULT_ROW_TARGET = 2032


class RawStatement(Table):
    """Only a handle for running the statements below."""


def _on_postgres() -> bool:
    return RawStatement._meta.db.engine_type != "sqlite"


def _index(language: str) -> str:
    return f"ai_system_search_{language}"


async def _rewrite(*actions: str) -> None:
    await RawStatement.raw('ALTER TABLE "ai_system" ' + ", ".join(actions))


async def store_vectors_and_documents() -> None:
    if not _on_postgres():
        return
    for language in LANGUAGES:  # the expression indexes of the earlier migration
        await RawStatement.raw(f"DROP INDEX IF EXISTS {_index(language)}")
    # Set first: the rewrite below stores each row under the new target.
    await RawStatement.raw(f'ALTER TABLE "ai_system" SET (toast_tuple_target = {ROW_TARGET})')
    # One statement, one rewrite of the table: the new columns, and every document stored afresh.
    await _rewrite(
        *(
            f'ADD COLUMN IF NOT EXISTS "{VECTOR_COLUMNS[language]}" tsvector '
            f"GENERATED ALWAYS AS (to_tsvector('{language}', \"search_text\")) STORED"
            for language in LANGUAGES
        ),
        'ALTER COLUMN "document" TYPE json USING "document"::text::json',
    )
    for language in LANGUAGES:
        await RawStatement.raw(
            f'CREATE INDEX IF NOT EXISTS {_index(language)} ON "ai_system" '
            f'USING gin ("{VECTOR_COLUMNS[language]}")'
        )
    # Without statistics on the new columns the planner guesses how many systems a word matches,
    # and for a common word it then reads the word's whole posting list from the GIN index (179 ms a
    # page at a million systems) instead of walking the organization's own rows (1.2 ms).
    await RawStatement.raw('ANALYZE "ai_system"')


async def compute_vectors() -> None:
    """Backwards: the earlier migration's expression indexes and the default row target. Documents
    stay as they are stored; PostgreSQL compresses them again as they are written."""
    if not _on_postgres():
        return
    for language in LANGUAGES:
        await RawStatement.raw(f"DROP INDEX IF EXISTS {_index(language)}")
    await _rewrite(*(f'DROP COLUMN IF EXISTS "{VECTOR_COLUMNS[language]}"' for language in LANGUAGES))
    await RawStatement.raw(f'ALTER TABLE "ai_system" SET (toast_tuple_target = {DEFAULT_ROW_TARGET})')
    for language in LANGUAGES:
        await RawStatement.raw(
            f'CREATE INDEX IF NOT EXISTS {_index(language)} ON "ai_system" '
            f"USING gin (to_tsvector('{language}', \"search_text\"))"
        )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(store_vectors_and_documents)
    manager.add_raw_backwards(compute_vectors)
    return manager
