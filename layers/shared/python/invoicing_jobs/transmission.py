"""The Lambda handler of a provider function: one transmission attempt per SQS record.

Powertools reports failed records to SQS (ReportBatchItemFailures) and keeps a twin delivery of an
attempt in flight from sending a second time (idempotency on organizer, number and attempt). A
temporary failure pushes the message's next delivery out exponentially before SQS retries it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function

from invoicing import metrics
from invoicing.config import idempotency_table_name, require, variable
from invoicing.storage import queues
from invoicing.transmission import types, worker
from invoicing.transmission.providers import Provider, Unavailable
from invoicing_jobs import logs, malformed

logger = Logger()


def backoff_seconds(delivery: int) -> int:
    """30 s, 60 s, 120 s, ... up to 15 minutes."""
    return min(900, 30 * 2 ** max(0, delivery - 1))


def make_handler(transmission_type: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The handler of the function that consumes `transmission_type`'s queue with that type's provider."""
    kind = types.get(transmission_type)
    queue_variable = kind.queue_variable
    require("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "FILES_BUCKET", queue_variable, *kind.variables)
    provider: Provider = kind.load_provider()
    processor = BatchProcessor(event_type=EventType.SQS)
    config = IdempotencyConfig(event_key_jmespath="[organizer, number, attempt]", expires_after_seconds=3600)
    persistence = DynamoDBPersistenceLayer(table_name=idempotency_table_name())

    @idempotent_function(data_keyword_argument="job", config=config, persistence_store=persistence)
    def attempt(job: dict[str, Any], delivery: int) -> str:
        outcome = worker.run(worker.AttemptJob.model_validate(job), provider, delivery)
        metrics.transmission(provider.name, outcome.value)
        logger.info("transmission attempt done", extra={"outcome": outcome.value})
        return outcome.value

    def record_handler(record: SQSRecord) -> str:
        delivery = int(record.attributes.approximate_receive_count or 1)
        job = malformed.parse(record, worker.AttemptJob, logger, provider=provider.name)
        if job is None:
            metrics.transmission(provider.name, "malformed")
            return "malformed"
        body = job.model_dump()
        with logs.job(logger, expected=(Unavailable,), provider=provider.name, organizer=body.get("organizer"),
                      number=body.get("number"), attempt=body.get("attempt"), delivery=delivery):
            try:
                return attempt(job=body, delivery=delivery)
            except Unavailable as exc:
                metrics.transmission(provider.name, "retry")
                logger.warning("transmission attempt will be retried", extra={"outcome": "retry", "reason": str(exc)})
                queues.delay(variable(queue_variable), record.receipt_handle,
                             exc.retry_after or backoff_seconds(delivery))
                raise

    @metrics.flushed
    @logger.inject_lambda_context(clear_state=True)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        config.register_lambda_context(context)
        return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                        context=context)

    return lambda_handler
