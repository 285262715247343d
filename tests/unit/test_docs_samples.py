"""The e-invoice samples in docs/samples/ are what the builders produce today (indented for reading), and each
passes its validators.

Refresh them after a deliberate change of a format: `UPDATE_DOCS_SAMPLES=1 .venv/bin/pytest tests/unit/test_docs_samples.py`.
"""

from __future__ import annotations

import os

import pytest
from lxml import etree

from invoicing.einvoice import Seller, build_cii, build_fatturapa, build_ubl
from invoicing.pdf import EmbeddedInvoice, render_invoice
from tests.conftest import ROOT
from tests.support import einvoice_validation, pdf_samples, pdfa

SAMPLES = ROOT / "docs" / "samples"
UPDATE = os.environ.get("UPDATE_DOCS_SAMPLES") == "1"
SETTINGS = {
    "invoice_seller_peppol_id": "9930:DE123456789", "invoice_seller_contact_name": "Anna Schmidt",
    "invoice_seller_contact_email": "billing@bigevents.example", "invoice_seller_contact_phone": "+49 30 123456",
    "invoice_seller_iban": "DE02120300000000202051", "invoice_seller_bic": "BYLADEM1001",
    "invoice_sdi_transmitter_id": "IT01234567890",
}
LEITWEG = "04011000-1234512345-06"


def _readable(xml: bytes) -> bytes:
    root = etree.fromstring(xml, etree.XMLParser(remove_blank_text=True))
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="utf-8")


def _lines():
    lines = [pdf_samples.line(1, "Conference ticket<br />Attendee: Tara Schmidt", "349.00"),
             pdf_samples.line(2, "Conference dinner", "89.00", "7.00")]
    lines[1]["tax_code"] = "S/reduced"
    return lines


def _documents():
    internal = pdf_samples.internal()
    french = pdf_samples.invoice(lines=_lines(), invoice_to="", invoice_to_company="Société Générale d'Événements",
                                 invoice_to_name="Zoë Dupont", invoice_to_street="1 rue de Rivoli", invoice_to_zipcode="75001",
                                 invoice_to_city="Paris", invoice_to_country="FR", invoice_to_vat_id="FR40303265045",
                                 internal_reference="")
    belgian = pdf_samples.invoice(lines=_lines(), invoice_to_company="Acme Belgium NV", invoice_to_name="Jan Peeters",
                                  invoice_to_street="Kerkstraat 5", invoice_to_zipcode="1000", invoice_to_city="Brussel",
                                  invoice_to_country="BE", invoice_to_vat_id="BE0477472701", transmission_type="peppol",
                                  invoice_to_transmission_info={"transmission_peppol_participant_id": "0208:0477472701"})
    public = pdf_samples.invoice(lines=_lines(), invoice_to_company="Stadtverwaltung Musterstadt", invoice_to_name="",
                                 invoice_to_street="Rathausplatz 1", invoice_to_zipcode="12345", invoice_to_city="Musterstadt",
                                 invoice_to_vat_id=None, internal_reference=LEITWEG, transmission_type="peppol",
                                 invoice_to_transmission_info={"transmission_peppol_participant_id": f"0204:{LEITWEG}"})
    italian = pdf_samples.invoice(
        lines=[{**line, "tax_rate": "22.00", "tax_value": "62.93" if line["position"] == 1 else "16.05"}
               for line in _lines()],
        number="PYCON25-00042", invoice_from_name="Eventi Esempio S.r.l.", invoice_from="Via Roma 1",
        invoice_from_zipcode="50123", invoice_from_city="Firenze", invoice_from_country="IT",
        invoice_from_vat_id="IT01234567890", invoice_from_tax_id="", invoice_to_company="Acme S.p.A.",
        invoice_to_name="Giulia Bianchi", invoice_to_street="Via Verdi 3", invoice_to_zipcode="00184",
        invoice_to_city="Roma", invoice_to_state="RM", invoice_to_country="IT", invoice_to_vat_id="IT09876543210",
        transmission_type="it_sdi", invoice_to_transmission_info={"transmission_it_sdi_recipient_code": "ABC1234",
                                                                  "transmission_it_sdi_pec": "acme@pec.example.it"})
    seller = lambda doc, i=internal: Seller.from_invoice(doc, i, SETTINGS)  # noqa: E731
    italian_internal = pdf_samples.internal(invoice_from_state="FI")
    return {
        "factur-x.xml": (build_cii(french, internal, seller(french)), einvoice_validation.validate_cii),
        "peppol-bis.xml": (build_ubl(belgian, internal, seller(belgian)), einvoice_validation.validate_ubl),
        "xrechnung.xml": (build_ubl(public, internal, seller(public), xrechnung=True), einvoice_validation.validate_xrechnung),
        "fatturapa.xml": (build_fatturapa(italian, italian_internal, seller(italian, italian_internal), 1).xml,
                          einvoice_validation.validate_fatturapa),
    }, french, internal


@pytest.mark.parametrize("name", ["factur-x.xml", "peppol-bis.xml", "xrechnung.xml", "fatturapa.xml"])
def test_each_xml_sample_is_current_and_valid(name):
    documents, _, _ = _documents()
    xml, validate = documents[name]
    if UPDATE:
        SAMPLES.mkdir(parents=True, exist_ok=True)
        (SAMPLES / name).write_bytes(_readable(xml))
    assert (SAMPLES / name).read_bytes() == _readable(xml)
    assert einvoice_validation.fatal(validate(xml)) == []
    assert einvoice_validation.fatal(validate((SAMPLES / name).read_bytes())) == []


def test_the_factur_x_pdf_sample_is_hybrid_and_carries_the_xml_sample():
    documents, french, internal = _documents()
    path = SAMPLES / "factur-x.pdf"
    if UPDATE:
        path.write_bytes(render_invoice(french, internal, EmbeddedInvoice(documents["factur-x.xml"][0])))
    pdf = path.read_bytes()
    assert pdfa.problems(pdf) == []
    assert _readable(pdfa.embedded_xml(pdf)) == (SAMPLES / "factur-x.xml").read_bytes()
