"""Fan-out and delivery, as the webhook function runs them from its queue.

A `notification` job reads the outbox item, records one delivery per matching enabled webhook
(conditionally, so a redelivered job records nothing twice), queues a `delivery` job for each and then
removes the outbox item. A `delivery` job POSTs the payload, signed, with a 10 s timeout: 2xx is done,
410 disables the webhook, anything else (or a timeout, or a refused address) is retried with exponential
backoff from `WEBHOOK_RETRY_BASE_SECONDS` (30) doubling up to 6 hours per wait, for up to 3 days after the
first try. The `notification_id` stays the same on every try, so receivers deduplicate on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from invoicing import config
from invoicing.clock import isoformat_z, now
from invoicing.storage import queues
from invoicing.storage import webhooks as store
from invoicing.webhooks import actions, notifications, service, signing, targets

TIMEOUT_SECONDS = 10.0
GIVE_UP_AFTER = timedelta(days=3)
MAX_WAIT_SECONDS = 6 * 3600
USER_AGENT = "invoicing-webhooks/1"


def retry_base_seconds() -> int:
    return min(30, config.settings().webhook_retry_base_seconds)


def backoff_seconds(attempt: int) -> int:
    """The wait after the `attempt`-th failed try: base, 2 x base, 4 x base, ... at most 6 hours."""
    return min(MAX_WAIT_SECONDS, retry_base_seconds() * 2 ** max(0, attempt - 1))


class Outcome(StrEnum):
    DELIVERED = "delivered"
    DISABLED = "disabled"  # 410: the webhook was switched off
    RETRY = "retry"
    GAVE_UP = "gave_up"
    SKIPPED = "skipped"  # already delivered, or the webhook is gone or disabled


@dataclass
class Retry(Exception):
    """A failed try; SQS shall deliver the job again after `seconds`."""

    seconds: int
    reason: str


def fan_out(organizer: str, notification_id: str, webhooks: list[dict[str, Any]] | None = None) -> int:
    """Record and queue a delivery per matching webhook; the number queued.

    `webhooks` is the organizer's list when the caller read it already (once for a batch of notifications);
    None reads it here. With no enabled webhook nothing can match: the outbox item is removed unread.
    """
    if webhooks is None:
        webhooks = store.list_webhooks(organizer)
    if not any(webhook.get("enabled") for webhook in webhooks):
        store.delete_outbox(organizer, notification_id)
        return 0
    record = store.get_outbox(organizer, notification_id)
    if record is None:
        return 0  # fanned out already
    jobs = []
    for webhook in webhooks:
        if not _subscribed(webhook, record):
            continue
        delivery = {"notification_id": notification_id, "action": record["action"], "invoice": record.get("invoice"),
                    "payload": json.dumps(notifications.payload(record), separators=(",", ":")),
                    "state": "pending", "attempts": 0, "last_status_code": None, "last_error": None,
                    "next_try": isoformat_z(now()), "delivered_at": None}
        store.create_delivery(organizer, int(webhook["id"]), delivery)
        jobs.append({"kind": "delivery", "organizer": organizer, "webhook": int(webhook["id"]),
                     "notification_id": notification_id})
    if jobs:
        failed = queues.send(config.webhook_queue_url(), jobs)
        if failed:
            raise RuntimeError(f"{len(failed)} delivery jobs not queued")  # the whole fan-out runs again
    store.delete_outbox(organizer, notification_id)
    return len(jobs)


def _subscribed(webhook: dict[str, Any], record: dict[str, Any]) -> bool:
    if not webhook.get("enabled"):
        return False
    if not webhook.get("all_events") and record["event"] not in (webhook.get("limit_events") or []):
        return False
    return actions.matches(list(webhook.get("action_types") or []), record["action"])


def deliver(organizer: str, webhook_id: int, notification_id: str) -> Outcome:
    """One try; raises Retry when SQS should try again later."""
    delivery = store.get_delivery(organizer, webhook_id, notification_id)
    webhook = store.get_webhook(organizer, webhook_id)
    if delivery is None or delivery.get("state") != "pending":
        return Outcome.SKIPPED
    if webhook is None or not webhook.get("enabled"):
        store.update_delivery(organizer, webhook_id, notification_id, {"state": "skipped", "next_try": None})
        return Outcome.SKIPPED
    moment = now()
    stamp = int(moment.timestamp())
    body = delivery["payload"].encode()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               signing.HEADER: signing.header_value(service.signing_secrets(webhook, stamp), stamp, body)}
    attempts = int(delivery.get("attempts", 0)) + 1
    first_try = delivery.get("first_try") or isoformat_z(moment)
    status, error = None, None
    try:
        status = targets.post(webhook["target_url"], body, headers, TIMEOUT_SECONDS)
    except targets.RefusedTarget as exc:
        error = f"refused: {exc}"
    except TimeoutError:
        error = "timeout"
    except OSError as exc:
        error = f"connection failed: {type(exc).__name__}"
    fields: dict[str, Any] = {"attempts": attempts, "first_try": first_try, "last_status_code": status,
                              "last_error": error, "last_try": isoformat_z(moment)}
    if status is not None and 200 <= status < 300:
        store.update_delivery(organizer, webhook_id, notification_id,
                              {**fields, "state": "delivered", "delivered_at": isoformat_z(moment), "next_try": None})
        return Outcome.DELIVERED
    if status == 410:
        store.disable_if_enabled(organizer, webhook_id)
        store.update_delivery(organizer, webhook_id, notification_id,
                              {**fields, "state": "failed", "last_error": "410 Gone: webhook disabled", "next_try": None})
        return Outcome.DISABLED
    if error is None:
        fields["last_error"] = f"HTTP {status}"
    wait = backoff_seconds(attempts)
    if moment + timedelta(seconds=wait) > datetime.fromisoformat(first_try.replace("Z", "+00:00")) + GIVE_UP_AFTER:
        store.update_delivery(organizer, webhook_id, notification_id, {**fields, "state": "failed", "next_try": None})
        return Outcome.GAVE_UP
    store.update_delivery(organizer, webhook_id, notification_id,
                          {**fields, "next_try": isoformat_z(moment + timedelta(seconds=wait))})
    raise Retry(wait, fields["last_error"])
