"""Render queue consumer: one PDF per job, partial batch failures reported to SQS."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing import config, metrics
from invoicing.billing import rendering as billing_rendering
from invoicing.invoices import rendering
from invoicing_jobs import logs, malformed

config.require("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "FILES_BUCKET", "BILLING_MAIL_SENDER")

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)
# A twin delivery of a job in flight fails (SQS redelivers it later) instead of rendering a second time.
# `kind` is part of the key: a billing invoice and an organizer's invoice may share a number.
idempotency = IdempotencyConfig(event_key_jmespath="[kind, organizer, number, content_version]",
                                expires_after_seconds=3600)
persistence = DynamoDBPersistenceLayer(table_name=config.idempotency_table_name())


@idempotent_function(data_keyword_argument="job", config=idempotency, persistence_store=persistence)
def render(job: dict[str, Any]) -> str:
    started = time.perf_counter()
    if job.get("kind") == "billing":  # a billing invoice: rendered, then emailed to the organizer
        outcome = billing_rendering.run(billing_rendering.BillingJob.model_validate(job))
    else:
        outcome = rendering.render(rendering.RenderJob.model_validate(job))
    if outcome in (rendering.Outcome.RENDERED, billing_rendering.Outcome.SENT):  # the rest drew nothing
        metrics.pdf_rendered((time.perf_counter() - started) * 1000)
    elif outcome in (rendering.Outcome.FAILED, rendering.Outcome.UNPRINTABLE,
                     billing_rendering.Outcome.FAILED):  # a failed render no retry can mend: counted, not raised
        metrics.pdf_render_failed()
    logger.info("render job done", extra={"outcome": outcome.value})
    return outcome.value


def record_handler(record: SQSRecord) -> str:
    model = billing_rendering.BillingJob if _kind(record) == "billing" else rendering.RenderJob
    job = malformed.parse(record, model, logger)
    if job is None:  # counted as a failure, consumed: redelivering it would fail the same way
        metrics.pdf_render_failed()
        return "malformed"
    body = job.model_dump()
    with logs.job(logger, expected=(IdempotencyAlreadyInProgressError,), kind=body.get("kind", "invoice"),
                  organizer=body.get("organizer"), number=body.get("number"), attempt=body.get("content_version"),
                  delivery=logs.delivery(record)):
        try:
            return render(job=body)
        except IdempotencyAlreadyInProgressError:  # a twin delivery in flight: SQS redelivers it, nothing failed
            raise
        except Exception:
            metrics.pdf_render_failed()
            raise


def _kind(record: SQSRecord) -> str | None:
    try:
        body = record.json_body
    except ValueError:
        return None
    return body.get("kind") if isinstance(body, dict) else None


@metrics.flushed
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
