"""EN 16931 CII (Factur-X / ZUGFeRD profile EN 16931): every case passes the Factur-X EN16931 XSD, the CEN
EN 16931 CII schematron and Factur-X's own schematron without a fatal error, and says what the UBL says."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from invoicing.einvoice import amounts as amounts_module
from invoicing.einvoice.cii import GUIDELINE_ID, build_cii
from invoicing.einvoice.seller import Seller
from invoicing.einvoice.ubl import build_ubl
from tests.support import einvoice_validation, pdf_samples

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
SETTINGS = {
    "invoice_seller_contact_name": "Anna Admin", "invoice_seller_contact_email": "billing@example.org",
    "invoice_seller_contact_phone": "+49 30 123456", "invoice_seller_iban": "DE02 1203 0000 0000 2020 51",
    "invoice_seller_bic": "BYLADEM1001",
}
TX = "rsm:SupplyChainTradeTransaction"
SETTLEMENT = f"{TX}/ram:ApplicableHeaderTradeSettlement"
TOTALS = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
SELLER = f"{TX}/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"
BUYER = f"{TX}/ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty"
AUSTRIAN_BUYER = {
    "invoice_to_company": "Alpen Consulting GmbH", "invoice_to_name": "", "invoice_to_street": "Ringstraße 1",
    "invoice_to_zipcode": "1010", "invoice_to_city": "Wien", "invoice_to_country": "AT",
    "invoice_to_vat_id": "ATU12345678", "internal_reference": "",
    "additional_text": "Reverse charge: VAT liability passes to the recipient.",
}


@pytest.fixture(scope="session")
def validator():
    einvoice_validation.warm_up_cii()
    return einvoice_validation


def _line(position, description, gross, rate="19.00", code="S/standard", tax_name="VAT"):
    item = pdf_samples.line(position, description, gross, rate, tax_name)
    item["tax_code"] = code
    return item


def _build(doc, internal=None, **settings):
    internal = internal or pdf_samples.internal()
    return build_cii(doc, internal, Seller.from_invoice(doc, internal, {**SETTINGS, **settings}))


def _valid(validator, xml):
    assert validator.fatal(validator.validate_cii(xml)) == []
    return ET.fromstring(xml)


def _text(root, path):
    return root.findtext(path, namespaces=NS)


def _amount(root, path):
    return Decimal(root.findtext(path, namespaces=NS))


def _breakdown(root):
    return sorted((_text(t, "ram:CategoryCode"), _text(t, "ram:RateApplicablePercent"), _amount(t, "ram:BasisAmount"),
                   _amount(t, "ram:CalculatedAmount")) for t in root.findall(f"{SETTLEMENT}/ram:ApplicableTradeTax", NS))


def test_invoice_at_19_percent(validator):
    doc = pdf_samples.invoice(lines=[_line(1, "Conference ticket<br />Attendee: Tara Schmidt", "349.00"),
                                     _line(2, "Workshop day", "149.00")])
    root = _valid(validator, _build(doc))
    assert _text(root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == GUIDELINE_ID
    assert _text(root, "rsm:ExchangedDocument/ram:ID") == "SAMPLECONF-00010"
    assert _text(root, "rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert _text(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == "20261121"
    # 349.00 gross at 19 % is 293.28 net + 55.72 VAT (pretix's rounding); 149.00 is 125.21 + 23.79.
    assert _breakdown(root) == [("S", "19.00", Decimal("418.49"), Decimal("79.51"))]
    assert _amount(root, f"{TOTALS}/ram:GrandTotalAmount") == Decimal("498.00")
    assert _amount(root, f"{TOTALS}/ram:DuePayableAmount") == Decimal("498.00")
    assert root.find(f"{TOTALS}/ram:TaxTotalAmount", NS).attrib == {"currencyID": "EUR"}
    assert _text(root, f"{TX}/ram:ApplicableHeaderTradeAgreement/ram:BuyerReference") == "PO-2026-4711"
    assert _text(root, f"{SELLER}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == "DE123456789"
    assert _text(root, f"{SELLER}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']") == "27/123/45678"
    assert _text(root, f"{BUYER}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == "DE671965507"
    assert _text(root, f"{SELLER}/ram:URIUniversalCommunication/ram:URIID[@schemeID='EM']") == "billing@example.org"
    assert _text(root, f"{BUYER}/ram:URIUniversalCommunication/ram:URIID[@schemeID='EM']") == "lukas@example.org"
    means = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert _text(root, f"{means}/ram:TypeCode") == "58"
    assert _text(root, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == "DE02120300000000202051"
    assert _text(root, f"{means}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID") == "BYLADEM1001"
    assert _text(root, f"{SETTLEMENT}/ram:PaymentReference") == "JUYUF"
    first = root.find(f"{TX}/ram:IncludedSupplyChainTradeLineItem", NS)
    assert _text(first, "ram:SpecifiedTradeProduct/ram:Name") == "Conference ticket"
    assert _text(first, "ram:SpecifiedTradeProduct/ram:Description") == "Attendee: Tara Schmidt"
    period = "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod"
    assert _text(first, f"{period}/ram:StartDateTime/udt:DateTimeString") == "20270614"
    assert _text(first, f"{period}/ram:EndDateTime/udt:DateTimeString") == "20270616"
    assert _text(root, f"{TX}/ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/"
                       "ram:OccurrenceDateTime/udt:DateTimeString") == "20270616"


def test_invoice_at_7_percent(validator):
    root = _valid(validator, _build(pdf_samples.invoice(lines=[_line(1, "Conference dinner", "89.00", "7.00", "S/reduced")])))
    assert _breakdown(root) == [("S", "7.00", Decimal("83.18"), Decimal("5.82"))]


def test_mixed_rates_exempt_zero_rated_and_a_discount(validator):
    lines = [
        _line(1, "Conference ticket", "349.00"),
        _line(2, "Conference dinner", "89.00", "7.00", "S/reduced"),
        _line(3, "Donation", "25.00", "0.00", "E", "Exempt, Art. 132 (1) (l) VAT Directive"),
        _line(4, "Charity raffle", "5.00", "0.00", "O", ""),  # O next to S: becomes E with a reason (BR-O-11)
        _line(5, "Book (zero-rated)", "12.00", "0.00", "Z", ""),
        _line(6, "Early-bird discount", "-34.90", "19.00"),
    ]
    doc = pdf_samples.invoice(lines=lines)
    xml = _build(doc)
    root = _valid(validator, xml)
    assert [row[:2] for row in _breakdown(root)] == [("E", "0.00"), ("S", "19.00"), ("S", "7.00"), ("Z", "0.00")]
    exempt = next(t for t in root.findall(f"{SETTLEMENT}/ram:ApplicableTradeTax", NS) if _text(t, "ram:CategoryCode") == "E")
    assert _text(exempt, "ram:ExemptionReason") == "Exempt, Art. 132 (1) (l) VAT Directive; Not subject to VAT"
    discount = root.findall(f"{TX}/ram:IncludedSupplyChainTradeLineItem", NS)[5]
    assert _text(discount, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity") == "-1"
    assert _amount(discount, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount") == Decimal("29.33")
    assert _amount(discount, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/"
                             "ram:LineTotalAmount") == Decimal("-29.33")
    # One mapping for every format: the Peppol UBL of the same invoice has the same breakdown and totals.
    ubl = ET.fromstring(build_ubl(doc, pdf_samples.internal(), Seller.from_invoice(doc, pdf_samples.internal(), SETTINGS)))
    ubl_breakdown = sorted((_text(s, "cac:TaxCategory/cbc:ID"), _text(s, "cac:TaxCategory/cbc:Percent"),
                            _amount(s, "cbc:TaxableAmount"), _amount(s, "cbc:TaxAmount"))
                           for s in ubl.findall("cac:TaxTotal/cac:TaxSubtotal", NS))
    assert _breakdown(root) == ubl_breakdown
    assert _amount(root, f"{TOTALS}/ram:GrandTotalAmount") == _amount(ubl, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")


def test_reverse_charge_to_austria(validator):
    lines = [_line(1, "Online workshop (streaming)", "250.00", "0.00", "AE", "Reverse charge")]
    root = _valid(validator, _build(pdf_samples.invoice(lines=lines, **AUSTRIAN_BUYER)))
    (tax,) = root.findall(f"{SETTLEMENT}/ram:ApplicableTradeTax", NS)
    assert (_text(tax, "ram:CategoryCode"), _text(tax, "ram:ExemptionReasonCode")) == ("AE", "VATEX-EU-AE")
    assert _amount(tax, "ram:CalculatedAmount") == Decimal("0.00")
    assert _text(root, f"{BUYER}/ram:SpecifiedTaxRegistration/ram:ID") == "ATU12345678"
    assert _text(root, f"{BUYER}/ram:PostalTradeAddress/ram:CountryID") == "AT"
    assert _text(root, f"{TX}/ram:ApplicableHeaderTradeAgreement/ram:BuyerReference") == "JUYUF"  # the order code
    assert "Reverse charge: VAT liability" in _text(root, "rsm:ExchangedDocument/ram:IncludedNote/ram:Content")


def test_exempt_small_business_with_a_tax_number_only(validator):
    lines = [_line(1, "Meetup ticket", "15.00", "0.00", None, "")]
    doc = pdf_samples.invoice(lines=lines, invoice_from_vat_id="", invoice_to_vat_id=None)
    root = _valid(validator, _build(doc, invoice_seller_iban=""))
    assert _breakdown(root) == [("E", "0.00", Decimal("15.00"), Decimal("0.00"))]
    assert _text(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:ExemptionReason") == "Exempt from VAT"
    assert [e.get("schemeID") for e in root.findall(f"{SELLER}/ram:SpecifiedTaxRegistration/ram:ID", NS)] == ["FC"]
    assert _text(root, f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "ZZZ"


def test_200_lines_at_9_99(validator):
    lines = [_line(i, f"Ticket<br />Attendee: Guest {i}", "9.99") for i in range(1, 201)]
    root = _valid(validator, _build(pdf_samples.invoice(lines=lines)))
    assert len(root.findall(f"{TX}/ram:IncludedSupplyChainTradeLineItem", NS)) == 200
    # 1998.00 gross at 19 %: net round(1998 / 1.19) = 1678.99, VAT 319.01 after the cent re-split.
    assert _breakdown(root) == [("S", "19.00", Decimal("1678.99"), Decimal("319.01"))]
    assert _amount(root, f"{TOTALS}/ram:GrandTotalAmount") == Decimal("1998.00")


def test_200_lines_fail_without_the_cent_resplit(validator, monkeypatch):
    """The harness catches what the re-split prevents: pretix's line-rounded VAT is 1.18 off (BR-CO-17)."""
    monkeypatch.setattr(amounts_module, "_resplit", lambda group, currency: group)
    lines = [_line(i, "Ticket", "9.99") for i in range(1, 201)]
    findings = validator.validate_cii(_build(pdf_samples.invoice(lines=lines)))
    assert "BR-CO-17" in {f.source for f in findings if f.flag == "fatal"}


