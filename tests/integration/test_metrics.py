"""Powertools Metrics: what a handler call counted reaches stdout as embedded-metric-format lines."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.metrics.provider.cold_start import reset_cold_start_flag

from invoicing import config, metrics
from invoicing.invoices import changes
from invoicing.invoices.read import Visibility
from invoicing_infra.local.lambda_context import LambdaContext
from tests.support import builders

NAMESPACE = "Invoicing/test-stack"


def _context() -> LambdaContext:
    return LambdaContext("ApiOrdersFunction", 10, 512, "eu-central-1", "123456789012")


@pytest.fixture
def counting(monkeypatch):
    """Metrics on, as in a deployed function (the test suite runs with them off)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "invoicing")
    config.reset()
    metrics.metrics.clear_metrics()
    reset_cold_start_flag()
    yield
    metrics.metrics.clear_metrics()


def _emitted(captured: str) -> dict[str, dict]:
    """{metric name: {"value": the sum of its values, "dimensions": ..., "unit": ...}} from the EMF lines on stdout."""
    found = {}
    for line in captured.splitlines():
        if not line.startswith("{") or "_aws" not in line:
            continue
        document = json.loads(line)
        directive = document["_aws"]["CloudWatchMetrics"][0]
        assert directive["Namespace"] == NAMESPACE
        dimensions = {name: document[name] for name in directive["Dimensions"][0]}
        for metric in directive["Metrics"]:
            value = document[metric["Name"]]
            found[metric["Name"]] = {"value": sum(value) if isinstance(value, list) else value, "dimensions": dimensions,
                                     "unit": metric["Unit"]}
    return found


def test_issuing_an_invoice_counts_it_and_the_cold_start(aws, counting, capsys):
    # Given an event that invoices on order creation
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    handler = metrics.flushed(lambda event, context: builders.order(org)["invoices"])
    # When a function call creates an order (and so issues its invoice)
    assert handler({}, _context()) == ["SAMPLECONF-00001"]
    # Then the call's metrics line counts one invoice, and a ColdStart line names the function
    emitted = _emitted(capsys.readouterr().out)
    assert emitted["InvoicesIssued"]["value"] == 1.0
    assert emitted["InvoicesIssued"]["dimensions"] == {"service": "invoicing"}
    assert "CancellationsIssued" not in emitted
    assert emitted["ColdStart"]["dimensions"] == {"function_name": "ApiOrdersFunction", "service": "invoicing"}


def test_reissue_counts_a_cancellation_and_a_new_invoice(aws, counting, capsys):
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    builders.order(org)
    capsys.readouterr()
    metrics.metrics.clear_metrics()
    handler = metrics.flushed(lambda event, context: changes.reissue(org, "SAMPLECONF-00001", Visibility(events=None)))
    handler({}, _context())
    emitted = _emitted(capsys.readouterr().out)
    assert emitted["CancellationsIssued"]["value"] == 1.0
    assert emitted["InvoicesIssued"]["value"] == 1.0


def test_transmissions_carry_provider_and_outcome(counting, capsys):
    metrics.flushed(lambda event, context: metrics.transmission("peppol", "failed"))({}, _context())
    emitted = _emitted(capsys.readouterr().out)
    assert emitted["Transmissions"]["value"] == 1.0
    assert emitted["Transmissions"]["dimensions"] == {"provider": "peppol", "outcome": "failed", "service": "invoicing"}


def test_render_duration_is_in_milliseconds(counting, capsys):
    metrics.flushed(lambda event, context: metrics.pdf_rendered(12.5))({}, _context())
    emitted = _emitted(capsys.readouterr().out)
    assert emitted["PdfRenderDuration"] == {"value": 12.5, "dimensions": {"service": "invoicing"},
                                            "unit": "Milliseconds"}


@pytest.mark.parametrize("variable, value", [("POWERTOOLS_METRICS_DISABLED", "true"),
                                             ("POWERTOOLS_METRICS_NAMESPACE", "")])
def test_without_a_namespace_or_when_disabled_nothing_is_printed_or_kept(aws, counting, capsys, monkeypatch,
                                                                        variable, value):
    # Given metrics switched off (the local stack and the tests) or no namespace (the CLI)
    monkeypatch.setenv(variable, value)
    config.reset()
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    # When an invoice is issued in a function call, and 150 more are counted in one process without a
    # flush (Powertools would flush by itself at 100, and raise without a namespace)
    metrics.flushed(lambda event, context: builders.order(org))({}, _context())
    for _ in range(150):
        metrics.invoices_issued([{"number": "X", "is_cancellation": False}])
    metrics.transmission("email_pdf", "completed")
    # Then nothing was printed and nothing waits in memory
    assert _emitted(capsys.readouterr().out) == {}
    assert metrics.metrics.metric_set == {}


# --- The functions' wiring: what their handlers count -------------------------------------------------


def _function(logical_id: str):
    from invoicing_infra.local.handlers import load_handler
    from invoicing_infra.template import Template
    from tests.conftest import ROOT

    return load_handler(Template.load(ROOT / "template.yaml").functions()[logical_id], namespace=f"metrics_{logical_id}")


def _sqs_event(queue: str, jobs: list[dict]) -> dict:
    from invoicing_infra.local.sqs_poller import lambda_record

    return {"Records": [lambda_record({"MessageId": f"m{index}", "ReceiptHandle": f"r{index}", "Body": json.dumps(job),
                                       "MD5OfBody": "", "Attributes": {"ApproximateReceiveCount": "1"}},
                                      f"arn:aws:sqs:eu-central-1:123456789012:{queue}", "eu-central-1")
                        for index, job in enumerate(jobs)]}


def test_the_render_function_counts_a_render_with_its_duration_and_a_failed_job(aws, counting, capsys):
    # Given an issued invoice
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    (number,) = builders.order(org)["invoices"]
    capsys.readouterr()
    metrics.metrics.clear_metrics()
    handler = _function("RenderPdfFunction")
    # When the render function gets its job and a malformed one
    good = {"organizer": org, "number": number, "content_version": 1}
    bad = {"organizer": org, "number": number, "content_version": "not a version"}
    result = handler(_sqs_event("RenderQueue", [good, bad]), _context())
    # Then one render was timed and one failure counted (the malformed job consumed, never redelivered: issue 10)
    assert result == {"batchItemFailures": []}
    emitted = _emitted(capsys.readouterr().out)
    assert emitted["PdfRenderDuration"]["unit"] == "Milliseconds" and emitted["PdfRenderDuration"]["value"] > 0
    assert emitted["PdfRenderFailures"]["value"] == 1.0


def test_a_provider_function_counts_the_outcome_of_each_attempt(aws, counting, capsys):
    handler = _function("TransmitPeppolFunction")
    job = {"organizer": "nobody", "number": "X-1", "attempt": "a1"}
    assert handler(_sqs_event("PeppolQueue", [job]), _context()) == {"batchItemFailures": []}
    emitted = _emitted(capsys.readouterr().out)
    assert emitted["Transmissions"]["dimensions"] == {"provider": "peppol", "outcome": "missing", "service": "invoicing"}
