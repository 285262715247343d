"""EN 16931 in UN/CEFACT Cross Industry Invoice (CII D16B), the XML inside Factur-X / ZUGFeRD PDFs.

Same inputs and the same `amounts` mapping as `ubl.py`, so lines, VAT categories, exemption reasons and
totals agree with the Peppol document and the PDF. An invoice is type 380; a cancellation is a credit note
(381) with positive amounts and the original invoice as preceding invoice reference (BT-25/BT-26).
Element order follows the Factur-X 1.0 EN 16931 XSD; elements without a value are left out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from invoicing.einvoice import xmlwrite
from invoicing.einvoice.amounts import Amounts, TaxCategory, accounting_tax, compute
from invoicing.einvoice.endpoints import buyer_endpoint, buyer_reference, seller_endpoint
from invoicing.einvoice.seller import Seller, split_participant
from invoicing.einvoice.text import document_note, local_date, parts, payment_terms
from invoicing.einvoice.xmlwrite import add_text as _add
from invoicing.einvoice.xmlwrite import group as _group
from invoicing.money import format_amount, format_rate

GUIDELINE_ID = "urn:cen.eu:en16931:2017"  # BT-24 of the Factur-X / ZUGFeRD profile "EN 16931" (COMFORT)
_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
UNIT_CODE = "C62"


def _amount(parent: ET.Element, tag: str, value: Decimal, currency: str, *, with_currency: bool = False) -> None:
    attrib = {"currencyID": currency} if with_currency else {}
    ET.SubElement(parent, tag, attrib).text = format_amount(value, currency)


def _date(parent: ET.Element, tag: str, value: date, prefix: str = "udt") -> None:
    ET.SubElement(_group(parent, tag), f"{prefix}:DateTimeString", {"format": "102"}).text = value.strftime("%Y%m%d")


def _period(parent: ET.Element, start: date | None, end: date | None) -> None:
    if start is None and end is None:
        return
    if start is not None and end is not None and end < start:
        end = start
    element = _group(parent, "ram:BillingSpecifiedPeriod")
    if start is not None:
        _date(element, "ram:StartDateTime", start)
    if end is not None:
        _date(element, "ram:EndDateTime", end)


def _trade_tax(parent: ET.Element, category: TaxCategory, *, calculated: Decimal | None = None,
               basis: Decimal | None = None, currency: str = "EUR") -> None:
    """A line's (category and rate only) or a breakdown's (with amounts and exemption reason) ApplicableTradeTax."""
    element = _group(parent, "ram:ApplicableTradeTax")
    breakdown = basis is not None and calculated is not None
    if breakdown:
        _amount(element, "ram:CalculatedAmount", calculated, currency)
    _add(element, "ram:TypeCode", "VAT")
    if breakdown:
        _add(element, "ram:ExemptionReason", category.exemption_reason)
        _amount(element, "ram:BasisAmount", basis, currency)
    _add(element, "ram:CategoryCode", category.code)
    if breakdown:
        _add(element, "ram:ExemptionReasonCode", category.exemption_code)
    if category.code != "O":  # BR-O-05: "not subject" carries no rate
        _add(element, "ram:RateApplicablePercent", format_rate(category.rate))


def _address(parent: ET.Element, *, street: str | None, city: str | None, zipcode: str | None, state: str | None,
             country: str | None) -> None:
    element = _group(parent, "ram:PostalTradeAddress")
    lines = parts(street)
    _add(element, "ram:PostcodeCode", zipcode)
    _add(element, "ram:LineOne", lines[0] if lines else None)
    _add(element, "ram:LineTwo", lines[1] if len(lines) > 1 else None)
    _add(element, "ram:LineThree", ", ".join(lines[2:]) if len(lines) > 2 else None)
    _add(element, "ram:CityName", city)
    _add(element, "ram:CountryID", country)
    _add(element, "ram:CountrySubDivisionName", state)


def _electronic_address(parent: ET.Element, scheme: str | None, identifier: str | None) -> None:
    if scheme and identifier:
        _add(_group(parent, "ram:URIUniversalCommunication"), "ram:URIID", identifier, schemeID=scheme)


def _tax_registrations(parent: ET.Element, vat_id: str | None, tax_id: str | None) -> None:
    for scheme, value in (("VA", vat_id), ("FC", tax_id)):
        if value:
            _add(_group(parent, "ram:SpecifiedTaxRegistration"), "ram:ID", value, schemeID=scheme)


def _seller(agreement: ET.Element, seller: Seller, outside_scope: bool) -> None:
    party = _group(agreement, "ram:SellerTradeParty")
    if outside_scope or not seller.vat_id:  # BR-CO-26: BT-29, BT-30 or BT-31 identifies the seller
        _add(party, "ram:ID", seller.tax_id or (split_participant(seller.peppol_id) or (None, None))[1])
    _add(party, "ram:Name", seller.name)
    if seller.contact_name or seller.contact_phone or seller.contact_email:
        contact = _group(party, "ram:DefinedTradeContact")
        _add(contact, "ram:PersonName", seller.contact_name)
        if seller.contact_phone:
            _add(_group(contact, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber", seller.contact_phone)
        if seller.contact_email:
            _add(_group(contact, "ram:EmailURIUniversalCommunication"), "ram:URIID", seller.contact_email)
    _address(party, street=seller.street, city=seller.city, zipcode=seller.zipcode, state=seller.state,
             country=seller.country)
    _electronic_address(party, *(seller_endpoint(seller) or (None, None)))
    # BR-O-02: no seller VAT id on a document outside the scope of VAT; the tax number (BT-32) still goes.
    _tax_registrations(party, None if outside_scope else seller.vat_id, seller.tax_id)


def _buyer(agreement: ET.Element, doc: Mapping[str, Any], internal: Mapping[str, Any], outside_scope: bool) -> None:
    party = _group(agreement, "ram:BuyerTradeParty")
    company, name = (doc.get("invoice_to_company") or "").strip(), (doc.get("invoice_to_name") or "").strip()
    _add(party, "ram:Name", company or name)
    if company and name:
        _add(_group(party, "ram:DefinedTradeContact"), "ram:PersonName", name)
    _address(party, street=doc.get("invoice_to_street"), city=doc.get("invoice_to_city"),
             zipcode=doc.get("invoice_to_zipcode"), state=doc.get("invoice_to_state"), country=doc.get("invoice_to_country"))
    _electronic_address(party, *(buyer_endpoint(doc, internal) or (None, None)))
    if not outside_scope:
        _tax_registrations(party, doc.get("invoice_to_vat_id"), None)


def _lines(transaction: ET.Element, amounts: Amounts, timezone: str | None) -> None:
    """The line items, written as text: they are most of a long invoice, and building and writing them as
    elements cost more than the rest of a Factur-X render. Pieces that lines share are serialised once."""
    currency = amounts.currency
    taxes: dict[TaxCategory, str] = {}
    periods: dict[tuple[str | None, str | None], str] = {}
    chunks = []
    for line in amounts.lines:
        if line.category not in taxes:
            holder = ET.Element("holder")
            _trade_tax(holder, line.category)
            taxes[line.category] = "".join(xmlwrite.fragment(child) for child in holder)
        if (line.period_start, line.period_end) not in periods:
            holder = ET.Element("holder")
            _period(holder, local_date(line.period_start, timezone), local_date(line.period_end, timezone))
            periods[line.period_start, line.period_end] = "".join(xmlwrite.fragment(child) for child in holder)
        texts = parts(line.description)  # non-empty, XML-safe, stripped
        name = xmlwrite.escape(texts[0]) if texts else f"Position {line.position}"
        rest = xmlwrite.escape("\n".join(texts[1:]))
        description = f"<ram:Description>{rest}</ram:Description>" if rest else ""
        # BR-27: the price is never negative; a negative line (discount) is quantity -1 at a positive price.
        quantity = "-1" if line.net < 0 else "1"
        chunks.append(
            "<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument>"
            f"<ram:LineID>{line.position}</ram:LineID></ram:AssociatedDocumentLineDocument>"
            f"<ram:SpecifiedTradeProduct><ram:Name>{name}</ram:Name>{description}</ram:SpecifiedTradeProduct>"
            "<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice>"
            f"<ram:ChargeAmount>{format_amount(abs(line.net), currency)}</ram:ChargeAmount>"
            "</ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>"
            f'<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="{UNIT_CODE}">{quantity}</ram:BilledQuantity>'
            "</ram:SpecifiedLineTradeDelivery><ram:SpecifiedLineTradeSettlement>"
            f"{taxes[line.category]}{periods[line.period_start, line.period_end]}"
            "<ram:SpecifiedTradeSettlementLineMonetarySummation>"
            f"<ram:LineTotalAmount>{format_amount(line.net, currency)}</ram:LineTotalAmount>"
            "</ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>"
            "</ram:IncludedSupplyChainTradeLineItem>")
    xmlwrite.raw(transaction, "".join(chunks))


def _payment_means(settlement: ET.Element, seller: Seller, credit: bool) -> None:
    means = _group(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    if seller.iban and not credit:
        _add(means, "ram:TypeCode", "58")  # SEPA credit transfer; BR-61 needs the account
        _add(_group(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", seller.iban)
        if seller.bic:
            _add(_group(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", seller.bic)
    else:
        _add(means, "ram:TypeCode", "ZZZ")  # mutually defined: pretix knows many payment providers


def _settlement(transaction: ET.Element, doc: Mapping[str, Any], internal: Mapping[str, Any], seller: Seller,
                amounts: Amounts, credit: bool, period: tuple[date | None, date | None]) -> None:
    currency = amounts.currency
    settlement = _group(transaction, "ram:ApplicableHeaderTradeSettlement")
    _add(settlement, "ram:PaymentReference", doc["order"])
    foreign = accounting_tax(amounts, doc.get("foreign_currency_display"), doc.get("foreign_currency_rate"))
    if foreign:
        _add(settlement, "ram:TaxCurrencyCode", foreign[0])
    _add(settlement, "ram:InvoiceCurrencyCode", currency)
    _payment_means(settlement, seller, credit)
    for group in amounts.groups:
        _trade_tax(settlement, group.category, calculated=group.tax, basis=group.taxable, currency=currency)
    _period(settlement, *period)
    if amounts.gross_total > 0:
        _add(_group(settlement, "ram:SpecifiedTradePaymentTerms"), "ram:Description", payment_terms(doc, credit))
    totals = _group(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _amount(totals, "ram:LineTotalAmount", amounts.net_total, currency)
    _amount(totals, "ram:TaxBasisTotalAmount", amounts.net_total, currency)
    _amount(totals, "ram:TaxTotalAmount", amounts.tax_total, currency, with_currency=True)
    if foreign:
        _amount(totals, "ram:TaxTotalAmount", foreign[1], foreign[0], with_currency=True)
    _amount(totals, "ram:GrandTotalAmount", amounts.gross_total, currency)
    _amount(totals, "ram:DuePayableAmount", amounts.gross_total, currency)
    if doc.get("refers"):
        reference = _group(settlement, "ram:InvoiceReferencedDocument")
        _add(reference, "ram:IssuerAssignedID", doc["refers"])
        if internal.get("refers_date"):
            _date(reference, "ram:FormattedIssueDateTime", date.fromisoformat(internal["refers_date"][:10]), "qdt")


def build_cii(doc: Mapping[str, Any], internal: Mapping[str, Any], seller: Seller) -> bytes:
    """The CII document for one invoice (`doc` = public resource, `internal` = what the PDF also gets)."""
    currency = (internal.get("currency") or "EUR").upper()
    credit = bool(doc.get("is_cancellation"))
    amounts = compute(doc["lines"], currency, negate=credit)
    timezone = internal.get("event_timezone")
    outside_scope = bool(amounts.lines) and all(line.category.code == "O" for line in amounts.lines)

    root = ET.Element("rsm:CrossIndustryInvoice", {f"xmlns:{prefix}": uri for prefix, uri in _NS.items()})
    context = _group(root, "rsm:ExchangedDocumentContext")
    _add(_group(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE_ID)
    header = _group(root, "rsm:ExchangedDocument")
    _add(header, "ram:ID", doc["number"])
    _add(header, "ram:TypeCode", "381" if credit else "380")
    _date(header, "ram:IssueDateTime", date.fromisoformat(doc["date"][:10]))
    _add(_group(header, "ram:IncludedNote"), "ram:Content", document_note(doc, internal))

    transaction = _group(root, "rsm:SupplyChainTradeTransaction")
    _lines(transaction, amounts, timezone)
    agreement = _group(transaction, "ram:ApplicableHeaderTradeAgreement")
    _add(agreement, "ram:BuyerReference", buyer_reference(doc))
    _seller(agreement, seller, outside_scope)
    _buyer(agreement, doc, internal, outside_scope)
    start = local_date(internal.get("event_date_from"), timezone)
    end = local_date(internal.get("event_date_to"), timezone) or start
    delivery = _group(transaction, "ram:ApplicableHeaderTradeDelivery")
    if any(line.category.code == "K" for line in amounts.lines) and doc.get("invoice_to_country"):
        ship_to = _group(delivery, "ram:ShipToTradeParty")
        _add(_group(ship_to, "ram:PostalTradeAddress"), "ram:CountryID", doc["invoice_to_country"])
    if end is not None:
        _date(_group(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", end)
    _settlement(transaction, doc, internal, seller, amounts, credit, (start, end))
    return xmlwrite.tostring(root)