def test_tampered_total_is_caught(validator):
    xml = _build(pdf_samples.invoice()).replace(b"<ram:DuePayableAmount>", b"<ram:DuePayableAmount>1")
    assert "BR-CO-16" in {f.source for f in validator.validate_cii(xml) if f.flag == "fatal"}


def test_cancellation_is_a_credit_note_referring_to_the_original(validator):
    original = pdf_samples.invoice(lines=[_line(1, "Conference ticket", "349.00"), _line(2, "Discount", "-34.90")])
    cancellation = pdf_samples.cancellation(original)
    root = _valid(validator, _build(cancellation, pdf_samples.internal(refers_date=original["date"])))
    assert _text(root, "rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert _text(root, "rsm:ExchangedDocument/ram:ID") == "SAMPLECONF-00011"
    reference = f"{SETTLEMENT}/ram:InvoiceReferencedDocument"
    assert _text(root, f"{reference}/ram:IssuerAssignedID") == "SAMPLECONF-00010"
    assert _text(root, f"{reference}/ram:FormattedIssueDateTime/qdt:DateTimeString") == "20261121"
    assert _amount(root, f"{TOTALS}/ram:GrandTotalAmount") == Decimal("314.10")  # positive in a credit note
    quantities = [_text(item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
                  for item in root.findall(f"{TX}/ram:IncludedSupplyChainTradeLineItem", NS)]
    assert quantities == ["1", "-1"]
    assert _text(root, f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:Description") == "Credit for invoice SAMPLECONF-00010"


def test_vat_accounting_currency_from_the_foreign_currency_display(validator):
    doc = pdf_samples.invoice(lines=[_line(1, "Conference ticket", "349.00")], foreign_currency_display="PLN",
                              foreign_currency_rate="4.2500", foreign_currency_rate_date="2026-11-20")
    root = _valid(validator, _build(doc))
    assert _text(root, f"{SETTLEMENT}/ram:TaxCurrencyCode") == "PLN"
    assert _text(root, f"{SETTLEMENT}/ram:InvoiceCurrencyCode") == "EUR"
    totals = {e.get("currencyID"): Decimal(e.text) for e in root.findall(f"{TOTALS}/ram:TaxTotalAmount", NS)}
    assert totals == {"EUR": Decimal("55.72"), "PLN": Decimal("236.81")}  # 55.72 * 4.25 = 236.81 (half up)


def test_invoice_in_another_currency(validator):
    lines = [_line(1, "Conference ticket", "120.00", "8.10", "S/standard")]
    doc = pdf_samples.invoice(lines=lines, invoice_from_country="CH", invoice_from_vat_id="CHE-123.456.789 MWST")
    root = _valid(validator, _build(doc, pdf_samples.internal(currency="CHF"), invoice_seller_iban=""))
    assert _text(root, f"{SETTLEMENT}/ram:InvoiceCurrencyCode") == "CHF"
    assert root.find(f"{TOTALS}/ram:TaxTotalAmount", NS).attrib == {"currencyID": "CHF"}
    assert _breakdown(root) == [("S", "8.10", Decimal("111.01"), Decimal("8.99"))]


GREEK_COMPANY = "Ελληνική Εταιρεία Α.Ε."  # noqa: RUF001
TICKET = "Konferenzticket „Zürich“ – 1 Tag"  # noqa: RUF001


def test_unicode_names_survive(validator):
    doc = pdf_samples.invoice(
        lines=[_line(1, f"{TICKET}<br />Teilnehmerin: Zoë Łukasiewicz-Ødegård", "349.00")],
        invoice_to_company=GREEK_COMPANY, invoice_to_name="Jürgen Šťastný", invoice_to_street="Straße 1\nHof 2",
        invoice_from_name="Bïg Évents GmbH & Co. KG <Berlin>")
    root = _valid(validator, _build(doc))
    assert _text(root, f"{BUYER}/ram:Name") == GREEK_COMPANY
    assert _text(root, f"{BUYER}/ram:DefinedTradeContact/ram:PersonName") == "Jürgen Šťastný"
    assert _text(root, f"{BUYER}/ram:PostalTradeAddress/ram:LineTwo") == "Hof 2"
    assert _text(root, f"{SELLER}/ram:Name") == "Bïg Évents GmbH & Co. KG <Berlin>"
    item = root.find(f"{TX}/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedTradeProduct", NS)
    assert _text(item, "ram:Name") == TICKET
    assert _text(item, "ram:Description") == "Teilnehmerin: Zoë Łukasiewicz-Ødegård"


def test_outside_the_scope_of_vat(validator):
    lines = [_line(1, "Membership", "80.00", "0.00", "O", "")]
    doc = pdf_samples.invoice(lines=lines, invoice_to_country="US", invoice_to_vat_id=None, invoice_to_city="New York",
                              invoice_to_zipcode="10001", invoice_to_state="NY")
    root = _valid(validator, _build(doc))
    assert [e.get("schemeID") for e in root.findall(f"{SELLER}/ram:SpecifiedTaxRegistration/ram:ID", NS)] == ["FC"]
    assert root.find(f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:RateApplicablePercent", NS) is None


def test_the_writer_gives_elementtrees_bytes():
    from invoicing.einvoice import xmlwrite

    root = ET.Element("rsm:Root", {"xmlns:rsm": "urn:x", "a": 'say "hi" & <bye>\n\tnow'})
    ET.SubElement(root, "rsm:Text").text = "Tom & Jerry <3 > \"quotes\" 'single' ő ✓"
    ET.SubElement(ET.SubElement(root, "rsm:Group"), "rsm:Leaf", {"currencyID": "EUR"}).text = "1.00"
    assert xmlwrite.tostring(root) == ET.tostring(root, encoding="utf-8", xml_declaration=True)
