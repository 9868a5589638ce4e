# SRO Desk. Quick start: `make run` (demo on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# Test processes: one per core (pytest-xdist).
TEST_JOBS ?= auto

.PHONY: run test install install-test lint typecheck openapi clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

var/secret_key: | $(BIN)/python
	mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# The demo: embedded SQLite, demo district, demo mode (MFA relaxed, with a banner), plain HTTP on loopback.
run: export SECRET_KEY_FILE ?= $(CURDIR)/var/secret_key
run: export SRODESK_DEMO ?= true
run: export SECURE_COOKIES ?= false
run: install var/secret_key
	$(BIN)/srodesk migrate --no-input -v 0
	$(BIN)/srodesk collectstatic --no-input -v 0
	$(BIN)/srodesk demo
	# The task worker (roster imports) runs beside the web server and stops with it.
	$(BIN)/srodesk db_worker >var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/srodesk serve --bind 127.0.0.1:8000

test: install-test
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

openapi: install-test
	SECRET_KEY=openapi-only-0123456789abcdefghijklmnopqrstuvwxyz $(BIN)/srodesk spectacular --validate --fail-on-warn --file openapi.yaml

# Benchmarks (docs/performance.md): the large district in its own PostgreSQL database (dropped and built again),
# the small one beside it for query counts, verify-audit and verify-custody, then the load harness; results in
# bench/results/.
BENCH_PG    ?= postgres://postgres@127.0.0.1:5432
BENCH_DB    ?= srodesk_bench
BENCH_SEED  ?= 1
bench: export SECRET_KEY = bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz
bench: install
	$(BIN)/python -m pip install -q -r bench/requirements.txt
	for db in $(BENCH_DB) $(BENCH_DB)_small; do \
	  psql "$(BENCH_PG)/postgres" -qc "DROP DATABASE IF EXISTS \"$$db\" WITH (FORCE)" -c "CREATE DATABASE \"$$db\"" || exit 1; \
	  DATABASE_URL=$(BENCH_PG)/$$db $(BIN)/srodesk migrate --no-input -v 0 || exit 1; \
	done
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(BIN)/srodesk generate-district --profile large --seed $(BENCH_SEED)
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB)_small $(BIN)/srodesk generate-district --profile small --seed $(BENCH_SEED)
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(BIN)/srodesk verify-audit
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(BIN)/srodesk verify-custody
	# A district in service is vacuumed by autovacuum; a freshly generated one is not yet.
	for db in $(BENCH_DB) $(BENCH_DB)_small; do psql "$(BENCH_PG)/$$db" -qc "VACUUM (ANALYZE)" || exit 1; done
	$(BIN)/python bench/run.py --database-url $(BENCH_PG)/$(BENCH_DB) \
	  --small-database-url $(BENCH_PG)/$(BENCH_DB)_small --docs docs/performance.md

clean:
	rm -rf $(VENV) var db.sqlite3
