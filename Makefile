# One interface for people and CI. `make report` and `make test` set up what they need.
#   make report                 latest year the data covers -> _build/html, _build/pdf
#   make report YEAR=2021       that year's edition
#   make html YEAR=2021         website only (faster)
#   make verify YEAR=2021       recompute a published edition from its inputs, compare every number
#   make test                   all tests (set SOZIALBERICHT_DATA to a mirror folder for offline runs)
#   make notebooks              regenerate notebooks/ and _toc.yml after editing data/report.yml,
#                               the chapters of data/indicators.yml or data/texts/*.md
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
YEAR ?=
YEAR_ARG := $(if $(YEAR),--year $(YEAR),)

.PHONY: setup report html pdf verify lint test test-fast bench clean notebooks

setup: $(VENV)/.installed .system-deps

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

.system-deps: scripts/install-system-deps.sh
	bash scripts/install-system-deps.sh
	touch $@

report: setup
	$(BIN)/python -m sozialbericht build $(YEAR_ARG)

html: setup
	$(BIN)/python -m sozialbericht build $(YEAR_ARG) --formats html

pdf: setup
	$(BIN)/python -m sozialbericht build $(YEAR_ARG) --formats pdf

verify: setup
	$(BIN)/python -m sozialbericht verify --year $(or $(YEAR),$(shell ls _build/html | grep -E '^[0-9]{4}$$' | sort | tail -1))

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not e2e"

notebooks: setup
	$(BIN)/python tools/make_notebooks.py

bench: setup
	$(BIN)/python scripts/bench.py

clean:
	rm -rf _build book/[0-9][0-9][0-9][0-9] .system-deps
