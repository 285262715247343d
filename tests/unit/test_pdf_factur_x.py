"""Factur-X hybrid PDFs drawn by our fpdf2 renderer: PDF/A-3b structure (pypdf), the CII carried unchanged
(read back by the factur-x library, which also checks it against its XSD), and plain PDFs left as they were."""

from __future__ import annotations

import io

import pypdf
import pytest
from facturx import get_facturx_xml_from_pdf, get_level
from lxml import etree

from invoicing.einvoice.cii import build_cii
from invoicing.einvoice.seller import Seller
from invoicing.pdf import EmbeddedInvoice, render_invoice
from tests.support import einvoice_validation, pdf_samples, pdfa

SETTINGS = {"invoice_seller_contact_email": "billing@example.org", "invoice_seller_iban": "DE02120300000000202051"}


@pytest.fixture(scope="module")
def validator():
    einvoice_validation.warm_up_cii()
    return einvoice_validation


def _cii(doc, internal):
    return build_cii(doc, internal, Seller.from_invoice(doc, internal, SETTINGS))


def _hybrid(doc, internal=None):
    internal = internal or pdf_samples.internal()
    xml = _cii(doc, internal)
    return xml, render_invoice(doc, internal, EmbeddedInvoice(xml))


def _text(pdf):
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_an_invoice_becomes_a_pdf_a_3b_carrying_its_cii(validator):
    doc = pdf_samples.invoice()
    xml, pdf = _hybrid(doc)

    assert pdfa.problems(pdf) == []
    filename, extracted = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert (filename, extracted) == ("factur-x.xml", xml)
    assert get_level(etree.fromstring(extracted)) == "en16931"
    assert einvoice_validation.fatal(validator.validate_cii(extracted)) == []
    # The visible invoice is the one a plain render draws.
    assert _text(pdf) == _text(render_invoice(doc, pdf_samples.internal()))


def test_a_cancellation_and_a_long_invoice_are_hybrid_too(validator):
    original = pdf_samples.invoice(lines=pdf_samples.attendee_lines(190))
    for doc, internal in ((original, pdf_samples.internal()),
                          (pdf_samples.cancellation(original), pdf_samples.internal(refers_date=original["date"]))):
        xml, pdf = _hybrid(doc, internal)
        assert pdfa.problems(pdf) == []
        assert pdfa.embedded_xml(pdf) == xml
        assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) > 1
        assert einvoice_validation.fatal(validator.validate_cii(xml)) == []
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml


def test_unicode_names_are_drawn_and_carried():
    doc = pdf_samples.invoice(invoice_to_company="Zoë Łukasiewicz-Ødegård GmbH", invoice_to_name="Jürgen Šťastný")
    _, pdf = _hybrid(doc)
    assert pdfa.problems(pdf) == []
    assert "Zoë Łukasiewicz-Ødegård GmbH" in _text(pdf)
    assert "Zoë Łukasiewicz-Ødegård GmbH".encode() in pdfa.embedded_xml(pdf)


def test_cjk_names_are_drawn_and_carried_in_a_pdf_a():
    doc = pdf_samples.invoice(invoice_to_company="株式会社テスト", invoice_to_name="김민준")
    _, pdf = _hybrid(doc)
    assert pdfa.problems(pdf) == []  # the CFF font program is embedded (FontFile3) like the TrueType ones
    assert "株式会社テスト".encode() in pdfa.embedded_xml(pdf)
    assert _hybrid(doc)[1] == pdf


def test_the_same_invoice_yields_the_same_bytes():
    doc = pdf_samples.invoice()
    assert _hybrid(doc)[1] == _hybrid(doc)[1]


def test_the_structure_check_notices_what_a_plain_pdf_lacks():
    plain = render_invoice(pdf_samples.invoice(), pdf_samples.internal())
    found = pdfa.problems(plain)
    assert "output intent /GTS_PDFA1 with an ICC profile" in found
    assert "factur-x.xml in /AF and in the EmbeddedFiles name tree" in found
    assert "XMP metadata" in found
    assert plain.startswith(b"%PDF-1.")
    assert not pypdf.PdfReader(io.BytesIO(plain)).attachments


def test_xmp_names_pdf_a_3b_and_the_factur_x_profile():
    _, pdf = _hybrid(pdf_samples.invoice())
    values = pdfa.xmp_values(pdf)
    assert {key: values[key] for key in ("pdfaid:part", "pdfaid:conformance", "fx:ConformanceLevel",
                                         "fx:DocumentFileName")} == {
        "pdfaid:part": "3", "pdfaid:conformance": "B", "fx:ConformanceLevel": "EN 16931",
        "fx:DocumentFileName": "factur-x.xml"}
