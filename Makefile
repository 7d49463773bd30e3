# The README's two commands. `make run` sets everything up and serves; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test migrate demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

# Links in emails and the printed address follow HOST and PORT unless OORG_BASE_URL says otherwise.
run: export OORG_BASE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(BIN)/oorg migrate
	$(BIN)/oorg demo --if-empty
	$(BIN)/oorg serve --host $(HOST) --port $(PORT)

# Tests run on SQLite; set OORG_TEST_DATABASE_URL=postgres://... to run them on PostgreSQL too (CI does).
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/api_overhead.py

clean:
	rm -rf $(VENV) var
