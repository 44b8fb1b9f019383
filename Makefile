# `make test` sets everything up on a fresh machine (venv, Python deps, Chromium) and runs
# lint, type checks and the whole suite on SQLite and on the local PostgreSQL + Redis.
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: test install install-test chromium pango lint typecheck pytest demo clean

test: install-test lint typecheck pytest

install:
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .

install-test: chromium pango
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'

# Browser tests use Debian's Chromium (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# weasyprint (the annual report's PDF) needs Pango and HarfBuzz; without them the report is
# still served as HTML and the page says the PDF is unavailable.
PANGO := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
pango:
	@dpkg -s $(PANGO) >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $(PANGO); }

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
