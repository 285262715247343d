"""Messages a job function cannot read: logged once and consumed, never sent round the queue again."""

from __future__ import annotations

from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ValidationError

Job = TypeVar("Job", bound=BaseModel)


def parse(record: SQSRecord, model: type[Job], logger: Logger, **context: Any) -> Job | None:
    """The job the message holds, or None (after a log line naming the message, not its content)."""
    try:
        return model.model_validate(record.json_body)
    except (ValueError, TypeError, ValidationError) as exc:  # json.JSONDecodeError is a ValueError
        logger.error("malformed job message consumed", extra={"message_id": record.message_id,
                                                              "error": type(exc).__name__, **context})
        return None


