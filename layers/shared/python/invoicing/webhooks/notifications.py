"""Notifications: what happened, written in the same DynamoDB transaction as the change (an outbox).

Why an outbox rather than sending after commit alone: the change and its notification then succeed or
fail together, so no committed invoice goes unannounced when the function dies between commit and send,
and a rolled-back attempt (a lost numbering race) announces nothing. After the commit the notifications
are also put on the webhook queue at once, so delivery starts within a second; when that send fails
(or the function dies first) the sweep finds the outbox item (sparse index) and queues it.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from invoicing import config
from invoicing.clock import isoformat_z, now
from invoicing.storage import queues
from invoicing.storage import webhooks as store
from invoicing.webhooks.actions import INVOICE_ACTIONS

logger = logging.getLogger(__name__)


def new_id() -> str:
    """Sortable by time (milliseconds first), unique by its random tail; stable across every retry."""
    return f"{int(time.time() * 1000):013d}{secrets.token_hex(4)}"


def notification(organizer: str, event: str, code: str, action: str, invoice: str | None = None) -> dict[str, Any]:
    """pretix's payload fields, plus `invoice` (the number) on invoice actions."""
    record = {"notification_id": new_id(), "organizer": organizer, "event": event, "code": code, "action": action,
              "created": isoformat_z(now())}
    if action in INVOICE_ACTIONS:
        record["invoice"] = invoice
    return record


def payload(record: dict[str, Any]) -> dict[str, Any]:
    body = {key: record[key] for key in ("notification_id", "organizer", "event", "code", "action")}
    if record["action"] in INVOICE_ACTIONS:
        body["invoice"] = record.get("invoice")
    return body


def transaction_items(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [store.outbox_put(record) for record in records]


def fanout_job(record: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "notification", "organizer": record["organizer"], "notification_id": record["notification_id"]}


def publish(records: list[dict[str, Any]]) -> None:
    """After the commit: queue the fan-out. Never fails the caller; the sweep is the backstop."""
    if not records:
        return
    queue_url = config.settings().webhook_queue_url
    if not queue_url:
        return
    try:
        failed = queues.send(queue_url, [fanout_job(record) for record in records])
    except Exception:
        logger.warning("webhook notifications not queued; the sweep will", exc_info=True)
        return
    if failed:
        logger.warning("some webhook notifications not queued; the sweep will")


def sweep(older_than_seconds: int = 60, limit: int = 100) -> int:
    """Queue the fan-out of notifications still in the outbox a minute after they were written."""
    queue_url = config.settings().webhook_queue_url
    if not queue_url:
        return 0
    before = isoformat_z(now() - timedelta(seconds=older_than_seconds))
    records = store.due_outbox(before, limit)
    if records:
        queues.send(queue_url, [fanout_job(record) for record in records])
    return len(records)
