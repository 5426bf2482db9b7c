# The two quick-start commands of the README are `make run` and `make test`.
# Both create .venv with Python 3.11+ on first use and reinstall when pyproject.toml changes.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	&& echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= config.yaml

.PHONY: run test lint typecheck unit bench demo venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "watcher needs Python 3.11 or newer on PATH" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e . --group dev
	@touch $@

## Set up and run the daemon (SQLite, embedded). Needs WATCHER_USER_AGENT or edgar.user_agent.
run: venv
	$(BIN)/watcher run --config $(CONFIG)

## Set up and run the tests: ruff, mypy strict, pytest.
test: venv lint typecheck unit

lint: venv
	$(BIN)/ruff check watcher tests bench

typecheck: venv
	$(BIN)/mypy watcher

unit: venv
	$(BIN)/pytest -q

demo: venv
	$(BIN)/watcher demo

bench: venv
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
