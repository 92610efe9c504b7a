# Inspraak. `make run`: the embedded setup on http://127.0.0.1:8000 (SQLite, one
# Daphne process). `make test`: install and start the test services, then run
# every test under tests/. Both work on a fresh Debian 12 with python3.11, as root.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# pip runs again only when pyproject.toml is newer than this stamp.
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help venv run test services

help:
	@echo "make run       serve the demo workshop on http://127.0.0.1:8000 (SQLite, in-memory layer)"
	@echo "make test      install/start Redis, PostgreSQL, Chromium, axe-core; run pytest on tests/"
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

services: $(STAMP)
	$(BIN)/python -m tests.support.services ensure

test: export TEST_REDIS_URL ?= redis://127.0.0.1:6379/13
test: export TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/
test: export AXE_JS ?= $(CURDIR)/.cache/axe/node_modules/axe-core/axe.min.js
test: services
	@rc=0; $(BIN)/pytest tests --durations=10 $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests, which counts as a failure" >&2; fi; \
	exit $$rc
