"""The database: the engine chosen by AIREG_DATABASE_URL, transactions for writes, the SQL that
differs between SQLite and PostgreSQL, reads on the hot path, and bringing the schema up to date."""

from registry.db.dialect import Dialect, dialect_of
from registry.db.engine import (
    EmbeddedSQLiteEngine,
    RegisterPostgresEngine,
    engine_for_url,
    engine_from_settings,
    is_sqlite,
    pooled_connections,
    write_transaction,
)
from registry.db.reads import GroupedReads, OwnConnection, fetch_by_id, fetch_tuples, postgres_connection
from registry.db.settings import DatabaseSettings

__all__ = [
    "DatabaseSettings",
    "Dialect",
    "EmbeddedSQLiteEngine",
    "GroupedReads",
    "OwnConnection",
    "RegisterPostgresEngine",
    "dialect_of",
    "engine_for_url",
    "engine_from_settings",
    "fetch_by_id",
    "fetch_tuples",
    "is_sqlite",
    "pooled_connections",
    "postgres_connection",
    "write_transaction",
]
