"""Use cases of the register. Each owns its transaction; callers never commit."""

from registry.services import apv, findings, organizations, overview, questions, systems, units
from registry.services.systems import StoredSystem, SystemFilter, SystemPage

__all__ = [
    "StoredSystem",
    "SystemFilter",
    "SystemPage",
    "apv",
    "findings",
    "organizations",
    "overview",
    "questions",
    "systems",
    "units",
]
