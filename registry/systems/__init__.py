"""AI systems: their fields and vocabularies, the current version, the immutable history of revisions,
lists with filters and text search, and who sees which system."""
