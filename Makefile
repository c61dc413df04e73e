# Mälardalsportalen — `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run serve test test-fast install setup lint format messages check bench bench-load clean backup restore

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The compiled catalogues (.mo) are committed, so gettext is not needed to run.
# Migrate, load the 2023 plan and make sure a local admin exists.
setup: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_plan_2023
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py create_default_periods
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py ensure_local_admin

run: setup
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The production-like stack: gunicorn + Celery worker + Celery beat (deploy/Procfile),
# DEBUG off, static files by whitenoise. Needs SECRET_KEY, DATABASE_URL (PostgreSQL) and
# CELERY_BROKER_URL (Redis); migrates and collects static files first. See README.
serve: install
	PORT=$(PORT) BIN=$(BIN) bin/serve

# The suite runs on every core (pytest-xdist: a test database, a Redis database and a
# Celery queue per worker); TEST_WORKERS=0 runs it in one process. The 25 slowest tests
# are listed at the end. `make test-fast` leaves out the slow suites (browser, workers,
# PDFs, migrations, whole-site sweeps; see tests/conftest.py): under two minutes.
TEST_WORKERS ?= auto
PYTEST_XDIST = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist worksteal)

test: install
	@if command -v msgfmt >/dev/null; then DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv -v 0; fi
	$(BIN)/python -m pytest $(PYTEST_XDIST) --durations=25 $(PYTEST_ARGS)

test-fast: install
	@if command -v msgfmt >/dev/null; then DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv -v 0; fi
	$(BIN)/python -m pytest $(PYTEST_XDIST) -m "not slow" --durations=10 $(PYTEST_ARGS)

# Style (ruff) and types (mypy, settings in pyproject.toml); the import contracts go here too.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the gettext catalogues after changing interface strings.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l sv -l en --ignore=.venv --no-obsolete
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

# Production settings as the README's deployment has them (one nginx in front: NUM_PROXIES=1;
# Redis for the cache, which check does not connect to).
check: install
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=example.org NUM_PROXIES=$${NUM_PROXIES:-1} \
	  CACHE_URL=$${CACHE_URL:-$${REDIS_URL:-redis://127.0.0.1:6379/1}} \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Page timings on a large synthetic data set (10 plans × 2,000 activities …), built in a
# database of its own and dropped afterwards: a fresh SQLite file in /tmp by default, or
# <name>_bench beside the database DATABASE_URL names. PostgreSQL gives the figures that
# matter for production: DATABASE_URL=postgres://postgres@127.0.0.1:5432/malardal make bench
# Pages are measured with DEBUG off whatever DEBUG says here. Not part of `make test`.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--scale 0.2 --requests 10". Last, the
# yearly report PDF's peak memory for a 2,000-activity plan (REPORT_ARGS="--scale 0.5").
bench: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py bench $(BENCH_ARGS)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load --skip-without-postgres $(LOAD_ARGS)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py report_memory $(REPORT_ARGS)

# Load on loopback: gunicorn (production settings, a generated SECRET_KEY) on a free
# 127.0.0.1 port against a database of its own beside DATABASE_URL's (<name>_load, with
# the 2023 plan, dropped afterwards); 200 concurrent clients for 60 s over the main
# pages, then on a minimal view. Prints requests/s, latency p50/p95/p99 and errors per
# page; fails if any request failed. Needs PostgreSQL:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/malardal make bench-load
# LOAD_ARGS passes options, e.g. LOAD_ARGS="--clients 50 --seconds 10".
bench-load: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Back up the database (DATABASE_URL's) to a time-stamped file under var/backups/
# (BACKUP_DIR): pg_dump's custom format for PostgreSQL, a copy of the file for SQLite.
backup: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py backup_db

# Replace the database with a backup: make restore FILE=var/backups/malardal-….dump
# The database as it was is backed up first. Stop the web processes and workers first.
restore: install
	@test -n "$(FILE)" || { echo "Which backup? make restore FILE=var/backups/…"; exit 2; }
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py restore_db "$(FILE)" $(if $(NO_INPUT),--no-input)
