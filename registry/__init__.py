"""The register's domain: organizations, units, AI systems and their history. Knows nothing of HTTP."""

from registry.access import Actor, Role
from registry.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    Forbidden,
    InvalidFields,
    InvalidInput,
    InvalidQuery,
    NotFound,
    PreconditionRequired,
    Unavailable,
    VersionMismatch,
)

__all__ = [
    "Actor",
    "Conflict",
    "DomainError",
    "FieldProblem",
    "Forbidden",
    "InvalidFields",
    "InvalidInput",
    "InvalidQuery",
    "NotFound",
    "PreconditionRequired",
    "Role",
    "Unavailable",
    "VersionMismatch",
]
