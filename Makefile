# floorwatch task runner. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@echo "==> creating the virtual environment in $(VENV) and installing pinned packages"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet --progress-bar on -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP) ## Install everything: Python packages, Kafka jars (Maven), Prometheus (Debian), Helm (Go module)
	@$(PY) -m floorwatch.cli setup

run: setup ## Set everything up and run the live floor (local Kafka, workers, Prometheus, traffic)
	@$(PY) -m floorwatch.cli up

run-secure: setup ## The live floor with Kafka over SASL_SSL and /metrics behind TLS, client certificates and basic auth
	@$(PY) -m floorwatch.cli up --secure

check: $(STAMP) ## Static gates: ruff lint, ruff format check, mypy (strict on floorwatch/core)
	@echo "==> ruff check"
	@$(VENV)/bin/ruff check .
	@echo "==> ruff format --check"
	@$(VENV)/bin/ruff format --check .
	@echo "==> mypy"
	@bash deploy/typecheck.sh $(PY)

fix: $(STAMP) ## Apply ruff's safe fixes and format the tree
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

test: setup check ## Set everything up, run the static gates (make check), then every test (unit, then integration on a real broker)
	@bash deploy/run-tests.sh $(PY)

test-unit: $(STAMP) ## Unit tests only: no broker, seconds
	@bash deploy/run-tests.sh $(PY) unit

test-integration: setup ## Integration tests only: real Kafka and Prometheus
	@bash deploy/run-tests.sh $(PY) integration

REPEAT ?= 5
test-faults: setup ## Fault suite REPEAT times (default 5) on real brokers; writes bench/results/faults.json
	@$(PY) -m tests.integration.faults --repeat $(REPEAT) --out bench/results/faults.json

bench: setup ## Benchmarks side by side on the real broker (raw aiokafka, bare Faust, pipeline, core); QUICK=1 for a short run
	@$(PY) -m bench $(if $(QUICK),--quick,)

chart: setup ## Lint, render and validate the Helm chart (deploy/helm/floorwatch), as `make test` does
	@$(PY) -m pytest tests/unit/deploy -q

bench-core: $(STAMP) ## The pure core, no broker: 1,000-agent 8 h log beside json.loads, and a month-long replay (logs cached)
	@$(PY) -m bench.core

dashboards: $(STAMP) ## Regenerate the Grafana dashboards and Prometheus rules from code
	@$(PY) -m floorwatch.cli dashboards generate

report-screenshots: $(STAMP) ## Regenerate the shift report's screenshots in docs/images/ (needs chromium: make setup)
	@$(PY) -m floorwatch.deploy.report_screenshots

schemas: $(STAMP) ## Regenerate the JSON Schemas and the AsyncAPI document from the models
	@$(PY) -m floorwatch.cli schemas write

kafka-up: setup ## Start a single local Kafka broker in the background (127.0.0.1:19092)
	@$(PY) -m floorwatch.cli kafka start

kafka-up-secure: setup ## The same broker with SASL_SSL (SCRAM) on 19094 and mutual TLS on 19095; `source .run/kafka/secure.env`
	@$(PY) -m floorwatch.cli kafka start --secure

kafka-down: $(STAMP) ## Stop the local Kafka broker(s) started by kafka-up
	@$(PY) -m floorwatch.cli kafka stop

clean: ## Remove the virtual environment and local run state (not the jar cache)
	rm -rf $(VENV) .run .pytest_cache .hypothesis

.PHONY: help setup check fix run run-secure test test-unit test-integration test-faults bench bench-core chart dashboards schemas kafka-up kafka-up-secure kafka-down clean
