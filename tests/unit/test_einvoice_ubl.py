"""Peppol BIS 3.0 UBL: every document passes the UBL 2.1 XSD and the CEN + PEPPOL schematron without fatal errors.

The validators are compiled once per process (tests/support/einvoice_validation.py caches them at module
level); the `validator` fixture only warms them up once per session so no single test pays alone.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from invoicing.einvoice import amounts as amounts_module
from invoicing.einvoice.seller import Seller
from invoicing.einvoice.ubl import CUSTOMIZATION_ID, PROFILE_ID, build_ubl
from tests.support import einvoice_validation, pdf_samples

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
SETTINGS = {
    "invoice_seller_peppol_id": "9930:DE123456789", "invoice_seller_contact_name": "Anna Admin",
    "invoice_seller_contact_email": "billing@example.org", "invoice_seller_contact_phone": "+49 30 123456",
    "invoice_seller_iban": "DE02 1203 0000 0000 2020 51", "invoice_seller_bic": "BYLADEM1001",
}
BELGIAN_BUYER = {
    "invoice_to": "Acme Belgium NV", "invoice_to_company": "Acme Belgium NV", "invoice_to_name": "Jan Peeters",
    "invoice_to_street": "Kerkstraat 5", "invoice_to_zipcode": "1000", "invoice_to_city": "Brussel",
    "invoice_to_country": "BE", "invoice_to_vat_id": "BE0477472701",
    "invoice_to_transmission_info": {"transmission_peppol_participant_id": "0208:0477472701"},
}


@pytest.fixture(scope="session")
def validator():
    einvoice_validation.warm_up()
    return einvoice_validation


def _line(position, description, gross, rate="19.00", code="S/standard", tax_name="VAT"):
    item = pdf_samples.line(position, description, gross, rate, tax_name)
    item["tax_code"] = code
    return item


def _mixed_lines():
    return [
        _line(1, "Conference ticket<br />Attendee: Tara Schmidt", "349.00"),
        _line(2, "Workshop day<br />Attendee: Paul Hoffmann<br />T-shirt size: L", "149.00"),
        _line(3, "Conference dinner", "89.00", "7.00", "S/reduced"),
        _line(4, "Donation", "25.00", "0.00", "E", "Exempt, Art. 132 (1) (l) VAT Directive"),
        _line(5, "Charity raffle", "5.00", "0.00", "O", ""),  # O next to S: becomes E with a reason
        _line(6, "Book (zero-rated)", "12.00", "0.00", "Z", ""),
        _line(7, "Early-bird discount", "-34.90", "19.00"),
        _line(8, "Free companion ticket", "0.00", "0.00", None, ""),
    ]


def _seller(doc, internal, **settings):
    return Seller.from_invoice(doc, internal, {**SETTINGS, **settings})


def _build(doc, internal=None, **settings):
    internal = internal or pdf_samples.internal()
    return build_ubl(doc, internal, _seller(doc, internal, **settings))


def _assert_valid(validator, xml):
    findings = validator.validate_ubl(xml)
    assert validator.fatal(findings) == []
    return ET.fromstring(xml)


def _text(root, path):
    return root.findtext(path, namespaces=NS)


def _amount(root, path):
    return Decimal(root.findtext(path, namespaces=NS))


def test_invoice_several_rates_and_zero_rate_lines(validator):
    xml = _build(pdf_samples.invoice(lines=_mixed_lines(), **BELGIAN_BUYER))
    root = _assert_valid(validator, xml)
    assert root.tag == f"{{{NS['inv']}}}Invoice"
    assert _text(root, "cbc:CustomizationID") == CUSTOMIZATION_ID
    assert _text(root, "cbc:ProfileID") == PROFILE_ID
    assert _text(root, "cbc:InvoiceTypeCode") == "380"
    assert _text(root, "cbc:BuyerReference") == "PO-2026-4711"
    assert root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS).attrib == {"schemeID": "0208"}
    assert _text(root, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID") == "0477472701"
    assert _text(root, "cac:AccountingSupplierParty/cac:Party/cbc:EndpointID") == "DE123456789"
    assert _text(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == "58"
    assert _text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "DE02120300000000202051"
    assert _text(root, "cac:PaymentMeans/cbc:PaymentID") == "JUYUF"
    assert _text(root, "cac:InvoicePeriod/cbc:StartDate") == "2027-06-14"
    assert _text(root, "cac:Delivery/cbc:ActualDeliveryDate") == "2027-06-16"
    categories = sorted((_text(s, "cac:TaxCategory/cbc:ID"), _text(s, "cac:TaxCategory/cbc:Percent"))
                        for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS))
    assert categories == [("E", "0.00"), ("S", "19.00"), ("S", "7.00"), ("Z", "0.00")]  # one per 0 % category (BR-E-01)
    exempt = next(s for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS) if _text(s, "cac:TaxCategory/cbc:ID") == "E")
    assert _text(exempt, "cac:TaxCategory/cbc:TaxExemptionReason") == (
        "Exempt, Art. 132 (1) (l) VAT Directive; Not subject to VAT; Exempt from VAT")
    assert _amount(exempt, "cbc:TaxableAmount") == Decimal("30.00")
    assert _amount(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == Decimal("594.10")
    discount = root.findall("cac:InvoiceLine", NS)[6]
    assert _text(discount, "cbc:InvoicedQuantity") == "-1"
    assert _amount(discount, "cbc:LineExtensionAmount") == Decimal("-29.33")
    assert _amount(discount, "cac:Price/cbc:PriceAmount") == Decimal("29.33")
    workshop = root.findall("cac:InvoiceLine", NS)[1]
    assert _text(workshop, "cac:Item/cbc:Name") == "Workshop day"
    assert _text(workshop, "cac:Item/cbc:Description") == "Attendee: Paul Hoffmann\nT-shirt size: L"


def test_credit_note_for_a_cancellation(validator):
    original = pdf_samples.invoice(lines=_mixed_lines(), **BELGIAN_BUYER)
    cancellation = pdf_samples.cancellation(original)
    xml = _build(cancellation, pdf_samples.internal(refers_date=original["date"]))
    root = _assert_valid(validator, xml)
    assert root.tag == f"{{{NS['cn']}}}CreditNote"
    assert _text(root, "cbc:CreditNoteTypeCode") == "381"
    assert _text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == "SAMPLECONF-00010"
    assert _text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate") == "2026-11-21"
    assert root.find("cbc:DueDate", NS) is None
    assert _amount(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == Decimal("594.10")
    assert _amount(root, "cac:TaxTotal/cbc:TaxAmount") > 0
    quantities = [_text(line, "cbc:CreditedQuantity") for line in root.findall("cac:CreditNoteLine", NS)]
    assert quantities == ["1", "1", "1", "1", "1", "1", "-1", "1"]  # the discount stays a negative line


def test_200_lines_at_9_99_and_19_percent(validator):
    lines = [_line(i, f"Ticket<br />Attendee: Guest {i}", "9.99") for i in range(1, 201)]
    xml = _build(pdf_samples.invoice(lines=lines, **BELGIAN_BUYER))
    root = _assert_valid(validator, xml)
    assert len(root.findall("cac:InvoiceLine", NS)) == 200
    assert _amount(root, "cac:TaxTotal/cbc:TaxAmount") == Decimal("319.01")
    assert _amount(root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") == Decimal("1998.00")


def test_200_lines_fail_without_the_cent_resplit(validator, monkeypatch):
    """Proves both the harness and the re-split matter: pretix's line-rounded tax is a fatal BR-CO-17."""
    monkeypatch.setattr(amounts_module, "_resplit", lambda group, currency: group)
    lines = [_line(i, "Ticket", "9.99") for i in range(1, 201)]
    findings = validator.validate_ubl(_build(pdf_samples.invoice(lines=lines, **BELGIAN_BUYER)))
    assert {f.source for f in findings if f.flag == "fatal"} >= {"BR-CO-17"}


