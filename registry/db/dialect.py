"""SQL fragments that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.engine.base import Engine


@dataclass(frozen=True)
class Dialect:
    """SQL fragments that differ between SQLite and PostgreSQL, for the queries the services write by
    hand (the hot reads, where Piccolo's query builder costs more than the query). Placeholders are
    Piccolo's `{}`; column names are the services' own, never user input."""

    engine_type: str

    @property
    def sqlite(self) -> bool:
        return self.engine_type == "sqlite"

    def array_contains(self, column: str, value: str) -> tuple[str, Any]:
        """`value` is one element of the array. SQLite stores arrays as JSON text, so the quoted
        element is looked for (a bare substring would let 'health' match 'mental_health')."""
        if self.sqlite:
            return f'instr("{column}", {{}}) > 0', f'"{value}"'
        return f'{{}} = ANY("{column}")', value

    def array_is_empty(self, column: str) -> str:
        return f"\"{column}\" = '[]'" if self.sqlite else f'cardinality("{column}") = 0'

    def as_bytes(self, column: str) -> str:
        """The column's text as UTF-8 bytes, ready to be sent without decoding and encoding again."""
        return f'CAST("{column}" AS BLOB)' if self.sqlite else f"convert_to(\"{column}\"::text, 'UTF8')"


def dialect_of(engine: Engine) -> Dialect:
    return Dialect(engine_type=engine.engine_type)
