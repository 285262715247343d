"""Changing issued invoices the only ways the law allows: cancel-and-reissue, or regenerate in place."""

from __future__ import annotations

from datetime import date

from invoicing.clock import today_in
from invoicing.errors import PermissionDenied, ValidationFailed
from invoicing.invoices import files
from invoicing.invoices.build import build_cancellation, build_invoice
from invoicing.invoices.issue import issue_documents, new_invoice_draft, qualifies, retrying
from invoicing.invoices.read import Visibility, get_invoice
from invoicing.orders.service import load
from invoicing.storage import invoices as store
from invoicing.webhooks import actions, notifications

ALREADY_CANCELED = ["The invoice has already been canceled."]
REGENERABLE_STATES = ("unknown", "pending", "failed")


def reissue(organizer: str, number: str, visibility: Visibility) -> list[str]:
    """Cancel the invoice and, if the order still qualifies, issue a new one from the current order data.

    Both documents and the guard that an invoice is canceled only once go in one transaction.
    """

    def attempt() -> list[str]:
        invoice = get_invoice(organizer, number, visibility)
        if invoice.canceled_by:
            raise ValidationFailed(ALREADY_CANCELED)
        context = load(organizer, invoice.event, invoice.doc["order"])
        today = today_in(context.event.timezone)
        drafts = [build_cancellation(invoice.doc, invoice.internal, context.settings, today)]
        if qualifies(context.order):
            drafts.append(new_invoice_draft(context.order, context.event, context.settings))
        return [doc["number"] for doc in issue_documents(context.order, context.event, context.settings, drafts,
                                                          reissue=True)]

    return retrying(attempt)


def regenerate(organizer: str, number: str, visibility: Visibility) -> store.StoredInvoice:
    """Rebuild an invoice in place from current order data (same number and date), pretix's checks first."""

    def attempt() -> store.StoredInvoice:
        invoice = get_invoice(organizer, number, visibility)
        if invoice.canceled_by:
            raise ValidationFailed(ALREADY_CANCELED)
        context = load(organizer, invoice.event, invoice.doc["order"])
        if invoice.doc["transmission_status"] not in REGENERABLE_STATES or \
                not context.settings.invoice_regenerate_allowed:
            raise PermissionDenied("Invoice may not be regenerated.")
        invoice_date = date.fromisoformat(invoice.doc["date"])
        if (today_in(context.event.timezone) - invoice_date).days > 1:
            raise PermissionDenied("The invoice file is too old to be regenerated.")
        if invoice.doc["is_cancellation"]:
            original = store.get(organizer, invoice.doc["refers"])
            rebuilt = build_cancellation(original.doc, original.internal, context.settings, invoice_date) \
                if original else None
            doc = {**invoice.doc, "lines": rebuilt.doc["lines"]} if rebuilt else invoice.doc
            internal = invoice.internal
        else:
            draft = build_invoice(context.order, context.event, context.settings, invoice_date)
            doc = {**draft.doc, "number": invoice.number, "transmission_type": draft.doc["transmission_type"]}
            internal = draft.internal
        doc = {**doc, "transmission_status": "pending", "transmission_provider": invoice.doc["transmission_provider"],
               "transmission_date": invoice.doc["transmission_date"]}
        records = [notifications.notification(organizer, invoice.event, invoice.doc["order"],
                                              actions.INVOICE_REGENERATED, invoice.number)]
        store.write_regenerated(invoice, doc, internal, notifications.transaction_items(records))
        notifications.publish(records)
        files.discard(invoice)
        files.enqueue_renders(organizer, [(invoice.number, invoice.content_version + 1)])
        return store.get(organizer, invoice.number)

    return retrying(attempt)


