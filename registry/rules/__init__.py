"""Rules over AI-system documents: pure functions, no database, no HTTP."""

from registry.rules.consistency import contradictions
from registry.rules.materiality import material_reasons

__all__ = ["contradictions", "material_reasons"]