def test_tampered_total_is_caught(validator):
    payable = b'<cbc:PayableAmount currencyID="EUR">'
    xml = _build(pdf_samples.invoice(**BELGIAN_BUYER)).replace(payable, payable + b"1")
    assert "BR-CO-16" in {f.source for f in validator.validate_ubl(xml)}


def test_foreign_business_customer_with_reverse_charge(validator):
    lines = [_line(1, "Online workshop (streaming)", "250.00", "0.00", "AE", "Reverse charge"),
             _line(2, "Recording access", "50.00", "0.00", "AE", "Reverse charge")]
    doc = pdf_samples.invoice(
        lines=lines, invoice_to_company="Alpen Consulting GmbH", invoice_to_name="", invoice_to_street="Ringstraße 1",
        invoice_to_zipcode="1010", invoice_to_city="Wien", invoice_to_country="AT", invoice_to_vat_id="ATU12345678",
        internal_reference="", invoice_to_transmission_info={"transmission_peppol_participant_id": "9914:ATU12345678"},
        additional_text="Reverse charge: VAT liability passes to the recipient.")
    root = _assert_valid(validator, _build(doc))
    (subtotal,) = root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    assert _text(subtotal, "cac:TaxCategory/cbc:ID") == "AE"
    assert _text(subtotal, "cac:TaxCategory/cbc:TaxExemptionReasonCode") == "VATEX-EU-AE"
    assert _text(root, "cbc:BuyerReference") == "JUYUF"  # no customer reference: the order code
    assert _text(root, "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID") == "ATU12345678"
    assert "Reverse charge: VAT liability" in _text(root, "cbc:Note")


