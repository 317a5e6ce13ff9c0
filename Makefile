# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test check lint openapi bench bench-faults bench-postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(STAMP)

run: $(STAMP)
	bash scripts/ensure-system-packages.sh
	$(BIN)/airegistry migrate
	$(BIN)/airegistry demo
	$(BIN)/airegistry serve --mail-sink

# Tests in parallel, one pytest process per core (pytest-xdist); docs/development.md says which target
# runs what and how long each takes.
PYTEST := $(BIN)/python -m pytest -n auto

# The inner loop: lint, types, unit tests and the integration tests on SQLite (no extra processes).
check: $(TEST_STAMP)
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/mypy
	$(PYTEST) -m "not slow" tests/unit tests/integration

# Everything, what CI runs: the integration tests once per engine (on PostgreSQL each pytest process
# starts a throwaway server of its own), the tests that start processes of their own once, then the
# browser tests in a pytest of their own (Playwright's sync API keeps an asyncio loop of its own).
# scripts/ensure-browser.sh installs Debian's chromium and the pinned axe-core.
test: $(TEST_STAMP)
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-system-packages.sh
	bash scripts/ensure-browser.sh
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/mypy
	$(PYTEST) tests/unit tests/integration
	AIREG_TEST_ENGINE=postgresql $(PYTEST) tests/integration
	$(PYTEST) tests/slow
	$(BIN)/python -m pytest tests/e2e

lint: $(TEST_STAMP)
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/mypy

openapi: $(STAMP)
	$(BIN)/airegistry openapi

# About 22 minutes (tests/bench/README.md); bench_pages.py needs the browser.
bench: $(TEST_STAMP)
	bash scripts/ensure-browser.sh
	$(BIN)/python tests/bench/bench_list.py
	$(BIN)/python tests/bench/bench_access_log.py
	$(BIN)/python tests/bench/bench_findings.py
	$(BIN)/python tests/bench/bench_webhooks.py
	$(BIN)/python tests/bench/bench_pages.py
	$(BIN)/python tests/bench/bench_import.py
	$(BIN)/python tests/bench/bench_digests.py

# Webhook fault injection, about 26 minutes.
bench-faults: $(TEST_STAMP)
	$(BIN)/python tests/bench/webhook_faults.py --seed 2026

# PostgreSQL at production scale (1,000,000 systems, 10,000,000 access-log entries). The seeded cluster
# stays in BENCH_PG_DIR, so only the first run seeds; tests/bench/README.md gives the times.
BENCH_PG_DIR ?= /var/tmp/airegistry-bench-pg
bench-postgres: $(TEST_STAMP)
	bash scripts/ensure-postgres.sh
	$(BIN)/python tests/bench/bench_postgres.py --data-dir $(BENCH_PG_DIR)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
