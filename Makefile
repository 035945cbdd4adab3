# Two commands matter: `make run` and `make test` (README). Everything else supports them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)

.PHONY: run test lint typecheck pytest venv sysdeps sysdeps-test migrate seed worker beat clean bench

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "Python >= 3.11 is required (found: $$($(PYTHON) --version 2>&1)). Set PYTHON=/path/to/python3.11"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*; touch $@

sysdeps:
	@bash scripts/ensure-system-deps.sh

sysdeps-test:
	@bash scripts/ensure-system-deps.sh --test

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py seed_demo

## make run: install, migrate, load the demo data, serve http://127.0.0.1:8000
run: venv sysdeps seed
	@echo "Serving http://127.0.0.1:8000  (Ctrl-C to stop)"
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:8000

## make test: lint, type check and the whole test suite
test: venv sysdeps-test lint typecheck pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy .

pytest: venv
	$(VENV)/bin/pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

## make bench: `manage.py bench` (docs/performance.md) on its own database, never the working one:
## $DATABASE_URL when set (e.g. postgres://postgres@127.0.0.1:5432/bench), else a SQLite file in /tmp.
## BENCH_ARGS passes options: make bench BENCH_ARGS="--cases 1000000 --json bench.json"
BENCH_DATABASE_URL := $(or $(DATABASE_URL),sqlite:////tmp/bench.sqlite3)
BENCH_MEDIA_ROOT := $(or $(MEDIA_ROOT),/tmp/bench_media)
bench: venv
	DATABASE_URL=$(BENCH_DATABASE_URL) MEDIA_ROOT=$(BENCH_MEDIA_ROOT) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) MEDIA_ROOT=$(BENCH_MEDIA_ROOT) $(PY) manage.py bench $(BENCH_ARGS)

worker: venv
	$(VENV)/bin/celery -A config worker -l info

beat: venv
	$(VENV)/bin/celery -A config beat -l info

clean:
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache
