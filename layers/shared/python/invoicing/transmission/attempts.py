"""Starting transmission attempts: pretix's `transmit` and `retransmit`, and automatic sending on issue.

An attempt is a message on the queue of the provider for the invoice's type, carrying an attempt id that
was first written on the invoice. Only the attempt named on the invoice may move it to `inflight`, and
only from `pending`, so two API calls or two workers never send one invoice twice by accident; a
redelivered message of a finished attempt finds the invoice no longer pending and does nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from invoicing.config import variable
from invoicing.errors import Conflict, PermissionDenied
from invoicing.invoices.read import Visibility, get_invoice
from invoicing.storage import queues
from invoicing.storage import transmissions as store
from invoicing.transmission import types

NOT_PENDING = "The invoice is not in pending state."
IN_PROGRESS = "The requested action is already in progress."

logger = Logger(child=True)


class InProgress(Conflict):
    detail = IN_PROGRESS


def new_attempt() -> str:
    return uuid.uuid4().hex


def job(organizer: str, number: str, attempt: str) -> dict[str, str]:
    return {"organizer": organizer, "number": number, "attempt": attempt}


def enqueue(transmission_type: str, jobs: list[dict[str, str]]) -> None:
    """Best effort, like render jobs: an attempt that never reached its queue leaves the invoice pending, and the
    sweep sends pending invoices of enforced types; email-type ones wait for `transmit`, as in pretix."""
    if not jobs:
        return
    kind = types.find(transmission_type)  # one queue (and one function) per type
    try:
        failed = queues.send(variable(kind.queue_variable), jobs) if kind else jobs
    except (BotoCoreError, ClientError):
        logger.exception("transmission attempts not queued", extra={"type": transmission_type, "count": len(jobs)})
        return
    if failed:
        logger.warning("transmission attempts not queued", extra={"type": transmission_type, "count": len(failed)})


def start(organizer: str, number: str, transmission_type: str) -> bool:
    """Queue an attempt for a pending invoice; False when it is not pending."""
    attempt = new_attempt()
    if not store.queue_attempt(organizer, number, attempt):
        return False
    enqueue(transmission_type, [job(organizer, number, attempt)])
    return True


def transmit(organizer: str, number: str, visibility: Visibility) -> None:
    """pretix's `transmit`: 403 unless pending; the attempt runs only if the invoice is still pending then."""
    invoice = get_invoice(organizer, number, visibility)
    if invoice.doc["transmission_status"] != "pending" or not start(organizer, invoice.number,
                                                                    invoice.doc["transmission_type"]):
        raise PermissionDenied(NOT_PENDING)


def retransmit(organizer: str, number: str, visibility: Visibility) -> None:
    """pretix's `retransmit`: from anything but inflight back to pending (date now), then an attempt."""
    invoice = get_invoice(organizer, number, visibility)
    kind = invoice.doc["transmission_type"]
    attempt = new_attempt()
    if not store.reset_to_pending(organizer, invoice.number, attempt, kind in types.ENFORCED):
        raise InProgress()
    enqueue(kind, [job(organizer, invoice.number, attempt)])


def on_issue(organizer: str, documents: Iterable[dict], send_email: bool) -> None:
    """Send new invoices of enforced types at once, and email-type ones when the event asks for it."""
    for doc in documents:
        if doc["transmission_type"] in types.ENFORCED or (send_email and doc["transmission_type"] == "email"):
            start(organizer, doc["number"], doc["transmission_type"])
