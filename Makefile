# The two commands a new user runs: `make run` and `make test`. Both install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint checkov bench bench-pdf bench-export mutate clean openapi lock font-coverage sam-build package-report

# Exact versions with hashes (requirements/README.md) into an emptied venv (nothing left from an older lock): the
# dev/test lock, the project itself without resolving anything, test-data packages whose pins clash with ours.
$(STAMP): pyproject.toml requirements/dev.txt requirements/dev-nodeps.txt
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet pip==26.3
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/dev-nodeps.txt
	touch $(STAMP)

install: $(STAMP)

## Re-resolve the locks after a change to pyproject.toml or a layers/*/requirements.in (keeps the pinned versions
## that still fit; `make lock UPGRADE=--upgrade` moves everything to the newest allowed release).
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command 'make lock' $(UPGRADE)
lock: install
	$(UV_COMPILE) pyproject.toml requirements/build.in --extra dev -o requirements/dev.txt
	$(UV_COMPILE) pyproject.toml -c requirements/dev.txt -o requirements/runtime.txt
	$(UV_COMPILE) --no-deps requirements/dev-nodeps.in -o requirements/dev-nodeps.txt
	$(UV_COMPILE) layers/deps/requirements.in -c requirements/runtime.txt -o layers/deps/requirements.txt
	$(UV_COMPILE) layers/pdf-deps/requirements.in -c requirements/runtime.txt -o layers/pdf-deps/requirements.txt
	$(UV_COMPILE) requirements/sam.in -o requirements/sam.txt
	$(MAKE) font-coverage

## What the invoice fonts draw (layers/shared/python/invoicing/printable.json), read from the installed font packages:
## the API's validators use it without loading fonts. Rerun after a font package changes (`make lock` does).
font-coverage: install
	$(BIN)/python -m invoicing.pdf.coverage

## SAM CLI in its own venv (requirements/sam.txt): `sam validate --lint`, then `sam build` without Docker (needs
## python3.11 on PATH; wheels for the template's arm64 come from PyPI), artifacts in .aws-sam/build.
SAM_VENV := .venv-sam
SAM := SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam
$(SAM_VENV)/.installed: requirements/sam.txt
	$(PYTHON) -m venv --clear $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet pip==26.3
	$(SAM_VENV)/bin/python -m pip install --quiet --require-hashes -r requirements/sam.txt
	touch $@

sam-build: $(SAM_VENV)/.installed
	@command -v python3.11 >/dev/null || { echo "sam build needs python3.11 on PATH (the Lambda runtime)"; exit 1; }
	$(SAM) validate --lint --region eu-central-1
	$(SAM) build

## Unzipped size of each function with its layers, from .aws-sam/build (Lambda's limit: 250 MB).
package-report: install sam-build
	$(BIN)/python -m invoicing_infra.package_report

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

## Mutation score of the rule modules (mutmut 3, in a scratch copy; slow, not in CI). MUTATE_MODULES="money tax" picks some.
mutate: install
	$(BIN)/python -m pip install --quiet 'mutmut==3.8.1'
	nice -n 10 $(BIN)/python tests/mutation/mutate.py $(MUTATE_MODULES)

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .pytest_cache .ruff_cache
