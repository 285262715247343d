"""Peppol BIS Billing 3.0 (EN 16931) UBL 2.1: an `Invoice` (380), or a `CreditNote` (381) for a cancellation.

With `xrechnung=True` the same document is XRechnung 3.0 (Germany's CIUS): its CustomizationID, and electronic
addresses for both parties even off Peppol (a public buyer's Leitweg-ID, the seller's billing e-mail).

Element order follows the UBL `xs:sequence`s; elements without a value are left out (PEPPOL-EN16931-R008).
Tags are written with their literal `cbc:`/`cac:` prefixes and the namespaces declared on the root, so no
global ElementTree namespace registry is touched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from invoicing.einvoice import xrechnung as xr
from invoicing.einvoice.amounts import Amounts, TaxCategory, accounting_tax, compute
from invoicing.einvoice.endpoints import buyer_endpoint, buyer_reference, seller_endpoint
from invoicing.einvoice.seller import Seller, split_participant
from invoicing.einvoice.text import document_note, local_date, parts, payment_terms
from invoicing.einvoice.xmlwrite import add_text as _add
from invoicing.einvoice.xmlwrite import group as _group
from invoicing.money import format_amount, format_rate

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
_NS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# SMP document type identifiers, for whoever sends the document over an access point.
DOCUMENT_TYPE_IDS = {
    "Invoice": f"{_NS['Invoice']}::Invoice##{CUSTOMIZATION_ID}::2.1",
    "CreditNote": f"{_NS['CreditNote']}::CreditNote##{CUSTOMIZATION_ID}::2.1",
}
XRECHNUNG_DOCUMENT_TYPE_IDS = {
    "Invoice": f"{_NS['Invoice']}::Invoice##{xr.CUSTOMIZATION_ID}::2.1",
    "CreditNote": f"{_NS['CreditNote']}::CreditNote##{xr.CUSTOMIZATION_ID}::2.1",
}
UNIT_CODE = "C62"  # "one": each pretix position is one line of quantity 1


def _amount(parent: ET.Element, tag: str, value: Decimal, currency: str) -> None:
    ET.SubElement(parent, tag, {"currencyID": currency}).text = format_amount(value, currency)


def _tax_category(parent: ET.Element, tag: str, category: TaxCategory, *, with_reason: bool) -> None:
    element = _group(parent, tag)
    _add(element, "cbc:ID", category.code)
    if category.code != "O":  # BR-O-05: "not subject" carries no rate
        _add(element, "cbc:Percent", format_rate(category.rate))
    if with_reason:
        _add(element, "cbc:TaxExemptionReasonCode", category.exemption_code)
        _add(element, "cbc:TaxExemptionReason", category.exemption_reason)
    _add(_group(element, "cac:TaxScheme"), "cbc:ID", "VAT")


def _endpoint(parent: ET.Element, endpoint: tuple[str, str] | None) -> None:
    """EndpointID `(scheme, id)`; left out when unknown (missing_for_peppol reports it beforehand)."""
    if endpoint is not None:
        _add(parent, "cbc:EndpointID", endpoint[1], schemeID=endpoint[0])


def _address(parent: ET.Element, tag: str, *, street: str | None, city: str | None, zipcode: str | None,
             state: str | None, country: str | None) -> None:
    element = _group(parent, tag)
    lines = parts(street)
    _add(element, "cbc:StreetName", lines[0] if lines else None)
    _add(element, "cbc:AdditionalStreetName", ", ".join(lines[1:]) if len(lines) > 1 else None)
    _add(element, "cbc:CityName", city)
    _add(element, "cbc:PostalZone", zipcode)
    _add(element, "cbc:CountrySubentity", state)
    if country:
        _add(_group(element, "cac:Country"), "cbc:IdentificationCode", country)


def _tax_scheme(parent: ET.Element, company_id: str | None, scheme: str) -> None:
    if company_id:
        element = _group(parent, "cac:PartyTaxScheme")
        _add(element, "cbc:CompanyID", company_id)
        _add(_group(element, "cac:TaxScheme"), "cbc:ID", scheme)


def _supplier(root: ET.Element, seller: Seller, outside_scope: bool, xrechnung: bool) -> None:
    party = _group(_group(root, "cac:AccountingSupplierParty"), "cac:Party")
    _endpoint(party, seller_endpoint(seller) if xrechnung else split_participant(seller.peppol_id))
    if outside_scope or not seller.vat_id:  # BR-CO-26: BT-29, BT-30 or BT-31 identifies the seller
        identifier = seller.tax_id or (split_participant(seller.peppol_id) or (None, None))[1]
        if identifier:
            _add(_group(party, "cac:PartyIdentification"), "cbc:ID", identifier)
    if seller.name:
        _add(_group(party, "cac:PartyName"), "cbc:Name", seller.name)
    _address(party, "cac:PostalAddress", street=seller.street, city=seller.city, zipcode=seller.zipcode,
             state=seller.state, country=seller.country)
    if not outside_scope:  # BR-O-02: no seller VAT id on a document outside the scope of VAT
        _tax_scheme(party, seller.vat_id, "VAT")
    _tax_scheme(party, seller.tax_id, "TAX")  # BT-32, the seller's local tax registration
    _add(_group(party, "cac:PartyLegalEntity"), "cbc:RegistrationName", seller.name)
    if seller.contact_name or seller.contact_phone or seller.contact_email:
        contact = _group(party, "cac:Contact")
        _add(contact, "cbc:Name", seller.contact_name)
        _add(contact, "cbc:Telephone", seller.contact_phone)
        _add(contact, "cbc:ElectronicMail", seller.contact_email)


def _customer(root: ET.Element, doc: Mapping[str, Any], internal: Mapping[str, Any], outside_scope: bool,
              xrechnung: bool) -> None:
    info = doc.get("invoice_to_transmission_info") or {}
    party = _group(_group(root, "cac:AccountingCustomerParty"), "cac:Party")
    _endpoint(party, buyer_endpoint(doc, internal) if xrechnung
              else split_participant(info.get("transmission_peppol_participant_id")))
    company, name = (doc.get("invoice_to_company") or "").strip(), (doc.get("invoice_to_name") or "").strip()
    _address(party, "cac:PostalAddress", street=doc.get("invoice_to_street"), city=doc.get("invoice_to_city"),
             zipcode=doc.get("invoice_to_zipcode"), state=doc.get("invoice_to_state"), country=doc.get("invoice_to_country"))
    if not outside_scope:
        _tax_scheme(party, doc.get("invoice_to_vat_id"), "VAT")
    _add(_group(party, "cac:PartyLegalEntity"), "cbc:RegistrationName", company or name)
    if company and name:
        _add(_group(party, "cac:Contact"), "cbc:Name", name)


def _period(parent: ET.Element, start: Any, end: Any) -> None:
    if start is None and end is None:
        return
    if start is not None and end is not None and end < start:
        end = start
    element = _group(parent, "cac:InvoicePeriod")
    _add(element, "cbc:StartDate", start.isoformat() if start else None)
    _add(element, "cbc:EndDate", end.isoformat() if end else None)


def _lines(root: ET.Element, amounts: Amounts, credit: bool, timezone: str | None) -> None:
    currency = amounts.currency
    tag, quantity_tag = ("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit else ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    for line in amounts.lines:
        element = _group(root, tag)
        _add(element, "cbc:ID", str(line.position))
        # BR-27: the price is never negative; a negative line (discount) is quantity -1 at a positive price.
        _add(element, quantity_tag, "-1" if line.net < 0 else "1", unitCode=UNIT_CODE)
        _amount(element, "cbc:LineExtensionAmount", line.net, currency)
        _period(element, local_date(line.period_start, timezone), local_date(line.period_end, timezone))
        item = _group(element, "cac:Item")
        texts = parts(line.description)
        _add(item, "cbc:Description", "\n".join(texts[1:]) if len(texts) > 1 else None)
        _add(item, "cbc:Name", texts[0] if texts else f"Position {line.position}")
        _tax_category(item, "cac:ClassifiedTaxCategory", line.category, with_reason=False)
        _amount(_group(element, "cac:Price"), "cbc:PriceAmount", abs(line.net), currency)


def _payment(root: ET.Element, doc: Mapping[str, Any], seller: Seller, credit: bool, payable: Decimal) -> None:
    means = _group(root, "cac:PaymentMeans")
    if seller.iban and not credit:
        _add(means, "cbc:PaymentMeansCode", "58")  # SEPA credit transfer; BR-61 needs the account
        _add(means, "cbc:PaymentID", doc["order"])
        account = _group(means, "cac:PayeeFinancialAccount")
        _add(account, "cbc:ID", seller.iban)
        _add(account, "cbc:Name", seller.name)
        if seller.bic:
            _add(_group(account, "cac:FinancialInstitutionBranch"), "cbc:ID", seller.bic)
    else:
        _add(means, "cbc:PaymentMeansCode", "ZZZ")  # mutually defined: pretix knows many payment providers
        _add(means, "cbc:PaymentID", doc["order"])
    if payable > 0:  # BR-CO-25: due date or payment terms; pretix invoices carry no due date
        _add(_group(root, "cac:PaymentTerms"), "cbc:Note", payment_terms(doc, credit))


def _tax_total(root: ET.Element, amounts: Amounts, accounting: tuple[str, Decimal] | None) -> None:
    total = _group(root, "cac:TaxTotal")
    _amount(total, "cbc:TaxAmount", amounts.tax_total, amounts.currency)
    for group in amounts.groups:
        subtotal = _group(total, "cac:TaxSubtotal")
        _amount(subtotal, "cbc:TaxableAmount", group.taxable, amounts.currency)
        _amount(subtotal, "cbc:TaxAmount", group.tax, amounts.currency)
        _tax_category(subtotal, "cac:TaxCategory", group.category, with_reason=True)
    if accounting is not None:  # BR-53, PEPPOL-EN16931-R054/R055: the total alone, in the accounting currency
        _amount(_group(root, "cac:TaxTotal"), "cbc:TaxAmount", accounting[1], accounting[0])


def _monetary_total(root: ET.Element, amounts: Amounts) -> None:
    total = _group(root, "cac:LegalMonetaryTotal")
    for tag, value in (("cbc:LineExtensionAmount", amounts.net_total), ("cbc:TaxExclusiveAmount", amounts.net_total),
                       ("cbc:TaxInclusiveAmount", amounts.gross_total), ("cbc:PayableAmount", amounts.gross_total)):
        _amount(total, tag, value, amounts.currency)


def build_ubl(doc: Mapping[str, Any], internal: Mapping[str, Any], seller: Seller, *, xrechnung: bool = False) -> bytes:
    """The UBL document for one invoice (`doc` = public resource, `internal` = what the PDF also gets);
    XRechnung 3.0 with `xrechnung`."""
    currency = (internal.get("currency") or "EUR").upper()
    credit = bool(doc.get("is_cancellation"))
    amounts = compute(doc["lines"], currency, negate=credit)
    timezone = internal.get("event_timezone")
    outside_scope = bool(amounts.lines) and all(line.category.code == "O" for line in amounts.lines)
    name = "CreditNote" if credit else "Invoice"

    root = ET.Element(name, {"xmlns": _NS[name], "xmlns:cac": _NS["cac"], "xmlns:cbc": _NS["cbc"]})
    _add(root, "cbc:CustomizationID", xr.CUSTOMIZATION_ID if xrechnung else CUSTOMIZATION_ID)
    _add(root, "cbc:ProfileID", PROFILE_ID)
    _add(root, "cbc:ID", doc["number"])
    _add(root, "cbc:IssueDate", doc["date"])
    _add(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", "381" if credit else "380")
    _add(root, "cbc:Note", document_note(doc, internal))
    _add(root, "cbc:DocumentCurrencyCode", currency)
    accounting = accounting_tax(amounts, doc.get("foreign_currency_display"), doc.get("foreign_currency_rate"))
    _add(root, "cbc:TaxCurrencyCode", accounting[0] if accounting else None)
    _add(root, "cbc:BuyerReference", buyer_reference(doc))  # PEPPOL-EN16931-R003, BR-DE-15
    start = local_date(internal.get("event_date_from"), timezone)
    end = local_date(internal.get("event_date_to"), timezone) or start
    _period(root, start, end)
    if doc.get("refers"):
        reference = _group(_group(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _add(reference, "cbc:ID", doc["refers"])
        _add(reference, "cbc:IssueDate", internal.get("refers_date"))
    _supplier(root, seller, outside_scope, xrechnung)
    _customer(root, doc, internal, outside_scope, xrechnung)
    if end is not None or any(line.category.code == "K" for line in amounts.lines):
        delivery = _group(root, "cac:Delivery")
        _add(delivery, "cbc:ActualDeliveryDate", end.isoformat() if end else None)
        if any(line.category.code == "K" for line in amounts.lines) and doc.get("invoice_to_country"):
            location = _group(_group(delivery, "cac:DeliveryLocation"), "cac:Address")
            _add(_group(location, "cac:Country"), "cbc:IdentificationCode", doc["invoice_to_country"])
    _payment(root, doc, seller, credit, amounts.gross_total)
    _tax_total(root, amounts, accounting)
    _monetary_total(root, amounts)
    _lines(root, amounts, credit, timezone)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
