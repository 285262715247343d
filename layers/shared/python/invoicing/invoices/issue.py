"""Issuing invoices: number them and write them with the counter in one transaction, retrying on conflict."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from invoicing import metrics, retry
from invoicing.clock import today_in
from invoicing.errors import AlreadyExists, BadRequest, ValidationFailed
from invoicing.events import Event
from invoicing.invoices import files, numbering
from invoicing.invoices.build import Draft, build_invoice
from invoicing.orders.models import Order
from invoicing.settings import InvoiceSettings
from invoicing.storage import dynamo
from invoicing.storage import invoices as store
from invoicing.storage import orders as orders_store
from invoicing.transmission import attempts
from invoicing.webhooks import actions, notifications

T = TypeVar("T")
# Numbers an attempt found already issued (by another prefix), kept across the attempts of one `retrying` call.
_taken: ContextVar[set[str] | None] = ContextVar("taken_numbers", default=None)


def retrying(attempt: Callable[[], T], budget: float | None = None) -> T:
    """`retry.retrying` for issuing: numbers found taken by another prefix are remembered across the attempts."""
    remembered = _taken.set(set())
    try:
        return retry.retrying(attempt, budget)
    finally:
        _taken.reset(remembered)


def qualifies(order: Order) -> bool:
    """pretix's invoice_qualified: a live order with a non-zero total."""
    return order.status != "c" and order.total != 0


def issue_documents(order: Order, event: Event, settings: InvoiceSettings, drafts: list[Draft], *,
                    order_changes: dict[str, Any] | None = None, new_order: dict[str, Any] | None = None,
                    taken: set[str] | None = None, order_actions: tuple[str, ...] = (),
                    reissue: bool = False) -> list[dict[str, Any]]:
    """Number `drafts` in order and write them; one attempt (wrap in `retrying`).

    The webhook notifications go in the same transaction: `order_actions` (placed, paid, canceled), then
    one per document: `generated` (a cancellation document too), or `reissued` for the new invoice of a reissue.
    """
    counter = store.read_counter(order.organizer)
    counters = dict(counter.counters)
    new_counters: dict[str, int] = {}
    numbers = list(order.invoice_numbers)
    if taken is None:
        taken = _taken.get()
        taken = taken if taken is not None else set()
    # The order's own numbers are taken without asking DynamoDB; one of them drawn again (a changed prefix) would
    # also put the cancellation and the update of the invoice it cancels on one item, which DynamoDB refuses.
    skip = taken | {number.upper() for number in numbers}
    documents = []
    for draft in drafts:
        prefix = numbering.prefix_for(settings, event.slug, is_cancellation=draft.is_cancellation,
                                      testmode=order.testmode, invoice_date=draft.date)
        while True:
            if settings.invoice_numbers_consecutive:
                counters[prefix] = counters.get(prefix, 0) + 1
                new_counters[prefix] = counters[prefix]
                number = numbering.consecutive_number(prefix, counters[prefix],
                                                      settings.invoice_numbers_counter_length)
            else:
                number = numbering.order_number(prefix, order.code, numbers)
            numbers.append(number)
            if number.upper() not in skip:
                break
        documents.append(({**draft.doc, "number": number}, draft.internal))
    records = [notifications.notification(order.organizer, event.slug, order.code, action) for action in order_actions]
    for doc, internal in documents:
        ensure_storable(order.organizer, doc, internal)
        action = actions.INVOICE_REISSUED if reissue and not doc["is_cancellation"] else actions.INVOICE_GENERATED
        records.append(notifications.notification(order.organizer, event.slug, order.code, action, doc["number"]))
    issue = store.Issue(organizer=order.organizer, counter=counter, new_counters=new_counters, documents=documents,
                        order_code=order.code, order_version=order.version, order_changes=order_changes or {},
                        new_order=new_order, outbox=notifications.transaction_items(records))
    try:
        store.write_issue(issue)
    except dynamo.TransactionConflict as exc:
        order_put = 1 + 2 * len(documents)
        if new_order is not None and exc.reasons[order_put:order_put + 1] == ["ConditionalCheckFailed"]:
            raise AlreadyExists(orders_store.CODE_IN_USE) from exc
        # A number guard that failed means that number exists already (another prefix produced it):
        # remember it so the next attempt skips it.
        for index, reason in enumerate(exc.reasons):
            if reason == "ConditionalCheckFailed" and index >= 1 and index <= 2 * len(documents):
                taken.add(documents[(index - 1) // 2][0]["number"].upper())
        raise
    metrics.invoices_issued([doc for doc, _ in documents])
    notifications.publish(records)
    # The render requests went in with the invoices; now the jobs (a new invoice is content version 1).
    files.enqueue_renders(order.organizer, [(doc["number"], 1) for doc, _ in documents])
    attempts.on_issue(order.organizer, [doc for doc, _ in documents], send_email=settings.invoice_email_attachment)
    return [doc for doc, _ in documents]


def ensure_storable(organizer: str, doc: dict[str, Any], internal: dict[str, Any]) -> None:
    """orders/limits.py keeps documents well below DynamoDB's item limit; should one still outgrow it, the answer
    is a 400, never DynamoDB's ValidationException as a 500 (the file and transmission attributes counted in)."""
    if store.item_size(organizer, doc, internal) > dynamo.MAX_ITEM_BYTES - 16 * 1024:
        raise ValidationFailed({"non_field_errors": [
            "This invoice would be too large to be stored. Use fewer positions or shorter texts."]})


def new_invoice_draft(order: Order, event: Event, settings: InvoiceSettings) -> Draft:
    return build_invoice(order, event, settings, today_in(event.timezone))


def ensure_qualifies(order: Order) -> None:
    if not qualifies(order):
        raise BadRequest("You cannot generate an invoice for this order.")