def test_non_eu_customer_outside_the_scope_of_vat(validator):
    lines = [_line(1, "Membership", "80.00", "0.00", "O", "")]
    doc = pdf_samples.invoice(
        lines=lines, invoice_to_company="Example Inc.", invoice_to_name="", invoice_to_street="1 Main St",
        invoice_to_zipcode="10001", invoice_to_city="New York", invoice_to_state="NY", invoice_to_country="US",
        invoice_to_vat_id=None, invoice_to_transmission_info={"transmission_peppol_participant_id": "0060:123456789"})
    root = _assert_valid(validator, _build(doc))
    supplier_schemes = [_text(s, "cac:TaxScheme/cbc:ID") for s in
                        root.findall("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", NS)]
    assert supplier_schemes == ["TAX"]  # BR-O-02: no VAT id next to category O
    assert root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", NS) is None


def test_exempt_small_business_with_a_tax_number_only(validator):
    lines = [_line(1, "Meetup ticket", "15.00", "0.00", None, "")]
    doc = pdf_samples.invoice(lines=lines, invoice_from_vat_id="", internal_reference="", **{
        k: v for k, v in BELGIAN_BUYER.items() if k != "invoice_to_vat_id"}, invoice_to_vat_id=None)
    root = _assert_valid(validator, _build(doc, invoice_seller_iban="", invoice_seller_contact_phone=""))
    assert _text(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == "E"
    assert _text(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason") == "Exempt from VAT"
    assert _text(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == "ZZZ"


def test_buyer_without_participant_id_gets_no_endpoint(validator):
    """No made-up endpoint: the document says what is missing (missing_for_peppol stops it before sending)."""
    doc = pdf_samples.invoice(invoice_to_country="BE", invoice_to_vat_id="BE0477472701")
    xml = _build(doc)
    assert ET.fromstring(xml).find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS) is None
    assert "PEPPOL-EN16931-R010" in {f.source for f in validator.validate_ubl(xml) if f.flag == "fatal"}


def test_no_empty_elements_and_control_characters_are_dropped(validator):
    doc = pdf_samples.invoice(lines=[_line(1, "Ticket\x0b with tab\x01", "10.00")], invoice_to_state="", **{
        k: v for k, v in BELGIAN_BUYER.items() if k != "invoice_to_street"}, invoice_to_street="")
    xml = _build(doc, invoice_seller_contact_name="", invoice_seller_bic="")
    root = _assert_valid(validator, xml)
    assert all((element.text or "").strip() or len(element) for element in root.iter())
    assert _text(root, "cac:InvoiceLine/cac:Item/cbc:Name") == "Ticket with tab"
