# `make test` sets everything up on a fresh machine (venv, Python deps, Chromium) and runs
# lint, type checks and the whole suite on SQLite and on the local PostgreSQL + Redis.
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: test install install-test chromium lint typecheck pytest demo clean

test: install-test lint typecheck pytest

install:
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .

install-test: chromium
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'

# Browser tests use Debian's Chromium (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

lint:
	$(BIN)/ruff check observatory survey dashboards migrations tests tools bench
	$(BIN)/ruff format --check observatory survey dashboards migrations tests tools bench

typecheck:
	$(BIN)/mypy observatory survey dashboards

pytest:
	$(BIN)/pytest

demo: install
	$(BIN)/observatory demo

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache
