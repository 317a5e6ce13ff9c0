"""Slow tests: they start processes of their own (`airegistry serve`, `worker`, the CLI, receivers,
PostgreSQL servers) and bring their own databases. `make test` runs them once; `make check` leaves
them out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import ThrowawayPostgres

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """For tests that start their own `airegistry` processes, once per engine: a SQLite file in the
    test's data dir, or a throwaway PostgreSQL server of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'registry.db'}"
        return
    with ThrowawayPostgres() as postgres:
        yield postgres.url
