"""The operator's actions on a billing invoice: release (then render and email), record a payment, void.

Every change is a conditional write on the version read; a lost race re-reads and re-checks the rules
(`retrying`), so two operators can never both pay the last euro or release twice.

    in_review --release--> released            (review state; the PDF is rendered and emailed on release)
    open --pay (amount_due reaches 0)--> paid  (status)
    open --void (no payment recorded)--> void
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from invoicing import metrics
from invoicing.billing import parties
from invoicing.billing.models import PaymentInput
from invoicing.clock import isoformat_z, now
from invoicing.config import render_queue_url
from invoicing.errors import BadRequest, Conflict, NotFound, ValidationFailed
from invoicing.money import decimals_of, format_amount, places
from invoicing.retry import retrying
from invoicing.storage import billing as store
from invoicing.storage import queues
from invoicing.storage.organizers import get_organizer

logger = Logger(child=True)


def find(number: str) -> store.StoredBillingInvoice:
    invoice = store.find(number)
    if invoice is None:
        raise NotFound()
    return invoice


def render_job(invoice: store.StoredBillingInvoice) -> dict[str, Any]:
    """The render queue's job for a billing invoice (the render function dispatches on `kind`)."""
    return {"kind": "billing", "organizer": invoice.organizer, "number": invoice.number,
            "content_version": invoice.content_version}


def enqueue(invoice: store.StoredBillingInvoice) -> None:
    """Queue the render-and-email job. Errors propagate: the operator's release failed and may be repeated."""
    failed = queues.send(render_queue_url(), [render_job(invoice)])
    if failed:
        raise Conflict()


def _timestamp() -> int:
    return int(now().timestamp())


def release(number: str) -> store.StoredBillingInvoice:
    """End the review: the invoice becomes visible for download, is rendered and emailed to the billing contact.

    Releasing again is how a lost job is repeated: for a released invoice without its PDF or its email,
    the job is queued once more (the render and the email are each guarded by their own conditional write).
    """

    def attempt() -> store.StoredBillingInvoice:
        invoice = find(number)
        if invoice.status == "void":
            raise BadRequest("A void invoice cannot be released.")
        if invoice.review_state == "released":
            return invoice
        organizer = get_organizer(invoice.organizer) or {}
        contact = organizer.get("billing_email") or invoice.billing_email
        if not contact:
            raise BadRequest(f"Organizer {invoice.organizer} has no billing contact: set one with "
                             f"`invoicing organizer update {invoice.organizer} --billing-email ADDRESS`.")
        # The document becomes final now: both parties complete, as they stand at release.
        sender, recipient = parties.complete_parties(invoice.organizer)
        if parties.reverse_charge(sender, recipient) and any(Decimal(line["tax_rate"]) for line in invoice.lines):
            raise BadRequest(f"Organizer {invoice.organizer} is a business in another EU country: the VAT is theirs "
                             "to pay (reverse charge, Art. 196 of Directive 2006/112/EC), so every line must be at 0 %. "
                             "Void this invoice and create it again with 0 % lines.")
        changes = {"review_state": "released", "released_at": isoformat_z(now()), "billing_email": contact,
                   "sender": sender, "recipient": recipient,
                   "render_requested": invoice.content_version, "render_requested_at": _timestamp()}
        if not store.update(invoice, changes, "review_state = :in_review AND #status = :open",
                            {":in_review": "in_review", ":open": "open"}, names={"#status": "status"}):
            raise Conflict()
        return find(number)

    before = find(number)
    invoice = retrying(attempt)
    if before.review_state == "in_review":
        metrics.billing_invoice_released()
        enqueue(invoice)
    elif invoice.emailed_at is None and invoice.status != "void":
        requeue(invoice)
    return invoice


def requeue(invoice: store.StoredBillingInvoice) -> bool:
    """Queue the job again for a released invoice that lacks its PDF (unless a render is under way) or its email."""
    if invoice.file is None and not store.claim_render(invoice.organizer, invoice.number, invoice.content_version):
        return False
    enqueue(invoice)
    return True


def request_render(invoice: store.StoredBillingInvoice) -> None:
    """From a download of a released invoice whose PDF is missing: ask once, best effort."""
    if not store.claim_render(invoice.organizer, invoice.number, invoice.content_version):
        return
    try:
        enqueue(invoice)
    except (BotoCoreError, ClientError, Conflict):
        logger.exception("billing render job not queued", extra={"organizer": invoice.organizer})


def pay(number: str, amount: object) -> store.StoredBillingInvoice:
    """Record a payment: lowers amount_due; the invoice is paid when nothing is due. Overpayment is refused."""
    try:
        value = PaymentInput.model_validate({"amount": amount}).amount
    except ValueError as exc:
        raise ValidationFailed({"amount": ["A valid number is required."]}) from exc

    def attempt() -> store.StoredBillingInvoice:
        invoice = find(number)
        currency = invoice.currency
        if value <= 0:
            raise ValidationFailed({"amount": ["Ensure this value is greater than 0."]})
        if decimals_of(value) > places(currency):
            raise ValidationFailed({"amount": [f"Ensure that there are no more than {places(currency)} decimal places."]})
        if invoice.status == "paid":
            raise BadRequest("This invoice has been paid already.")
        if invoice.status == "void":
            raise BadRequest("This invoice is void.")
        if invoice.review_state != "released":
            raise BadRequest("This invoice is still in review: release it before recording payments.")
        if value > invoice.amount_due:
            raise BadRequest(f"The amount exceeds the amount due ({format_amount(invoice.amount_due, currency)} "
                             f"{currency}).")
        due = invoice.amount_due - value
        payment = {"amount": format_amount(value, currency), "recorded_at": isoformat_z(now())}
        changes: dict[str, Any] = {"amount_due": due, "payments": [*invoice.payments, payment]}
        if due == 0:
            changes["status"] = "paid"
        if not store.update(invoice, changes):
            raise Conflict()
        return find(number)

    return retrying(attempt)


def void(number: str) -> store.StoredBillingInvoice:
    """Void an open invoice without payments (nothing is due any more); voiding a void invoice changes nothing."""

    def attempt() -> store.StoredBillingInvoice:
        invoice = find(number)
        if invoice.status == "void":
            return invoice
        if invoice.status == "paid":
            raise BadRequest("A paid invoice cannot be voided.")
        if invoice.payments:
            raise BadRequest("Payments have been recorded on this invoice: it cannot be voided.")
        if not store.update(invoice, {"status": "void", "amount_due": Decimal(0), "voided_at": isoformat_z(now())}):
            raise Conflict()
        return find(number)

    return retrying(attempt)
