# The two commands of the README: `make run` and `make test`.
# With DATABASE_URL and REDIS_URL set they use PostgreSQL and a real Celery worker;
# without, SQLite and in-process (eager) Celery.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast test-e2e test-chaos lint format messages install migrate demo bench backup restore clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-compile -r requirements-dev.txt
	@# Compiled once here, in parallel (6 s): with PYTHONDONTWRITEBYTECODE set, as on
	@# these machines, every process (each test worker, each web worker) would
	@# otherwise compile the libraries it imports from source, on its first request.
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null
	touch $(STAMP)

install: $(STAMP)

# One process migrates and seeds the demo (a no-op when it is there); the demo
# reports' PDFs are not rendered before the server starts (README): a worker
# makes them, or without one prepare_report_files does, beside the server.
run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo --migrate
	@echo "Serving the portal on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@if [ -n "$$REDIS_URL" ]; then \
		DEBUG=$${DEBUG:-1} HOST=$(HOST) PORT=$(PORT) $(BIN)/honcho -f Procfile.dev start; \
	else \
		DEBUG=$${DEBUG:-1} $(BIN)/python manage.py prepare_report_files & \
		DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	fi

# The suite in parallel (pytest-xdist, a test database and a Redis cache database per
# worker; a file's tests stay on one worker, so its module fixtures are made once),
# then, one at a time, the tests that start real Celery workers and Redis servers.
# The 20 slowest tests are printed. PYTEST_WORKERS=1 runs the first part serially.
PYTEST_WORKERS ?= auto
SERIAL_TESTS := services or chaos
test: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=20 -m "not ($(SERIAL_TESTS))"
	$(BIN)/pytest -p no:xdist --durations=5 -m "$(SERIAL_TESTS)"

test-fast: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not browser and not services and not chaos"

test-e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

# Kills a Celery worker mid-job and stops Redis while jobs are queued (PostgreSQL,
# Redis and redis-server needed; tests/trust/test_chaos.py).
test-chaos: $(STAMP)
	$(BIN)/pytest -m chaos tests/trust

# One dated archive of the PostgreSQL database (pg_dump -Fc) and the uploaded files,
# in backups/ (BACKUP_DIR=... to change). See unionportal/backup.py.
backup: $(STAMP)
	$(BIN)/python -m unionportal.backup backup

# Restores FILE into the EMPTY database named by DATABASE_URL and puts the files back.
restore: $(STAMP)
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/unionportal-YYYYmmdd-HHMMSS.tar.gz"; exit 2; }
	$(BIN)/python -m unionportal.backup restore "$(FILE)"

# The benchmark (docs/performance.md): seeds or reuses SCALE=tiny|district|city in
# databases bench_<scale> on the DATABASE_URL server, serves it with gunicorn as in
# production and measures pages, the quarter report job and exports (needs
# DATABASE_URL, REDIS_URL and wrk). Figures in bench/results.json.
SCALE ?= tiny
bench: $(STAMP)
	$(BIN)/python bench/run.py --scale $(SCALE) $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=staticfiles --ignore=media --ignore=tests
	$(BIN)/python locale/apply_drafts.py
	DEBUG=1 $(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
