# Two commands for a newcomer: `make run` (whole platform, embedded, demo data) and `make test` (every test).
# Each bootstraps its own virtual environment from the pinned requirements.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit integration e2e lock clean reset compose-client

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/phaseout run

reset: $(STAMP)
	$(BIN)/phaseout run --reset

test: $(STAMP) lint typecheck compose-client
	$(BIN)/pytest -q tests

# `docker compose config` validates docker-compose.yml in the tests; there is no Docker engine here.
compose-client:
	PYTHON=$(BIN)/python bash deploy/install-compose-client.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/pytest -q tests/integration

e2e: $(STAMP)
	$(BIN)/pytest -q tests/e2e

lock: $(STAMP)
	$(BIN)/pip freeze --exclude-editable | sed '1i # Pinned versions of every dependency (generated with pip freeze; update with `make lock`).' > requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
