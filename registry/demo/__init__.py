"""The demo data set (data files beside a small loader), seeded by `airegistry demo`."""

from registry.demo.loader import database_is_empty, seed_demo

__all__ = ["database_is_empty", "seed_demo"]
