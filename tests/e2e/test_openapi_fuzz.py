"""Schemathesis against the local stack, from the API's own OpenAPI document: every operation, with valid
tokens and real path values, bounded in examples and time. No response may be a server error, and every
response must be one the document declares (status, content type, headers, body schema), including
405 with its Allow header for methods an operation does not have.

The seed is printed (and is in the failure message); replay with FUZZ_SEED=<seed>. FUZZ_MAX_EXAMPLES
raises the examples per operation for a deeper run.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT, make_token
from tests.support.billing_parties import make_billable

CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "unsupported_method",
          "allow_header_conformance")
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
MAX_SECONDS = 300  # the run stops after MAX_EXAMPLES per operation; this only guards against a hang


def _toml(value: object) -> str:
    return json.dumps(value)  # a JSON string or number is a valid TOML value


@pytest.fixture(scope="module")
def fuzz_target(new_organizer, api, stack):
    """An organizer with an event, an order with an invoice, a released billing invoice, and a platform token."""
    from invoicing import platform
    from invoicing.billing import issue, workflow
    from invoicing.billing.models import BillingCreate

    shop = new_organizer("fuzz", invoice_generate="True")
    shop.event("conf")
    order = shop.order("conf")
    number = shop.invoice_numbers("conf")[0]
    make_billable(shop.slug)
    billing = issue.create(BillingCreate.model_validate({
        "organizer": shop.slug, "currency": "EUR", "lines": [{"description": "Fees", "net": "10.00", "tax_rate": "19"}]}))
    workflow.release(billing.number)
    platform_secret, _ = platform.create_token("fuzz operator")
    token = make_token(shop.slug, ("can_view_orders", "can_change_orders", "can_change_event_settings",
                                   "can_view_billing"))
    return {"organizer": shop.slug, "event": "conf", "code": order["code"], "number": number,
            "billing_number": billing.number, "token": token, "platform_token": platform_secret}


def test_the_api_conforms_to_its_own_openapi_document(stack, fuzz_target, tmp_path):
    seed = int(os.environ.get("FUZZ_SEED") or random.randrange(2**32))
    print(f"\nSchemathesis seed: {seed} (replay: FUZZ_SEED={seed})")
    target = fuzz_target
    config = tmp_path / "schemathesis.toml"
    config.write_text("\n".join([
        f"headers = {{ Authorization = {_toml('Token ' + target['token'])} }}",
        "[parameters]",
        f'"path.organizer" = {_toml(target["organizer"])}',
        f'"path.accountId" = {_toml(target["organizer"])}',
        f'"path.event" = {_toml(target["event"])}',
        f'"path.code" = {_toml(target["code"])}',
        "",
        "[[operations]]",
        'include-path-regex = "^/api/v1/platform/"',
        f"headers = {{ Authorization = {_toml('Token ' + target['platform_token'])} }}",
        f'parameters = {{ "path.number" = {_toml(target["billing_number"])} }}',
        "",
        "[[operations]]",
        'include-path-regex = "(billing_invoices|/accounts/)"',
        'exclude-path-regex = "^/api/v1/platform/"',
        f'parameters = {{ "path.number" = {_toml(target["billing_number"])}, '
        f'"path.invoiceId" = {_toml(target["billing_number"])} }}',
        "",
        "[[operations]]",
        'include-path-regex = "/invoices/\\\\{number\\\\}"',
        f'parameters = {{ "path.number" = {_toml(target["number"])} }}',
        "",
    ]))
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
               f"{stack.api_url}/api/v1/openapi.json", "--url", stack.api_url,
               "--checks", ",".join(CHECKS), "--phases", "examples,coverage,fuzzing",
               "--max-examples", str(MAX_EXAMPLES), "--seed", str(seed), "--workers", "1",
               "--request-timeout", "30", "--no-shrink",
               "--suppress-health-check", "all", "--warnings", "off"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=MAX_SECONDS, cwd=ROOT,
                            env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": "tests.support.schemathesis_hooks",
                                 "PYTHONPATH": str(ROOT)})
    output = result.stdout + result.stderr
    print(output[-6000:])
    assert result.returncode == 0, f"seed {seed}: replay with FUZZ_SEED={seed}\n{output[-12000:]}"
