"""Export jobs from ExportQueue: produce the file into the files bucket (invoicing.exports.jobs.run)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from invoicing import config
from invoicing.exports import jobs

config.require("TABLE_NAME", "FILES_BUCKET")

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> str:
    job = record.json_body
    outcome = jobs.run(job["organizer"], job["job"])
    logger.info("export job", extra={"outcome": outcome})
    return outcome


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
