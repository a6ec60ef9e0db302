# Two commands for a newcomer: `make run` (whole platform, embedded, demo data) and `make test` (every test).
# While changing code: `make check` (lint, types, unit and in-process integration tests on SQLite; < 2 min).
# Each bootstraps its own virtual environment from the pinned requirements.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint typecheck unit integration e2e lock clean reset compose-client bench assets browser mutation

$(STAMP): pyproject.toml requirements.lock package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(MAKE) --no-print-directory assets
	touch $(STAMP)

# The dashboard's charts: Apache ECharts pinned in package-lock.json, installed from the npm registry into
# node_modules/ and served by the coordinator from there (never committed, never a CDN). Without npm the
# platform still runs; the charts then show a notice.
assets:
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: dashboard charts disabled (install Node.js and run 'make assets')"; fi

# Headless Chromium and a CJK font for the dashboard's browser tests (Debian packages; CI runs as root).
browser:
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || \
	  (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk)

run: $(STAMP)
	$(BIN)/phaseout run

reset: $(STAMP)
	$(BIN)/phaseout run --reset

test: $(STAMP) lint typecheck compose-client browser
	$(BIN)/pytest -q tests

# The inner loop: everything that needs no running platform, on SQLite; prints its time at the end.
check: $(STAMP) compose-client
	@start=$$(date +%s); \
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && \
	PHASEOUT_TEST_BACKENDS=sqlite $(BIN)/pytest -q tests/unit tests/integration; \
	rc=$$?; echo "make check: $$(( $$(date +%s) - start )) s ($$([ $$rc = 0 ] && echo passed || echo FAILED))"; \
	exit $$rc

# `docker compose config` validates docker-compose.yml in the tests; there is no Docker engine here.
compose-client:
	PYTHON=$(BIN)/python bash deploy/install-compose-client.sh

lint: $(STAMP)
	@start=$$(date +%s); $(BIN)/ruff check . && $(BIN)/ruff format --check .; \
	rc=$$?; echo "lint: $$(( $$(date +%s) - start )) s"; exit $$rc

typecheck: $(STAMP)
	@start=$$(date +%s); $(BIN)/mypy; rc=$$?; echo "typecheck: $$(( $$(date +%s) - start )) s"; exit $$rc

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/pytest -q tests/integration

e2e: $(STAMP) browser
	$(BIN)/pytest -q tests/e2e

lock: $(STAMP)
	$(BIN)/pip freeze --exclude-editable | sed '1i # Pinned versions of every dependency (generated with pip freeze; update with `make lock`).' > requirements.lock

# Benchmarks (README "Benchmarks"): ~15 min; `make bench ARGS=--quick` is the CI-size smoke run (~2-3 min).
# Needs PostgreSQL at 127.0.0.1:5432 like the tests; uses only free ports and phaseout_bench_* databases.
bench: $(STAMP)
	$(BIN)/python -m bench.run $(ARGS)

# Mutation testing (cosmic-ray) of the case state machine and the policy engine: slow (about an hour on 2
# cores), so not part of `make test`. `make mutation ARGS=cases` runs one; survivors in mutation/results/.
mutation: $(STAMP)
	$(BIN)/pip install --quiet -e '.[mutation]'
	bash mutation/run.sh $(ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules test-artifacts
