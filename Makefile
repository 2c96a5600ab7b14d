# One entry point for every check: the README, .ci/run and developers all use these targets.
# Needs GNU make, python3.11 and pip; PostgreSQL for test-postgres (optional locally, required
# when CI is set).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := requirements/constraints.txt
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/dataip
# Extra pytest arguments, e.g. make test PYTEST_ARGS="-k health -x".
PYTEST_ARGS ?=
# One test process per core (pytest-xdist): on the 2-core CI machine the suite takes ~30 s
# instead of ~45 s. PYTEST_XDIST= runs it in one process.
PYTEST_XDIST ?= -n auto
PYTEST := $(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)
# The OpenID Connect provider the sign-in tests run against (npm package oidc-provider).
OIDC_NODE := tests/accounts/oidc/node_modules/.package-lock.json

.PHONY: help venv run test test-sqlite test-postgres browser lint bench tool lock messages clean

help:
	@echo "make run            set up, demonstrate the offline tool, then serve the platform"
	@echo "make test           set up, then run every test on SQLite and on PostgreSQL"
	@echo "make test-sqlite    the tests on SQLite only"
	@echo "make test-postgres  the tests on PostgreSQL ($(POSTGRES_URL))"
	@echo "make lint           ruff, ruff format --check, mypy, vermin (Python 3.9 for the tool)"
	@echo "make bench          the benchmarks (docs/benchmarks.md)"
	@echo "make tool           build build/dataip-tool.pyz, the offline tool in one file"
	@echo "make lock           regenerate $(CONSTRAINTS) in a throwaway virtualenv"
	@echo "make messages       update and compile the translations"
	@echo "make venv           create or update $(VENV) (the other targets do it when needed)"
	@echo "make clean          remove build output and caches (keeps $(VENV) and var/)"

venv: $(STAMP)

# Reinstalled whenever the dependencies or their pins change.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -c $(CONSTRAINTS) -e ".[dev]"
	@touch $@

run: $(STAMP)
	$(BIN)/dataip manage migrate --noinput
	$(BIN)/python scripts/demo.py

test: $(STAMP)
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(STAMP) $(OIDC_NODE) browser
	DATABASE_URL= $(PYTEST)

test-postgres: $(STAMP) $(OIDC_NODE) browser
	@if $(BIN)/python -c 'import sys, psycopg; psycopg.connect(sys.argv[1], dbname="postgres", connect_timeout=5).close()' \
		"$(POSTGRES_URL)" 2>/dev/null; then \
		echo "DATABASE_URL=$(POSTGRES_URL) $(PYTEST)"; \
		DATABASE_URL="$(POSTGRES_URL)" $(PYTEST); \
	elif [ -n "$${CI:-}" ]; then \
		echo "ERROR: PostgreSQL not reachable at $(POSTGRES_URL): CI must run the PostgreSQL tests" >&2; \
		exit 1; \
	else \
		echo "" >&2; \
		echo "************************************************************************" >&2; \
		echo "WARNING: PostgreSQL not reachable at $(POSTGRES_URL): PostgreSQL tests NOT run" >&2; \
		echo "************************************************************************" >&2; \
		echo "" >&2; \
	fi

# Debian's chromium for the browser tests (tests/browser/); installed once, as root, with apt.
browser:
	@bash scripts/install-browser.sh

$(OIDC_NODE): tests/accounts/oidc/package-lock.json
	@command -v npm >/dev/null || { echo "ERROR: npm (Node.js) is needed for the OpenID Connect tests: apt-get install nodejs npm" >&2; exit 1; }
	npm ci --prefix tests/accounts/oidc --no-audit --no-fund --loglevel=error

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@# vermin finds 3.10+ syntax and library use; ruff (per-file target py39, rule FA102) finds
	@# `X | Y` annotations that would be evaluated at run time, which vermin cannot tell apart.
	$(BIN)/vermin --target=3.9- --no-tips --violations src/dataip/core src/dataip/tool.py

bench: $(STAMP)
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_log.py
	$(BIN)/python scripts/bench_upload.py

tool: $(STAMP)
	@mkdir -p build
	$(BIN)/python -m dataip.toolbuild build/dataip-tool.pyz

# pip freeze of a fresh virtualenv holding the newest allowed versions, without dataip itself.
lock:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]" && \
	mkdir -p requirements && \
	{ echo "# Pins for every dependency of dataip[dev]. Regenerate with: make lock"; \
	  "$$tmp/venv/bin/python" -m pip freeze --exclude-editable --disable-pip-version-check; \
	} > $(CONSTRAINTS)
	@echo "wrote $(CONSTRAINTS)"

messages: $(STAMP)
	cd src/dataip/site && DATAIP_DATA_DIR="$(abspath var)" $(abspath $(BIN))/dataip manage makemessages --locale zh_Hans --no-obsolete
	cd src/dataip/accounts && DATAIP_DATA_DIR="$(abspath var)" $(abspath $(BIN))/dataip manage makemessages --locale zh_Hans --no-obsolete
	cd src/dataip/site && DATAIP_DATA_DIR="$(abspath var)" $(abspath $(BIN))/dataip manage compilemessages

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage htmlcov \
		var/demo-dataset var/demo-evidence var/demo-tampered
	find src tests scripts -name __pycache__ -type d -prune -exec rm -rf {} +
