"""Hybrid invoices (Factur-X / ZUGFeRD): the PDF as PDF/A-3b with the CII XML embedded, drawn by fpdf2 alone.

fpdf2 (with `enforce_compliance="PDF/A-3B"`) writes PDF 1.7, adds the sRGB output intent, refuses
non-embedded fonts and registers embedded files as Associated Files (`/AF` in the catalog, `/AFRelationship`
on the file spec). What it does not know is the Factur-X XMP: the `fx:` properties and the PDF/A extension
schema that declares them. We write the whole XMP packet ourselves (fpdf2 then writes no XMP of its own), with
dates taken from the invoice, so the same invoice always yields the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from invoicing.pdf.engine import fpdf

COMPLIANCE = "PDF/A-3B"
FX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"


@dataclass(frozen=True)
class EmbeddedInvoice:
    """The machine-readable invoice a hybrid PDF carries."""

    xml: bytes
    filename: str = "factur-x.xml"
    conformance_level: str = "EN 16931"  # Factur-X profile EN 16931 (ZUGFeRD: COMFORT)
    relationship: str = "Alternative"  # the XML is an equivalent form of the visible invoice
    description: str = "Factur-X / ZUGFeRD invoice (EN 16931, UN/CEFACT CII)"


_PROPERTIES = (
    ("DocumentFileName", "name of the embedded XML invoice file"),
    ("DocumentType", "INVOICE"),
    ("Version", "The actual version of the Factur-X XML schema"),
    ("ConformanceLevel", "The conformance level of the embedded Factur-X data"),
)


def xmp(invoice: EmbeddedInvoice, *, title: str, created: datetime, producer: str, lang: str) -> str:
    """The `<x:xmpmeta>` packet content: PDF/A-3B identification, document info and the Factur-X schema."""
    stamp = created.isoformat(timespec="seconds")
    properties = "".join(
        "<rdf:li rdf:parseType=\"Resource\">"
        f"<pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        f"<pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>{text}</pdfaProperty:description>"
        "</rdf:li>" for name, text in _PROPERTIES)
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
        "<pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>'
        f"<dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>"
        "<dc:format>application/pdf</dc:format></rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        f"<pdf:Producer>{escape(producer)}</pdf:Producer></rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f"<xmp:CreatorTool>{escape(producer)}</xmp:CreatorTool><xmp:CreateDate>{stamp}</xmp:CreateDate>"
        f"<xmp:ModifyDate>{stamp}</xmp:ModifyDate><xmp:MetadataDate>{stamp}</xmp:MetadataDate></rdf:Description>"
        f'<rdf:Description rdf:about="" xmlns:fx="{FX_NAMESPACE}">'
        f"<fx:DocumentFileName>{escape(invoice.filename)}</fx:DocumentFileName><fx:DocumentType>INVOICE</fx:DocumentType>"
        f"<fx:Version>1.0</fx:Version><fx:ConformanceLevel>{escape(invoice.conformance_level)}</fx:ConformanceLevel>"
        "</rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
        'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
        '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{FX_NAMESPACE}</pdfaSchema:namespaceURI><pdfaSchema:prefix>fx</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
        "</rdf:RDF></x:xmpmeta>"
    )


def new_document(invoice: EmbeddedInvoice | None) -> fpdf.FPDF:
    """An A4 document in mm, PDF/A-3B when it will carry an e-invoice."""
    return fpdf.FPDF(unit="mm", format="A4", enforce_compliance=COMPLIANCE if invoice else None)


def attach(pdf: fpdf.FPDF, invoice: EmbeddedInvoice, *, title: str, created: datetime, producer: str, lang: str) -> None:
    """Embed the XML as Associated File and set the matching XMP (before `output()`)."""
    pdf.embed_file(bytes=invoice.xml, basename=invoice.filename, mime_type="text/xml", desc=invoice.description,
                   modification_date=created, associated_file_relationship=invoice.relationship, compress=True)
    pdf.set_xmp_metadata(xmp(invoice, title=title, created=created, producer=producer, lang=lang))
