# Inspraak. `make run`: the embedded setup on http://127.0.0.1:8000 (SQLite, one
# Daphne process). `make serve WORKERS=n`: n Daphne workers with the settings in
# the environment (docs/deploy.md). `make test`: install and start the test
# services, run the frontend's unit tests with Node, then every test under tests/. They work on a fresh Debian 12 with
# python3.11, as root.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# pip runs again only when pyproject.toml is newer than this stamp.
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# make serve: how many workers, and where; worker i listens on PORT+i.
WORKERS ?= $(shell nproc)
HOST ?= 127.0.0.1
PORT ?= 8001

.PHONY: help venv run serve test services

help:
	@echo "make run       serve the demo workshop on http://127.0.0.1:8000 (SQLite, in-memory layer)"
	@echo "make serve     WORKERS=n Daphne workers on HOST:PORT.. with the settings in the environment"
	@echo "               (DATABASE_URL, REDIS_URL, SECRET_KEY, ...: see docs/deploy.md)"
	@echo "make test      install/start Redis, PostgreSQL, Chromium, Node.js, axe-core; run the Node"
	@echo "               unit tests (node --test frontend/), the prepared lookups on PostgreSQL, then pytest on tests/"
	@echo "               (PYTEST_ARGS='-k restart' narrows it down)"
	@echo "make services  only install/start the test services"
	@echo "make venv      create .venv and install the project with its test extras"

venv: $(STAMP)

$(BIN)/python:
	@if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  echo "$(PYTHON) has no venv module: installing python3-venv"; \
	  apt-get update -q; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv </dev/null; \
	fi
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

# DATABASE_URL and REDIS_URL are left as the caller has them: unset, that is
# SQLite in db.sqlite3 and the in-memory channel layer.
run: export DEBUG ?= 1
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	exec $(BIN)/daphne -b 127.0.0.1 -p 8000 config.asgi:application

# Production workers, one per core by default, each on its own port behind the
# reverse proxy (docs/deploy.md). Migrates and collects static files first. A
# worker that exits is not restarted here (systemd does that in production);
# the others go on serving. SIGINT or SIGTERM stops them all.
serve: $(STAMP)
	@if [ -z "$${SECRET_KEY:-}" ]; then \
	  echo "make serve: set SECRET_KEY (a long random value, docs/deploy.md); the settings refuse to run without it" >&2; exit 2; fi
	@if [ "$(WORKERS)" -gt 1 ] && [ -z "$${REDIS_URL:-}" ]; then \
	  echo "make serve: $(WORKERS) workers need REDIS_URL (channels-redis) to reach each other" >&2; exit 2; fi
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@pids=""; trap 'kill -TERM $$pids 2>/dev/null' INT TERM; \
	for i in $$(seq 0 $$(( $(WORKERS) - 1 ))); do \
	  echo "make serve: worker $$i on http://$(HOST):$$(( $(PORT) + i ))"; \
	  $(BIN)/daphne -b $(HOST) -p $$(( $(PORT) + i )) config.asgi:application & pids="$$pids $$!"; \
	done; \
	for pid in $$pids; do while kill -0 $$pid 2>/dev/null; do wait $$pid || true; done; done

services: $(STAMP)
	$(BIN)/python -m harness.services ensure

test: export TEST_REDIS_URL ?= redis://127.0.0.1:6379/13
test: export TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/
test: export AXE_JS ?= $(CURDIR)/.cache/axe/node_modules/axe-core/axe.min.js
# pytest and the servers it starts run with DEBUG off, which needs a key (a test-only one).
test: export SECRET_KEY ?= tests-only-secret-key-not-for-production-7f3c9a1e5b2d
# The Node unit tests go first: quick, and a failure stops here with Node's own summary last.
test: services
	node --test --test-reporter=spec frontend/
	@# The prepared lookups meet each backend's own parameter types (psycopg's Int8), and the stream writes
	@# its seqs and events in one statement there, as a reaction its change and mark, and a rise in rung
	@# (taken before the workshop's row, where the locks are real): these on PostgreSQL too.
	DATABASE_URL=$$($(BIN)/python -c 'from harness.services import postgres_url; print(postgres_url("inspraak_unit"))') \
	  $(BIN)/pytest -q -p no:cacheprovider tests/workshops/test_prepared.py tests/workshops/test_stream.py \
	    tests/deliberation/test_tallies.py tests/deliberation/test_ladder.py tests/deliberation/test_lock_order.py
	@rc=0; $(BIN)/pytest tests --durations=10 $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests, which counts as a failure" >&2; fi; \
	exit $$rc
