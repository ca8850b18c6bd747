# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := data/newsfacts.db

.PHONY: demo test lint format bench clean

$(BIN)/newsfacts: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## demo: ingest the bundled fixture articles and serve them in Datasette on :8001
demo: $(BIN)/newsfacts
	$(BIN)/newsfacts ingest --db $(DB) fixtures/articles/*/page.html
	$(BIN)/newsfacts serve --db $(DB) --host 127.0.0.1 --port 8001

## test: lint, then the whole test suite
test: $(BIN)/newsfacts
	$(BIN)/ruff check extractor tests
	$(BIN)/ruff format --check extractor tests
	$(BIN)/pytest

lint: $(BIN)/newsfacts
	$(BIN)/ruff check extractor tests
	$(BIN)/ruff format --check extractor tests

format: $(BIN)/newsfacts
	$(BIN)/ruff format extractor tests
	$(BIN)/ruff check --fix extractor tests

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
