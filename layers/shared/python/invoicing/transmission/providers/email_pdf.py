"""`email_pdf`: the invoice PDF attached to an email sent through Amazon SES (pretix's core provider)."""

from __future__ import annotations

import os

from botocore.exceptions import BotoCoreError, ClientError

from invoicing import senders
from invoicing.invoices import files as invoice_files
from invoicing.settings import InvoiceSettings
from invoicing.storage import files, mail, mail_identities
from invoicing.storage import organizers as organizer_store
from invoicing.storage.invoices import StoredInvoice
from invoicing.transmission.messages import attachment_name, invoice_email
from invoicing.transmission.providers import Receipt, Rejected, Unavailable

# SES answers these for a message that will never be accepted as it is.
_PERMANENT = frozenset({"MessageRejected", "MailFromDomainNotVerifiedException", "NotFoundException",
                        "BadRequestException", "AccountSuspendedException", "SendingPausedException"})


class EmailPdf:
    name = "email_pdf"
    supports_testmode = True

    def send(self, invoice: StoredInvoice, settings: InvoiceSettings, attempt: str) -> Receipt:
        info = invoice.doc.get("invoice_to_transmission_info") or {}
        recipient = info.get("transmission_email_address") or invoice.internal.get("order_email")
        if not recipient:
            raise Rejected("no_recipient")
        sender = self.sender(invoice, settings)
        stored = invoice.file
        if stored is None:
            invoice_files.request_render(invoice)
            raise Unavailable("the PDF is not rendered yet", retry_after=5)
        subject, text = invoice_email(invoice.doc["locale"], number=invoice.number, order=invoice.doc["order"],
                                      event=invoice.internal.get("event_name", ""),
                                      sender=invoice.doc.get("invoice_from_name") or "")
        message = mail.Mail(sender=sender.address, recipients=(recipient,), subject=subject, text=text,
                            sender_name=sender.display_name, reply_to=sender.reply_to,
                            attachments=(mail.Attachment(attachment_name(invoice.number),
                                                         files.read(stored.key, stored.s3_version)),))
        try:
            return Receipt(reference=mail.send(message))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in _PERMANENT:
                raise Rejected(f"ses: {code}") from exc
            raise Unavailable(f"ses: {code}") from exc
        except BotoCoreError as exc:
            raise Unavailable(f"ses: {type(exc).__name__}") from exc

    @staticmethod
    def sender(invoice: StoredInvoice, settings: InvoiceSettings) -> senders.Sender:
        """The organizer's own address if verified for it, else the platform's `MAIL_FROM` on its behalf."""
        platform = os.environ.get("MAIL_FROM", "")
        if not platform:
            raise Rejected("missing configuration: MAIL_FROM")
        organizer = organizer_store.get_organizer(invoice.organizer)
        name = invoice.doc.get("invoice_from_name") or (organizer or {}).get("name") or ""
        return senders.choose(mail_identities.of(organizer), settings.invoice_email_sender,
                              settings.invoice_seller_contact_email, name, platform, mail.identity_verified)
