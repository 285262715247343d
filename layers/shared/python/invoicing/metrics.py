"""What the service counts, as CloudWatch embedded-metric-format lines (Powertools Metrics, no PutMetricData).

Every function's handler is wrapped in `flushed`, which prints what the call counted (plus `ColdStart`)
as one log line; CloudWatch turns it into metrics in POWERTOOLS_METRICS_NAMESPACE (`Invoicing/<stack>`).

Counting is off unless a namespace is set and POWERTOOLS_METRICS_DISABLED is not: the local stack, the
tests and the CLI run without a flush, and Powertools would keep disabled values in memory, print
`ColdStart` anyway, and raise at its 100-value auto-flush when no namespace is set.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from invoicing import config

metrics = Metrics()

Handler = TypeVar("Handler", bound=Callable[..., Any])


def enabled() -> bool:
    return bool(config.settings().metrics_namespace) and not is_metrics_disabled()


def flushed(handler: Handler) -> Handler:
    """`metrics.log_metrics(capture_cold_start_metric=True)` around a Lambda handler, while counting is on."""
    decorated = metrics.log_metrics(handler, capture_cold_start_metric=True)

    @functools.wraps(handler)
    def wrapper(event: Any, context: Any) -> Any:
        if not enabled():
            return handler(event, context)
        # Read when the call runs, not at import (the same in Lambda, where the variables never change).
        metrics.namespace = config.settings().metrics_namespace
        metrics.service = config.settings().service_name or metrics.service
        return decorated(event, context)

    return wrapper  # type: ignore[return-value]


def _count(name: str, value: float = 1, unit: MetricUnit = MetricUnit.Count) -> None:
    if enabled():
        metrics.add_metric(name=name, unit=unit, value=value)


def invoices_issued(documents: list[dict[str, Any]]) -> None:
    """`InvoicesIssued` and `CancellationsIssued`: documents written with a new number."""
    cancellations = sum(1 for doc in documents if doc.get("is_cancellation"))
    if len(documents) > cancellations:
        _count("InvoicesIssued", len(documents) - cancellations)
    if cancellations:
        _count("CancellationsIssued", cancellations)


def pdf_rendered(milliseconds: float) -> None:
    _count("PdfRenderDuration", milliseconds, MetricUnit.Milliseconds)


def pdf_render_failed() -> None:
    _count("PdfRenderFailures")


def billing_invoice_released() -> None:
    _count("BillingInvoicesReleased")


def transmission(provider: str, outcome: str) -> None:
    """`Transmissions` by provider and outcome (completed, failed, testmode_ignored, retry, ...): its own
    line, since dimensions apply to every metric of a line."""
    if not enabled():
        return
    with single_metric(name="Transmissions", unit=MetricUnit.Count, value=1,
                       namespace=config.settings().metrics_namespace) as metric:
        metric.add_dimension(name="provider", value=provider)
        metric.add_dimension(name="outcome", value=outcome)
        if metrics.service:
            metric.add_dimension(name="service", value=str(metrics.service))
