"""A billing render job: draw the released invoice into its PDF, record the file, then email it to the
organizer's billing contact.

Safe under SQS's at-least-once delivery, step by step: the file is recorded with a conditional write (a
render that loses removes its own object), and the email is sent only by the holder of a conditional
claim on the invoice and marked sent afterwards, so a redelivered or twin job never sends it twice. A
job that fails after the render (SES throttling) is redelivered and goes straight to the email.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel, Field

from invoicing.billing import parties
from invoicing.clock import isoformat_z, now
from invoicing.config import billing_mail_sender
from invoicing.errors import Conflict
from invoicing.invoices.rendering import TRANSIENT, render_and_store
from invoicing.money import format_amount
from invoicing.pdf import UnprintableText, render_invoice
from invoicing.storage import billing as store
from invoicing.storage import files, mail

# A claim on the email older than this is presumed dead (a worker that timed out mid-send).
EMAIL_LEASE_SECONDS = 120

logger = Logger(child=True)


class BillingJob(BaseModel):
    kind: str = "billing"
    organizer: str = Field(min_length=1)
    number: str = Field(min_length=1)
    content_version: int = Field(ge=1)


class Outcome(StrEnum):
    SENT = "rendered and emailed"
    ALREADY_SENT = "already emailed"
    NOT_RELEASED = "not released"
    VOID = "void, not emailed"
    MISSING = "missing"
    FAILED = "render failed"


class EmailInFlight(Conflict):
    """Another worker holds the email claim; the job fails and SQS delivers it again later."""


def pdf_key(organizer: str, number: str, content_version: int) -> str:
    """Billing files have a prefix of their own in the files bucket (and their own IAM grant)."""
    return files.pdf_key(organizer, number, content_version, prefix="billing")


def document(invoice: store.StoredBillingInvoice) -> tuple[dict[str, Any], dict[str, Any]]:
    """The billing invoice shaped like a public invoice (plus `internal`), for the shared PDF renderer.

    Both parties in full; between businesses in two EU countries the 0 % lines are reverse charge (AE), which
    prints the legal note through the same mapping as every invoice.
    """
    sender, recipient, currency = invoice.sender, invoice.recipient, invoice.currency
    reverse = parties.reverse_charge(sender, recipient)
    lines = [{
        "position": index, "description": line["description"], "gross_value": line["gross"],
        "tax_value": line["tax"], "tax_rate": line["tax_rate"], "tax_name": "VAT",
        "tax_code": "AE" if reverse and Decimal(line["tax_rate"]) == 0 else None,
        "period_start": None, "period_end": None, "event_date_from": None, "event_date_to": None,
        "attendee_name": None,
    } for index, line in enumerate(invoice.lines, start=1)]
    iban = sender.get("iban", "")
    doc = {
        "number": invoice.number, "event": "", "order": "", "is_cancellation": False, "refers": None,
        "date": invoice.date_issued, "locale": "en",
        "invoice_from_name": sender.get("name", ""), "invoice_from": sender.get("address", ""),
        "invoice_from_zipcode": sender.get("zipcode", ""), "invoice_from_city": sender.get("city", ""),
        "invoice_from_country": sender.get("country", ""), "invoice_from_vat_id": sender.get("vat_id", ""),
        "invoice_from_tax_id": sender.get("tax_id", ""),
        "invoice_to": recipient.get("name", ""), "invoice_to_name": "",
        "invoice_to_company": recipient.get("name", ""), "invoice_to_street": recipient.get("street", ""),
        "invoice_to_zipcode": recipient.get("zipcode", ""), "invoice_to_city": recipient.get("city", ""),
        "invoice_to_state": "", "invoice_to_country": recipient.get("country", ""),
        "invoice_to_vat_id": recipient.get("vat_id", ""), "invoice_to_beneficiary": "",
        "introductory_text": invoice.description, "internal_reference": "", "additional_text": "",
        "payment_provider_text": f"Please transfer the amount to IBAN {_grouped(iban)}." if iban else "",
        "payment_provider_stamp": "", "footer_text": sender.get("footer_text", ""),
        "lines": lines, "foreign_currency_display": None, "foreign_currency_rate": None,
        "foreign_currency_rate_date": None,
    }
    internal = {"currency": currency, "testmode": False}
    return doc, internal


def _grouped(iban: str) -> str:
    """An IBAN as it is printed: groups of four (the layout never breaks inside a group)."""
    return " ".join(iban[index:index + 4] for index in range(0, len(iban), 4))


def run(job: BillingJob) -> Outcome:
    invoice = store.get(job.organizer, job.number)
    if invoice is None:
        return Outcome.MISSING
    if invoice.review_state != "released":
        return Outcome.NOT_RELEASED
    if invoice.file is None:
        try:
            _render(invoice)
        except TRANSIENT as exc:
            store.record_render_error(invoice.organizer, invoice.number, invoice.content_version, type(exc).__name__)
            raise
        except Exception as exc:  # the same data would fail again: recorded, and the message consumed
            logger.error("billing render failed", extra={"organizer": invoice.organizer, "number": invoice.number,
                                                         "error": type(exc).__name__})
            reason = str(exc) if isinstance(exc, UnprintableText) else f"{type(exc).__name__}: {exc}"
            store.record_render_error(invoice.organizer, invoice.number, invoice.content_version, reason)
            return Outcome.FAILED
        invoice = store.get(job.organizer, job.number) or invoice
    return send_email(invoice)


def _render(invoice: store.StoredBillingInvoice) -> None:
    key = pdf_key(invoice.organizer, invoice.number, invoice.content_version)
    # A file refused by record_file: a twin recorded its own first, and that one is the invoice's.
    render_and_store(lambda: render_invoice(*document(invoice)), key, invoice.content_version,
                     lambda file: store.record_file(invoice.organizer, invoice.number, file))


def sender_address() -> str:
    """The SES identity billing mail is sent from (the template's BillingSenderIdentity)."""
    return billing_mail_sender()


def message(invoice: store.StoredBillingInvoice, pdf: bytes) -> mail.Mail:
    platform_name = invoice.sender.get("name") or "Invoicing Platform"
    amount = f"{format_amount(invoice.amount, invoice.currency)} {invoice.currency}"
    text = (f"Hello {invoice.recipient.get('name', invoice.organizer)},\n\n"
            f"please find attached our invoice {invoice.number} of {invoice.date_issued} over {amount}.\n\n"
            f"You can also download it through the API: GET /api/v1/organizers/{invoice.organizer}/billing_invoices/"
            f"{invoice.number}/download/\n\n{platform_name}\n")
    return mail.Mail(sender=sender_address(), recipients=(invoice.billing_email or "",),
                     subject=f"Invoice {invoice.number} from {platform_name}", text=text, sender_name=platform_name,
                     attachments=(mail.Attachment(f"{invoice.number}.pdf", pdf),))


def send_email(invoice: store.StoredBillingInvoice) -> Outcome:
    """Email the recorded PDF once: claim, send, mark sent. A failed send gives the claim back and raises."""
    if invoice.emailed_at:
        return Outcome.ALREADY_SENT
    if invoice.status == "void":
        return Outcome.VOID
    file = invoice.file
    if file is None or not invoice.billing_email:
        raise RuntimeError("released billing invoice without a file or a billing contact")
    claim = secrets.token_hex(8)
    if not store.claim_email(invoice.organizer, invoice.number, claim, int(now().timestamp()), EMAIL_LEASE_SECONDS):
        current = store.get(invoice.organizer, invoice.number)
        if current is not None and current.emailed_at:
            return Outcome.ALREADY_SENT
        raise EmailInFlight()
    try:
        message_id = mail.send(message(invoice, files.read(file.key, file.s3_version)))
    except Exception:
        store.release_email_claim(invoice.organizer, invoice.number, claim)
        raise
    if not store.mark_emailed(invoice.organizer, invoice.number, claim, isoformat_z(now()) or "", message_id,
                              invoice.billing_email):
        # Our lease ran out while sending and another worker took over: it may send a second copy.
        logger.warning("billing email sent after its claim expired", extra={"organizer": invoice.organizer})
    return Outcome.SENT
