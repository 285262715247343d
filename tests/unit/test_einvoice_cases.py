"""Every case of issue 14 in every format, against the official artefacts, with zero fatal errors:

* Factur-X CII: Factur-X EN16931 XSD + CEN EN 16931 CII schematron + Factur-X schematron;
* the hybrid PDF: PDF/A-3b structure (pypdf), and the factur-x library reads the same CII back out;
* XRechnung 3.0 UBL: UBL XSD + CEN EN 16931 UBL schematron + KoSIT XRechnung schematron;
* Peppol BIS 3.0 UBL: UBL XSD + CEN and PEPPOL schematron.
"""

from __future__ import annotations

import pytest
from facturx import get_facturx_xml_from_pdf

from invoicing.einvoice import Seller, build_cii, build_ubl
from invoicing.pdf import EmbeddedInvoice, render_invoice
from tests.support import einvoice_cases, einvoice_validation, pdfa

CASES = einvoice_cases.cases()


@pytest.fixture(scope="module")
def validator():
    einvoice_validation.warm_up()
    einvoice_validation.warm_up_cii()
    einvoice_validation.warm_up_xrechnung()
    return einvoice_validation


def _seller(doc, internal):
    return Seller.from_invoice(doc, internal, einvoice_cases.SETTINGS)


@pytest.mark.parametrize("case", einvoice_cases.NAMES)
def test_factur_x_cii_and_hybrid_pdf(validator, case):
    doc, internal = CASES[case]
    xml = build_cii(doc, internal, _seller(doc, internal))
    assert validator.fatal(validator.validate_cii(xml)) == []

    pdf = render_invoice(doc, internal, EmbeddedInvoice(xml))
    assert pdfa.problems(pdf) == []
    assert get_facturx_xml_from_pdf(pdf, check_xsd=True) == ("factur-x.xml", xml)


@pytest.mark.parametrize("case", einvoice_cases.NAMES)
def test_xrechnung(validator, case):
    doc, internal = CASES[case]
    xml = build_ubl(doc, internal, _seller(doc, internal), xrechnung=True)
    assert validator.fatal(validator.validate_xrechnung(xml)) == []


@pytest.mark.parametrize("case", einvoice_cases.NAMES)
def test_peppol_bis(validator, case):
    doc, internal = CASES[case]
    doc = {**doc, "invoice_to_transmission_info": {"transmission_peppol_participant_id": "0088:4035811991021"}}
    xml = build_ubl(doc, internal, _seller(doc, internal))
    assert validator.fatal(validator.validate_ubl(xml)) == []


def test_the_vat_accounting_currency_is_in_ubl_as_in_cii(validator):
    doc, internal = CASES["foreign currency"]
    ubl = build_ubl(doc, internal, _seller(doc, internal), xrechnung=True)
    cii = build_cii(doc, internal, _seller(doc, internal))
    # 55.97 EUR VAT (55.72 + 5.82 + 0 - 5.57 on the discount) at 4.25 PLN/EUR is 237.8725, half up 237.87 PLN.
    assert b"<cbc:TaxCurrencyCode>PLN</cbc:TaxCurrencyCode>" in ubl
    assert b'<cbc:TaxAmount currencyID="PLN">' in ubl
    assert b"<ram:TaxCurrencyCode>PLN</ram:TaxCurrencyCode>" in cii
    ubl_pln = ubl.split(b'<cbc:TaxAmount currencyID="PLN">')[1].split(b"<")[0]
    cii_pln = cii.split(b'<ram:TaxTotalAmount currencyID="PLN">')[1].split(b"<")[0]
    assert ubl_pln == cii_pln == b"237.87"
