# Kopilka. `make run` serves the app, `make test` runs the suite; both start a private
# PostgreSQL (and Redis) under .devdb/ unless DATABASE_URL (REDIS_URL) is set.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SERVICES := scripts/devservices
export PORT ?= 4000
# `make test` spreads the suite over one pytest-xdist worker per CPU (each with its own
# test database and Redis key prefix); PYTEST_WORKERS=0 runs it in one process, and
# PYTEST_ARGS passes anything else to pytest: make test PYTEST_ARGS="finance/tests -x".
PYTEST_WORKERS ?= auto

.PHONY: install install-dev run migrate test lint fmt typecheck check bench screenshots stop clean prerequisites-run prerequisites-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# What the system must provide, checked first, with the Debian packages named.
prerequisites-run prerequisites-test:
	@PYTHON=$(PYTHON) scripts/prerequisites $(@:prerequisites-%=%)

run: prerequisites-run install
	$(SERVICES) scripts/serve

migrate: install
	$(SERVICES) $(BIN)/python manage.py migrate

test: prerequisites-test install-dev
	$(SERVICES) --require-redis $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

fmt: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install-dev
	DEBUG=1 $(SERVICES) $(BIN)/mypy .

check: lint
	$(SERVICES) sh -c '$(BIN)/python manage.py check && $(BIN)/python manage.py makemigrations --check --dry-run'
	$(MAKE) test

# The dashboard in both languages, as docs/ shows it (needs Debian's chromium).
screenshots: install-dev
	SCREENSHOTS_DIR=docs $(SERVICES) --require-redis $(BIN)/pytest config/tests/test_browser.py -k screenshots

bench: install-dev
	$(SERVICES) --require-redis sh -c 'for b in bench/[!_]*.py; do $(BIN)/python $$b; done'

stop:
	$(SERVICES) --stop

clean: stop
	rm -rf .devdb staticfiles
