# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint openapi bench clean

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
	$(BIN)/airegistry serve

test: $(TEST_STAMP)
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-system-packages.sh
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/mypy

openapi: $(STAMP)
	$(BIN)/airegistry openapi

bench: $(TEST_STAMP)
	$(BIN)/python tests/bench/bench_list.py
	$(BIN)/python tests/bench/bench_access_log.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
