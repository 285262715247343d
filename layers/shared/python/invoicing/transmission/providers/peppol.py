"""`peppol`: a Peppol BIS Billing 3.0 UBL document (Invoice, or CreditNote for a cancellation) sent
through an access point; to a German buyer in its XRechnung 3.0 form."""

from __future__ import annotations

from invoicing.settings import InvoiceSettings
from invoicing.storage.invoices import StoredInvoice
from invoicing.transmission import documents
from invoicing.transmission.channels import Channel
from invoicing.transmission.providers import Receipt, Rejected, checked_seller


class Peppol:
    name = "peppol"
    supports_testmode = False

    def send(self, invoice: StoredInvoice, settings: InvoiceSettings, attempt: str) -> Receipt:
        from invoicing.einvoice import (
            DOCUMENT_TYPE_IDS,
            XRECHNUNG_DOCUMENT_TYPE_IDS,
            build_ubl,
            missing_for_peppol,
            missing_for_xrechnung,
            wants_xrechnung,
        )

        xrechnung = wants_xrechnung(invoice.doc)
        seller = checked_seller(invoice, settings, missing_for_xrechnung if xrechnung else missing_for_peppol)
        channel = Channel.from_secret("PEPPOL_CHANNEL_SECRET", "the access point")
        try:
            xml = build_ubl(invoice.doc, invoice.internal, seller, xrechnung=xrechnung)
        except ValueError as exc:  # data the format cannot express (an unsupported currency, ...)
            raise Rejected(f"the document cannot be written: {exc}") from exc
        documents.store_xml(invoice, xml, f"{invoice.number}.xml")
        document_types = XRECHNUNG_DOCUMENT_TYPE_IDS if xrechnung else DOCUMENT_TYPE_IDS  # for the SMP lookup
        receiver = (invoice.doc.get("invoice_to_transmission_info") or {}).get("transmission_peppol_participant_id", "")
        answer = channel.post("/documents", xml, {
            "Content-Type": "application/xml", "X-Peppol-Sender": seller.peppol_id or "", "X-Peppol-Receiver": receiver,
            "X-Peppol-Document-Type": document_types["CreditNote" if invoice.doc.get("is_cancellation") else "Invoice"],
            "Idempotency-Key": attempt})
        return Receipt(reference=str(answer.get("id") or "") or None)
