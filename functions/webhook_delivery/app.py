"""Webhook deliveries from WebhookQueue (fan-out and signed POSTs), and, on its schedule, the outbox sweep.

Failed records go back to SQS (ReportBatchItemFailures) after their visibility is pushed out by the
backoff, so each retry waits as long as delivery.backoff_seconds says.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from invoicing import config
from invoicing.storage import queues
from invoicing.storage import webhooks as webhook_store
from invoicing.webhooks import delivery, notifications

config.require("TABLE_NAME", "WEBHOOK_QUEUE_URL")

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


# An organizer's webhooks, read once per invocation (a batch holds up to 5 notifications, mostly of one organizer).
_webhooks: dict[str, list[dict[str, Any]]] = {}


def record_handler(record: SQSRecord) -> str:
    job = record.json_body
    if job.get("kind") == "notification":
        organizer = job["organizer"]
        if organizer not in _webhooks:
            _webhooks[organizer] = webhook_store.list_webhooks(organizer)
        queued = delivery.fan_out(organizer, job["notification_id"], _webhooks[organizer])
        return f"fanned out to {queued}"
    try:
        outcome = delivery.deliver(job["organizer"], int(job["webhook"]), job["notification_id"])
    except delivery.Retry as retry:
        logger.info("webhook delivery will be retried", extra={"webhook": job["webhook"], "reason": retry.reason,
                                                              "seconds": retry.seconds})
        queues.delay(config.webhook_queue_url(), record.receipt_handle, retry.seconds)
        raise
    logger.info("webhook delivery", extra={"webhook": job["webhook"], "outcome": outcome.value})
    return outcome.value


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _webhooks.clear()
    if "Records" not in event:  # the schedule
        return {"queued": notifications.sweep()}
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
