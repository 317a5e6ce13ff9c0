"""Lists of an organization's AI systems: filters, text search, a steward's units, pages by cursor.

The register's hottest read, written as SQL by hand: building it with Piccolo's query builder costs more
than running it. The SQL of each combination of filters is put together once per process (a page of
the same kind of list then costs only its parameters); every value is a bound parameter."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry.access import Actor, require_register_reader, unit_scope
from registry.clock import to_micros
from registry.db import Dialect, dialect_of, fetch_tuples
from registry.errors import NotFound
from registry.organizations.service import organization_exists
from registry.organizations.units import unit_parents
from registry.pagination import DEFAULT_LIMIT, MAX_LIMIT, cursor_after, decode_cursor
from registry.systems.search import TextQuery, text_condition
from registry.systems.tables import AISystem


@dataclass(frozen=True)
class SystemFilter:
    status: str | None = None
    category: str | None = None
    control_measure: bool | None = None
    risk_class: str | None = None
    data_category: str | None = None
    unit_id: str | None = None
    q: str | None = None
    changed_since: datetime | None = None
    # True: only systems used for monitoring or registered as control measures (what a steward
    # watches first); False: only the others.
    monitoring: bool | None = None
    # True: only systems with open compliance findings; False: only those without.
    open_findings: bool | None = None


@dataclass(frozen=True)
class SystemPage:
    items: list[bytes]  # each item is the stored JSON of one system, as GET /systems/{id} returns it
    next_cursor: str | None


def _watch_clauses(filters: SystemFilter) -> list[tuple[str, list[Any]]]:
    """The filters on what a steward watches first: monitoring or control measures, open findings."""
    found: list[tuple[str, list[Any]]] = []
    if filters.monitoring is not None:
        watched = '("category" = {} OR "control_measure" = {})'
        found.append((watched if filters.monitoring else f"NOT {watched}", ["monitoring", True]))
    if filters.open_findings is not None:
        open_findings = (
            'EXISTS (SELECT 1 FROM "system_finding" WHERE "system_finding"."system" = "ai_system"."id" '
            'AND "system_finding"."status" = {})'
        )
        found.append((open_findings if filters.open_findings else f"NOT {open_findings}", ["open"]))
    return found


async def list_systems(
    actor: Actor, org_id: str, filters: SystemFilter, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> SystemPage:
    """One page of an organization's systems, newest first. Written as SQL by hand: this is the
    register's hottest read, and building it with Piccolo's query builder costs more than running it."""
    require_register_reader(actor, org_id)
    limit = max(1, min(limit, MAX_LIMIT))
    after = decode_cursor(cursor) if cursor else None
    dialect = dialect_of(AISystem._meta.db)
    clauses: list[str] = ['"organization" = {}']
    args: list[Any] = [uuid.UUID(org_id)]
    for column, value in (
        ("status", filters.status),
        ("category", filters.category),
        ("control_measure", filters.control_measure),
        ("risk_class", filters.risk_class),
    ):
        if value is not None:
            clauses.append(f'"{column}" = {{}}')
            args.append(value)
    fragments = []
    if filters.data_category:
        fragments.append(dialect.array_contains("data_categories", filters.data_category))
    if filters.unit_id:
        fragments.append(dialect.array_contains("unit_ids", filters.unit_id))
    if filters.changed_since is not None:
        fragments.append(('"changed_us" >= {}', to_micros(filters.changed_since)))
    for clause, arg in fragments:
        clauses.append(clause)
        args.append(arg)
    if filters.q is not None:
        text_clause, text_args = text_condition(dialect, TextQuery.parse(filters.q))
        clauses.append(text_clause)
        args.extend(text_args)
    for clause, values in _watch_clauses(filters):
        clauses.append(clause)
        args.extend(values)
    if actor.units is not None:
        scope = sorted(unit_scope(actor, await unit_parents(org_id)) or ())
        reach = [dialect.array_contains("unit_ids", unit) for unit in scope]
        clauses.append("(" + " OR ".join([dialect.array_is_empty("unit_ids"), *(c for c, _ in reach)]) + ")")
        args.extend(arg for _, arg in reach)
    if after is not None:
        clauses.append('("sort_key" < {} OR ("sort_key" = {} AND "id" < {}))')
        args.extend([after.sort_key, after.sort_key, after.item_id])
    rows = await fetch_tuples(AISystem, page_sql(dialect, tuple(clauses)), *args, limit + 1)
    if not rows and not await organization_exists(org_id):
        # Rows reference their organization, so only an empty page needs to ask whether it exists.
        raise NotFound("Organization not found.")
    next_cursor = None
    if len(rows) > limit:
        _, sort_key, last_id = rows[limit - 1]
        next_cursor = cursor_after(int(sort_key), str(last_id))
        rows = rows[:limit]
    return SystemPage(items=[bytes(row[0]) for row in rows], next_cursor=next_cursor)


@functools.lru_cache(maxsize=1024)
def page_sql(dialect: Dialect, clauses: tuple[str, ...]) -> str:
    """The SELECT of a page with these conditions (fixed fragments only; the values are parameters).
    The arithmetic and the cast keep the driver from converting sort_key and id on every row; only the
    last one is used. ORDER BY names the table's columns: a bare "id" would bind to the cast output
    column, and PostgreSQL would then sort the organization's rows instead of walking its sort index."""
    return (
        f'SELECT {dialect.as_bytes("document")}, "sort_key" + 0, CAST("id" AS TEXT) FROM "ai_system" WHERE '  # noqa: S608
        + " AND ".join(clauses)
        + ' ORDER BY "ai_system"."sort_key" DESC, "ai_system"."id" DESC LIMIT {}'
    )


__all__ = ["SystemFilter", "SystemPage", "list_systems", "page_sql"]
