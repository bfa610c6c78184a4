# The two set-up commands (README): `make demo` and `make test`. Both need only Python 3 and git.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test lint format bench compat compat-update clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: $(BIN)/.installed
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check gitmig tests benchmarks compat
	$(BIN)/ruff format --check gitmig tests benchmarks compat
	$(BIN)/mypy

format: $(BIN)/.installed
	$(BIN)/ruff format gitmig tests benchmarks compat
	$(BIN)/ruff check --fix gitmig tests benchmarks compat

# Alembic's own test files against gitmig (docs/development.md); downloads Alembic's sdist
# into .compat/ on first use
compat: $(BIN)/.installed
	$(BIN)/python compat/run.py $(PYTEST_ARGS)

compat-update: $(BIN)/.installed
	$(BIN)/python compat/run.py --update $(PYTEST_ARGS)

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache benchmarks/.work .compat
