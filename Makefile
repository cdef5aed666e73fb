# Two commands after cloning: `make up` starts the platform, `make test` runs the tests.
# Each first bootstraps what it needs from uv.lock, with only python3 (>= 3.11) and make.

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: up test lint typecheck format check install generate bench clean help explorers validate audit

help:
	@echo "make up        start the whole platform on the embedded default"
	@echo "make test      run the test suite"
	@echo "make check     lint, format check, validate, type check, then the tests (what CI runs)"
	@echo "make validate  check infra/ (compose, Kubernetes, alerts) and the AsyncAPI document"
	@echo "make audit     look up the locked dependencies in the vulnerability database"
	@echo "make generate  regenerate checked-in files derived from code"
	@echo "make bench     run the benchmarks under bench/"
	@echo "make explorers vendor GraphiQL's and the REST docs' assets from npm (needs npm)"

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "python3 >= 3.11 is needed, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --locked --extra embedded --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced

up: install
	$(BIN)/tinhso up

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m contracts.generate --check
	$(BIN)/python -m services.gateway.graphql.export --check
	$(BIN)/python -m services.gateway.rest.export --check
	$(BIN)/python -m contracts.compat
	$(BIN)/lint-imports

# The deployment examples and the event contract, with real validators (docs/adr/0029). The
# AsyncAPI parser is an npm package, locked in tools/asyncapi/package-lock.json.
ASYNCAPI := tools/asyncapi

$(ASYNCAPI)/node_modules/.installed: $(ASYNCAPI)/package-lock.json
	npm ci --prefix $(ASYNCAPI) --no-audit --no-fund --ignore-scripts
	@touch $@

validate: install $(ASYNCAPI)/node_modules/.installed
	$(BIN)/python -m tools.validate
	node $(ASYNCAPI)/validate.mjs contracts/asyncapi.json

# The locked runtime dependencies (the embedded extra too) against the Python Packaging
# Advisory Database; .github/workflows/audit.yml runs it every day.
audit: install
	$(UV) export --quiet --frozen --no-dev --extra embedded --no-emit-project --format requirements-txt -o $(VENV)/audit-requirements.txt
	$(BIN)/pip-audit --strict --disable-pip --require-hashes --progress-spinner off -r $(VENV)/audit-requirements.txt

typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint validate typecheck test

generate: install
	$(BIN)/python -m contracts.generate
	$(BIN)/python -m services.gateway.graphql.export
	$(BIN)/python -m services.gateway.rest.export

bench: install
	$(BIN)/python bench/backbone.py

explorers: install
	$(BIN)/python -m libs.common.http.explorers.refresh

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
