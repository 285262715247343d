"""XRechnung 3.0: German buyers get the UBL with XRechnung's CustomizationID and a Leitweg-ID as BuyerReference;
every document passes the UBL XSD, the CEN EN 16931 UBL schematron and KoSIT's XRechnung 3.0 schematron
(BR-DE-*) without a fatal error, and `missing_for_xrechnung` names what those rules would reject."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from invoicing.einvoice import missing_for_xrechnung, public_buyer_leitweg, wants_xrechnung
from invoicing.einvoice.seller import Seller
from invoicing.einvoice.ubl import build_ubl
from invoicing.einvoice.xrechnung import CUSTOMIZATION_ID, leitweg_id
from tests.support import einvoice_validation, pdf_samples

NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
SETTINGS = {
    "invoice_seller_peppol_id": "9930:DE123456789", "invoice_seller_contact_name": "Anna Admin",
    "invoice_seller_contact_email": "billing@example.org", "invoice_seller_contact_phone": "+49 30 123456",
    "invoice_seller_iban": "DE02 1203 0000 0000 2020 51", "invoice_seller_bic": "BYLADEM1001",
}
LEITWEG = "04011000-1234512345-06"  # the Leitweg-ID of KoSIT's test data; check digits 06 (ISO 7064 MOD 97-10)
PUBLIC_BUYER = {"invoice_to_company": "Stadtverwaltung Musterstadt", "invoice_to_name": "",
                "invoice_to_street": "Rathausplatz 1", "invoice_to_zipcode": "12345", "invoice_to_city": "Musterstadt",
                "invoice_to_country": "DE", "invoice_to_vat_id": None, "internal_reference": LEITWEG}
VIA_PEPPOL = {"transmission_type": "peppol",
              "invoice_to_transmission_info": {"transmission_peppol_participant_id": f"0204:{LEITWEG}"}}


@pytest.fixture(scope="session")
def validator():
    einvoice_validation.warm_up_xrechnung()
    return einvoice_validation


def _build(doc, internal=None, **settings):
    internal = internal or pdf_samples.internal()
    return build_ubl(doc, internal, Seller.from_invoice(doc, internal, {**SETTINGS, **settings}), xrechnung=True)


def _valid(validator, xml):
    assert validator.fatal(validator.validate_xrechnung(xml)) == []
    return ET.fromstring(xml)


def _line(position, description, gross, rate="19.00", code="S/standard"):
    item = pdf_samples.line(position, description, gross, rate)
    item["tax_code"] = code
    return item


@pytest.mark.parametrize(("value", "expected"), [
    (LEITWEG, LEITWEG),
    (" 991-33333test-33 ", "991-33333TEST-33"),  # letters in the fine address; upper-cased
    ("04011000-12345-03", "04011000-12345-03"),
    ("04011000-1234512345-07", None),  # wrong check digits
    ("991-01234-44", None),
    ("PO-2026-4711", None),
    ("", None),
])
def test_leitweg_ids_are_recognised_by_form_and_check_digits(value, expected):
    assert leitweg_id(value) == expected


def test_who_gets_xrechnung():
    german_peppol = pdf_samples.invoice(**VIA_PEPPOL)
    assert wants_xrechnung(german_peppol)
    assert not wants_xrechnung(pdf_samples.invoice(**VIA_PEPPOL, invoice_to_country="AT"))
    assert not wants_xrechnung(pdf_samples.invoice())  # email
    assert public_buyer_leitweg(pdf_samples.invoice(**PUBLIC_BUYER)) == LEITWEG
    assert public_buyer_leitweg(pdf_samples.invoice(**{**PUBLIC_BUYER, "invoice_to_country": "AT"})) is None
    assert public_buyer_leitweg(pdf_samples.invoice()) is None  # PO-2026-4711 is no Leitweg-ID


def test_a_german_public_buyer_through_peppol(validator):
    lines = [_line(1, "Fortbildung Vergaberecht<br />Teilnehmer: Jürgen Šťastný", "349.00"),
             _line(2, "Tagungsverpflegung", "89.00", "7.00", "S/reduced")]
    root = _valid(validator, _build(pdf_samples.invoice(lines=lines, **PUBLIC_BUYER, **VIA_PEPPOL)))
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == CUSTOMIZATION_ID
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == LEITWEG
    endpoint = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (endpoint.get("schemeID"), endpoint.text) == ("0204", LEITWEG)


def test_a_german_business_through_peppol_without_a_leitweg_id(validator):
    doc = pdf_samples.invoice(transmission_type="peppol",
                              invoice_to_transmission_info={"transmission_peppol_participant_id": "9930:DE671965507"})
    root = _valid(validator, _build(doc))
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == "PO-2026-4711"


def test_a_cancellation_is_an_xrechnung_credit_note(validator):
    original = pdf_samples.invoice(**PUBLIC_BUYER, **VIA_PEPPOL)
    root = _valid(validator, _build(pdf_samples.cancellation(original), pdf_samples.internal(refers_date=original["date"])))
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS) == "SAMPLECONF-00010"


def test_by_email_the_leitweg_id_and_the_sellers_email_are_the_addresses(validator):
    doc = pdf_samples.invoice(lines=pdf_samples.attendee_lines(200), **PUBLIC_BUYER)
    root = _valid(validator, _build(doc, invoice_seller_peppol_id=""))
    seller = root.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (seller.get("schemeID"), seller.text) == ("EM", "billing@example.org")
    assert (buyer.get("schemeID"), buyer.text) == ("0204", LEITWEG)


def test_the_national_rules_are_checked_and_named_beforehand(validator):
    """KoSIT's rules reject a seller without phone and e-mail; missing_for_xrechnung names both settings first."""
    doc = pdf_samples.invoice(**PUBLIC_BUYER)
    settings = {**SETTINGS, "invoice_seller_peppol_id": "", "invoice_seller_contact_phone": "",
                "invoice_seller_contact_email": ""}
    findings = {f.source for f in validator.validate_xrechnung(_build(doc, **settings)) if f.flag == "fatal"}
    assert {"BR-DE-6", "BR-DE-7"} <= findings
    seller = Seller.from_invoice(doc, pdf_samples.internal(), settings)
    assert missing_for_xrechnung(doc, seller) == ["invoice_seller_contact_phone", "invoice_seller_contact_email"]
    assert missing_for_xrechnung(doc, Seller.from_invoice(doc, pdf_samples.internal(), SETTINGS)) == []


def test_via_peppol_the_peppol_requirements_apply_too():
    doc = pdf_samples.invoice(**PUBLIC_BUYER, transmission_type="peppol", invoice_to_transmission_info={})
    seller = Seller.from_invoice(doc, pdf_samples.internal(), {**SETTINGS, "invoice_seller_contact_name": ""})
    assert missing_for_xrechnung(doc, seller) == ["transmission_peppol_participant_id", "invoice_seller_contact_name"]
