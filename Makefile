# The two commands (see README): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench-import bench-search clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

## run: create/upgrade the database, load the demo data, build the index, serve on 127.0.0.1:5000
run: $(BIN)/.installed
	$(BIN)/registry demo
	$(BIN)/registry serve

## test: the whole suite (unit, API, CLI, browser); PostgreSQL too when REGISTRY_TEST_DATABASE_URL is set
test: $(BIN)/.installed
	scripts/ensure-browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check registry tests bench
	$(BIN)/mypy registry

bench-import: $(BIN)/.installed
	$(BIN)/python bench/import_bench.py

bench-search: $(BIN)/.installed
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) instance .pytest_cache
