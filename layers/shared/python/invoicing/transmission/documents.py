"""The XML form of an invoice (UBL, XRechnung, FatturaPA, or the CII of a Factur-X PDF), kept in S3 beside its
PDF and recorded on the invoice."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from invoicing.errors import NotAcceptable, NotReady
from invoicing.events import find_event
from invoicing.invoices.models import ENFORCED_TRANSMISSION
from invoicing.invoices.read import Visibility, get_invoice
from invoicing.orders.service import event_settings
from invoicing.settings import InvoiceSettings
from invoicing.storage import dynamo, files
from invoicing.storage.expressions import Update
from invoicing.storage.invoices import StoredInvoice
from invoicing.storage.keys import invoice_key, sdi_progressive_key

XML = "application/xml"
FACTUR_X = "factur-x"


@dataclass(frozen=True)
class XmlDocument:
    filename: str
    xml: bytes


def xml_key(invoice: StoredInvoice) -> str:
    return files.pdf_key(invoice.organizer, invoice.number, invoice.content_version, extension="xml")


def store_xml(invoice: StoredInvoice, xml: bytes, filename: str, attempt: str | None = None) -> XmlDocument:
    """Write the XML beside the PDF and record it on the invoice, unless its content has moved on since (a late
    writer for older content must not replace the record of newer content; its file's key is its own)."""
    digest = hashlib.sha256(xml)
    stored = files.put(xml_key(invoice), xml, content_type=XML, sha256_b64=base64.b64encode(digest.digest()).decode())
    update = Update().set_all({"xml_key": stored.key, "xml_s3_version": stored.version_id, "xml_filename": filename,
                               "xml_sha256": digest.hexdigest(), "xml_attempt": attempt,
                               "xml_content_version": invoice.content_version})
    dynamo.apply_if(invoice_key(invoice.organizer, invoice.number),
                    update.when_equal("content_version", invoice.content_version))
    return XmlDocument(filename=filename, xml=xml)


def stored_xml(invoice: StoredInvoice, attempt: str) -> XmlDocument | None:
    """The file an earlier try of this same attempt built, so that a retry sends exactly the same file."""
    item = invoice.item
    if item.get("xml_attempt") != attempt or int(item.get("xml_content_version", 0)) != invoice.content_version:
        return None
    return XmlDocument(filename=item["xml_filename"], xml=files.read(item["xml_key"], item.get("xml_s3_version")))


@dataclass(frozen=True)
class XmlFile:
    """What a download of the XML form serves."""

    filename: str
    key: str
    s3_version: str | None
    sha256: str

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'

    def read(self) -> bytes:
        return files.read(self.key, self.s3_version)


def recorded_xml(invoice: StoredInvoice) -> XmlFile | None:
    item = invoice.item
    if "xml_key" not in item or int(item.get("xml_content_version", 0)) != invoice.content_version:
        return None
    return XmlFile(filename=item["xml_filename"], key=item["xml_key"], s3_version=item.get("xml_s3_version"),
                   sha256=item["xml_sha256"])


def next_progressive(transmitter: str) -> int:
    """The transmitter's next `ProgressivoInvio`: an atomic counter, so no two files share a name."""
    response = dynamo.apply(sdi_progressive_key(transmitter), Update().add("n", 1), returns="UPDATED_NEW")
    return int(response["Attributes"]["n"])


def download_xml(organizer: str, number: str, visibility: Visibility) -> XmlFile:
    """The XML form of the invoice's current content: what was transmitted (Peppol UBL / XRechnung, FatturaPA),
    or for an email-type invoice the CII its Factur-X PDF carries.

    409 until the transmission (or the render) has built it; 406 for an email-type invoice whose PDF is plain.
    """
    invoice = get_invoice(organizer, number, visibility)
    stored = recorded_xml(invoice)
    if stored is not None:
        return stored
    if invoice.doc["transmission_type"] in ENFORCED_TRANSMISSION:
        raise NotReady()
    if invoice.file is None and factur_x_settings(invoice) is not None:  # its render will build the CII
        from invoicing.invoices.files import request_render

        request_render(invoice)
        raise NotReady()
    raise NotAcceptable()  # a plain PDF (rendered as such, or the event does not ask for Factur-X)


def factur_x_settings(invoice: StoredInvoice) -> InvoiceSettings | None:
    """The invoice's settings when its event asks for Factur-X PDFs (`invoice_pdf_einvoice`), else None."""
    event = find_event(invoice.organizer, invoice.event)
    if event is None:
        return None
    settings = event_settings(invoice.organizer, event)
    return settings if settings.invoice_pdf_einvoice == FACTUR_X else None
