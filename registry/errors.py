"""Domain errors. They carry no HTTP status: api/errors.py alone maps them to responses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def field_path(parts: Iterable[str | int]) -> str:
    """('access', 0, 'scope') or ['access', '0', 'scope'] -> 'access[0].scope', the way a person
    writes a path into a JSON document."""
    path = ""
    for part in parts:
        text = str(part)
        path += f"[{text}]" if text.isdigit() else (f".{text}" if path else text)
    return path


@dataclass
class FieldProblem:
    field: str
    reason: str


class DomainError(Exception):
    """Base of every error the register raises on purpose."""

    def __init__(self, message: str, *, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it exists."""


class Forbidden(DomainError):
    """The actor's role does not allow the action on an object it may see."""


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a rule of the register (contradicting dates, unknown unit)."""


class Conflict(DomainError):
    """The input clashes with data already stored (a CVR that is already registered)."""


class VersionMismatch(DomainError):
    """The caller edited an older version than the current one."""

    def __init__(self, message: str, *, current_version: int | None) -> None:
        super().__init__(message)
        self.current_version = current_version


class PreconditionRequired(DomainError):
    """The caller must say which version it edits."""


class ConfigurationError(Exception):
    """A setting has a value the register cannot work with. Raised at start-up, never per request."""

    def __init__(self, message: str, *, setting: str = "") -> None:
        super().__init__(f"{setting}: {message}" if setting else message)
        self.setting = setting


class Unavailable(DomainError):
    """The register cannot do this right now, and says why (the access log failed its own check)."""


class InvalidQuery(DomainError):
    """A query parameter the register cannot use (a malformed cursor)."""


class InvalidFields(DomainError):
    """Fields that do not fit the schema (wrong type, unknown value, missing required field)."""
