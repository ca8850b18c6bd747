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
	mkdir -p $(dir $(DB))
	$(BIN)/newsfacts ingest --db $(DB) fixtures/articles/*/page.html
	$(BIN)/newsfacts serve --db $(DB) --host 127.0.0.1 --port 8001

## test: lint (ruff, mypy), then the whole test suite
test: lint
	$(BIN)/pytest

lint: $(BIN)/newsfacts
	$(BIN)/ruff check extractor tests
	$(BIN)/ruff format --check extractor tests
	$(BIN)/mypy extractor

format: $(BIN)/newsfacts
	$(BIN)/ruff format extractor tests
	$(BIN)/ruff check --fix extractor tests

## bench: words/s against the bare tokenizer and quantulum3, start-up, memory and scaling
## (~20 min on 2 cores; `make bench BENCH_QUICK=1` takes about a minute)
$(VENV)/.bench-deps: pyproject.toml $(BIN)/newsfacts
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

bench: $(VENV)/.bench-deps
	$(BIN)/python -m bench.run $(if $(BENCH_QUICK),--quick)

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
