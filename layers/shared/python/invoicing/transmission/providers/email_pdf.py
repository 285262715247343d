"""`email_pdf`: the invoice PDF attached to an email sent through Amazon SES (pretix's core provider).

A German public-sector buyer (a Leitweg-ID as customer reference) gets the XRechnung 3.0 XML attached next to
the PDF: it is the invoice such a buyer must process (E-Rechnungsverordnung); the PDF is a courtesy copy.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from invoicing import config, senders
from invoicing.invoices import files as invoice_files
from invoicing.settings import InvoiceSettings
from invoicing.storage import files, mail, mail_identities
from invoicing.storage import organizers as organizer_store
from invoicing.storage.invoices import StoredInvoice
from invoicing.transmission import documents
from invoicing.transmission.messages import attachment_name, invoice_email, xml_attachment_name
from invoicing.transmission.providers import Receipt, Rejected, Unavailable, checked_seller

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
            raise Rejected("the order has no email address to send the invoice to")
        sender = self.sender(invoice, settings)
        xrechnung = _xrechnung(invoice, settings)  # checked first: missing data fails at once
        stored = invoice.file
        if stored is None:
            invoice_files.request_render(invoice)
            raise Unavailable("the PDF is not rendered yet", retry_after=5)
        if xrechnung and documents.recorded_xml(invoice) is None:  # a Factur-X PDF's CII stays the XML form
            documents.store_xml(invoice, xrechnung[0].content, xrechnung[0].filename)
        subject, text = invoice_email(invoice.doc["locale"], number=invoice.number, order=invoice.doc["order"],
                                      event=invoice.internal.get("event_name", ""),
                                      sender=invoice.doc.get("invoice_from_name") or "")
        message = mail.Mail(sender=sender.address, recipients=(recipient,), subject=subject, text=text,
                            sender_name=sender.display_name, reply_to=sender.reply_to,
                            attachments=(mail.Attachment(attachment_name(invoice.number),
                                                         files.read(stored.key, stored.s3_version)), *xrechnung))
        try:
            return Receipt(reference=mail.send(message))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in _PERMANENT:
                raise Rejected(f"the mail service refused the message ({code})") from exc
            raise Unavailable(f"the mail service is unavailable ({code})") from exc
        except BotoCoreError as exc:
            raise Unavailable(f"the mail service could not be reached ({type(exc).__name__})") from exc

    @staticmethod
    def sender(invoice: StoredInvoice, settings: InvoiceSettings) -> senders.Sender:
        """The organizer's own address if verified for it, else the platform's `MAIL_FROM` on its behalf."""
        platform = config.settings().mail_from
        if not platform:
            raise Rejected("missing configuration: MAIL_FROM")
        organizer = organizer_store.get_organizer(invoice.organizer)
        name = invoice.doc.get("invoice_from_name") or (organizer or {}).get("name") or ""
        return senders.choose(mail_identities.of(organizer), settings.invoice_email_sender,
                              settings.invoice_seller_contact_email, name, platform, mail.identity_verified)


def _xrechnung(invoice: StoredInvoice, settings: InvoiceSettings) -> tuple[mail.Attachment, ...]:
    """The XRechnung attachment for a German public-sector buyer, none for anyone else.

    Rejected (naming the settings) when the data XRechnung needs is incomplete: the buyer cannot process a
    PDF alone.
    """
    from invoicing.einvoice import build_ubl, missing_for_xrechnung, public_buyer_leitweg

    if not public_buyer_leitweg(invoice.doc):
        return ()
    seller = checked_seller(invoice, settings, missing_for_xrechnung)
    try:
        xml = build_ubl(invoice.doc, invoice.internal, seller, xrechnung=True)
    except ValueError as exc:  # data the format cannot express (an unsupported currency, ...)
        raise Rejected(str(exc)) from exc
    return (mail.Attachment(xml_attachment_name(invoice.number), xml, "application/xml"),)
