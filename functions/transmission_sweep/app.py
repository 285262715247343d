"""Scheduled: revive transmission attempts stuck inflight, send enforced-type invoices still pending."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger

from invoicing import config, metrics
from invoicing.transmission import types
from invoicing.transmission.sweep import sweep

logger = Logger()
STUCK_AFTER = timedelta(minutes=config.require("TABLE_NAME", *types.queue_variables()).transmission_stuck_minutes)


@metrics.flushed
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    result = sweep(STUCK_AFTER)
    logger.info("transmission sweep", extra={"revived": result.revived, "sent": result.sent})
    return {"revived": result.revived, "sent": result.sent}
