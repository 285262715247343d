"""One transmission attempt, as a provider function runs it: pending -> inflight -> completed | failed.

The attempt named on the invoice moves it to inflight with a conditional write; the provider sends;
the outcome is written only by that attempt and only from inflight. A temporary failure keeps the
invoice inflight and lets SQS deliver the same attempt again (with backoff, set by the function), up to
`MAX_TRIES` deliveries; then it fails with the reason recorded. Test-mode orders are not sent by
providers that do not support test mode (`testmode_ignored`, as pretix).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from invoicing.events import find_event
from invoicing.orders.service import event_settings
from invoicing.storage import invoices
from invoicing.storage import transmissions as store
from invoicing.transmission.providers import Provider, Rejected, Unavailable
from invoicing.webhooks import actions, notifications

MAX_TRIES = 5


class AttemptJob(BaseModel):
    organizer: str = Field(min_length=1)
    number: str = Field(min_length=1)
    attempt: str = Field(min_length=1)


class Outcome(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    TESTMODE_IGNORED = "testmode_ignored"
    NOT_DUE = "not due"  # another attempt owns the invoice, or it is no longer pending
    MISSING = "missing"


def run(job: AttemptJob, provider: Provider, delivery: int) -> Outcome:
    """`delivery` is SQS's receive count of the message: 1 on the first try."""
    item = store.begin(job.organizer, job.number, job.attempt)
    if item is None:
        current = invoices.get(job.organizer, job.number)
        if current is None:
            return Outcome.MISSING
        if current.doc["transmission_status"] != "inflight" or current.item.get("tx_attempt") != job.attempt:
            return Outcome.NOT_DUE
        invoice = current  # a retry of this attempt after a temporary failure
    else:
        invoice = invoices.from_item(item)
    store.log_begin(job.organizer, job.number, job.attempt, provider.name)

    def finish(status: Outcome, reason: str | None = None) -> None:
        records = _announcements(job.organizer, invoice, status)
        if store.finish(job.organizer, job.number, job.attempt, status, provider.name, reason,
                        notifications.transaction_items(records)):
            store.log_finish(job.organizer, job.number, job.attempt, status, reason)
            notifications.publish(records)

    if invoice.internal.get("testmode") and not provider.supports_testmode:
        finish(Outcome.TESTMODE_IGNORED, "test mode order: this channel has no test mode, nothing was sent")
        return Outcome.TESTMODE_IGNORED
    event = find_event(job.organizer, invoice.event)
    if event is None:
        finish(Outcome.FAILED, "the event no longer exists")
        return Outcome.FAILED
    try:
        provider.send(invoice, event_settings(job.organizer, event), job.attempt)
    except Rejected as exc:
        finish(Outcome.FAILED, str(exc) or type(exc).__name__)
        return Outcome.FAILED
    except Unavailable as exc:
        if delivery >= MAX_TRIES:
            finish(Outcome.FAILED, f"gave up after {delivery} tries: {exc}")
            return Outcome.FAILED
        store.log_note(job.organizer, job.number, job.attempt, f"try {delivery} of {MAX_TRIES} failed, will retry: {exc}")
        raise
    finish(Outcome.COMPLETED)
    return Outcome.COMPLETED


_ANNOUNCED = {"completed": actions.INVOICE_SENT, "failed": actions.INVOICE_SENDING_FAILED}


def _announcements(organizer: str, invoice: invoices.StoredInvoice, status: str) -> list[dict]:
    """pretix's `invoice.sent` / `invoice.sending_failed`, written with the outcome."""
    action = _ANNOUNCED.get(str(status))
    if action is None:
        return []
    return [notifications.notification(organizer, invoice.event, invoice.doc["order"], action, invoice.number)]
