"""Database engine selection and the few engine-specific helpers the services need."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from piccolo.columns import Array, Column
from piccolo.columns.combination import Where, WhereRaw
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from registry.errors import ConfigurationError
from registry.settings import DatabaseSettings

SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")


def engine_for_url(url: str, *, sqlite_timeout: float = 30.0) -> Engine:
    if url.startswith(SQLITE_PREFIX):
        path = Path(url.removeprefix(SQLITE_PREFIX))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=sqlite_timeout)
    scheme = urlsplit(url).scheme.split("+", 1)[0]
    if scheme in POSTGRES_SCHEMES:
        return PostgresEngine(config={"dsn": url})
    raise ConfigurationError(
        "AIREG_DATABASE_URL must start with sqlite:/// or postgresql://", setting="AIREG_DATABASE_URL"
    )


def engine_from_settings(settings: DatabaseSettings | None = None) -> Engine:
    settings = settings or DatabaseSettings()
    return engine_for_url(
        settings.resolved_database_url(), sqlite_timeout=settings.sqlite_busy_timeout_seconds
    )


def is_sqlite(engine: Engine) -> bool:
    return isinstance(engine, SQLiteEngine)


def write_transaction(engine: Engine) -> Any:
    """A transaction for a write: on SQLite it takes the write lock up front (IMMEDIATE), so two
    writers queue instead of failing with 'database is locked' when the reader upgrades."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def array_contains(column: Array, value: str) -> Where | WhereRaw:
    """`value` is one element of the array column. SQLite stores arrays as JSON text, so the
    quoted element is matched exactly (a bare substring would let 'health' match 'mental_health')."""
    engine = column._meta.engine_type
    if engine == "sqlite":
        return column.like(f'%"{value}"%')
    return column.any(value)


def substring_match(column: Column, needle: str) -> WhereRaw:
    """Case-insensitive substring test without LIKE wildcards, so '%' and '_' in the needle match
    themselves. The column holds lower-cased text written by the services."""
    name = column._meta.db_column_name
    if column._meta.engine_type == "sqlite":
        return WhereRaw(f'instr("{name}", {{}}) > 0', needle.lower())
    return WhereRaw(f'strpos("{name}", {{}}) > 0', needle.lower())


def array_is_empty(column: Array) -> WhereRaw:
    name = column._meta.db_column_name
    if column._meta.engine_type == "sqlite":
        return WhereRaw(f"\"{name}\" = '[]'")
    return WhereRaw(f'cardinality("{name}") = 0')
