# The collections back office. `make demo` runs the app on the demo data;
# `make test` runs the whole test suite on a throwaway PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup demo run worker test lint format audit loadtest bench messages clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (see .python-version); found " + sys.version)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

## The app on the demo data (SQLite unless DATABASE_URL names PostgreSQL).
demo: setup
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with a demo user printed above."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## The app on whatever data the database holds.
run: setup
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## The task worker: runs the queued Django tasks (the daily evaluation of
## promises; `manage.py evaluate_promises --schedule` queues it once).
worker: setup
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py db_worker

## Lint, then every test (browser tests included) on PostgreSQL: a throwaway
## cluster unless DATABASE_URL names one.
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m tooling.audit
	scripts/with-postgres $(BIN)/pytest $(PYTEST_ARGS)

## Known vulnerabilities in the pinned dependencies (a notice when offline).
audit: setup
	$(BIN)/python -m tooling.audit

## About a minute of officers' load on gunicorn (2 workers) and PostgreSQL,
## with a database restart; then a consistency check. Figures in artifacts/.
loadtest: setup
	$(BIN)/python -m tooling.loadtest $(LOADTEST_ARGS)

## The figures at scale (100,000 customers, 1,000,000 items) against floors
## measured in the same run: one table, also in artifacts/bench.json. Five to six
## minutes on 2 cores; BENCH_ARGS="--quick" for a small run of about two.
bench: setup
	$(BIN)/python -m tooling.bench $(BENCH_ARGS)

## The French catalogue: new texts added (to translate in locale/fr/LC_MESSAGES/
## django.po), then compiled. Needs GNU gettext.
messages: setup
	$(BIN)/python manage.py makemessages -l fr --no-obsolete --ignore=.venv --ignore=tests --ignore=tooling
	$(BIN)/python manage.py compilemessages -l fr --ignore=.venv

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
