"""`it_sdi`: a FatturaPA FPR12 file (TD01, TD04 for a cancellation) handed to an SdI intermediary."""

from __future__ import annotations

from invoicing.settings import InvoiceSettings
from invoicing.storage.invoices import StoredInvoice
from invoicing.transmission import documents
from invoicing.transmission.channels import Channel
from invoicing.transmission.providers import Receipt, Rejected, checked_seller


class ItSdi:
    name = "it_sdi"
    supports_testmode = False

    def send(self, invoice: StoredInvoice, settings: InvoiceSettings, attempt: str) -> Receipt:
        from invoicing.einvoice import build_fatturapa, missing_for_sdi

        seller = checked_seller(invoice, settings, missing_for_sdi)
        channel = Channel.from_secret("SDI_CHANNEL_SECRET", "the SdI intermediary")
        stored = documents.stored_xml(invoice, attempt)
        if stored is None:  # a retry of this attempt resends the same file under the same name
            progressive = documents.next_progressive(seller.sdi_transmitter_id or "")
            try:
                built = build_fatturapa(invoice.doc, invoice.internal, seller, progressive)
            except ValueError as exc:  # data the format cannot express
                raise Rejected(f"the document cannot be written: {exc}") from exc
            stored = documents.store_xml(invoice, built.xml, built.filename, attempt)
        answer = channel.post("/invoices", stored.xml, {"Content-Type": "application/xml", "X-Filename": stored.filename,
                                                       "Idempotency-Key": attempt})
        return Receipt(reference=str(answer.get("id") or "") or None)
