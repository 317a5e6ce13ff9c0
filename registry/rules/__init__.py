"""Rules over AI-system documents: pure functions, no database, no HTTP."""

from registry.rules.consistency import contradictions

__all__ = ["contradictions"]
