"""Seller data from the invoice snapshot plus settings, and what Peppol / SdI transmissions lack."""

from __future__ import annotations

from invoicing.einvoice.seller import Seller, missing_for_peppol, missing_for_sdi, split_participant
from tests.support import pdf_samples

PEPPOL_SETTINGS = {"invoice_seller_peppol_id": "9930:DE123456789", "invoice_seller_contact_email": "billing@example.org"}
PEPPOL_INFO = {"transmission_peppol_participant_id": "0208:0477472701"}


def _it_doc(**changes):
    doc = pdf_samples.invoice(
        invoice_from_name="Eventi Esempio S.r.l.", invoice_from="Via Roma 1", invoice_from_zipcode="50123",
        invoice_from_city="Firenze", invoice_from_country="IT", invoice_from_vat_id="IT01234567890",
        invoice_to_company="Acme S.p.A.", invoice_to_street="Via Verdi 3", invoice_to_zipcode="00184",
        invoice_to_city="Roma", invoice_to_country="IT", invoice_to_vat_id="IT09876543210",
        invoice_to_transmission_info={"transmission_it_sdi_recipient_code": "ABC1234"})
    doc.update(changes)
    return doc


def test_from_invoice_takes_the_snapshot_and_the_settings():
    doc = pdf_samples.invoice()
    settings = {
        "invoice_seller_contact_name": " Anna Admin ", "invoice_seller_contact_email": "billing@example.org",
        "invoice_seller_contact_phone": "+49 30 123456", "invoice_seller_iban": "de02 1203 0000 0000 2020 51",
        "invoice_seller_bic": "byladem1001", "invoice_seller_peppol_id": "9930:DE123456789",
        "invoice_seller_codice_fiscale": "", "invoice_sdi_transmitter_id": None, "unrelated": "x",
    }
    seller = Seller.from_invoice(doc, pdf_samples.internal(invoice_from_state="BE"), settings)
    assert seller == Seller(
        name="Big Events GmbH", street="Musterstraße 1", zipcode="10115", city="Berlin", country="DE", state="BE",
        vat_id="DE123456789", tax_id="27/123/45678", contact_name="Anna Admin", contact_email="billing@example.org",
        contact_phone="+49 30 123456", iban="DE02120300000000202051", bic="BYLADEM1001", peppol_id="9930:DE123456789",
        codice_fiscale=None, sdi_transmitter_id=None)


def test_split_participant():
    assert split_participant("0208:0477472701") == ("0208", "0477472701")
    assert split_participant("9930:DE:1") == ("9930", "DE:1")
    assert split_participant("DE123456789") is None
    assert split_participant("") is None
    assert split_participant(None) is None


def test_peppol_ready():
    doc = pdf_samples.invoice(invoice_to_country="BE", invoice_to_transmission_info=PEPPOL_INFO)
    assert missing_for_peppol(doc, Seller.from_invoice(doc, {}, PEPPOL_SETTINGS)) == []


def test_peppol_between_german_parties_needs_the_seller_contact_and_post_codes():
    doc = pdf_samples.invoice(invoice_to_zipcode="", invoice_to_transmission_info=PEPPOL_INFO)
    assert doc["invoice_from_country"] == doc["invoice_to_country"] == "DE"
    assert missing_for_peppol(doc, Seller.from_invoice(doc, {}, PEPPOL_SETTINGS)) == [
        "invoice_seller_contact_name", "invoice_seller_contact_phone", "invoice_to_zipcode"]
    doc["invoice_to_zipcode"] = "04109"
    complete = {**PEPPOL_SETTINGS, "invoice_seller_contact_name": "Anna", "invoice_seller_contact_phone": "+49 30 1"}
    assert missing_for_peppol(doc, Seller.from_invoice(doc, {}, complete)) == []


def test_peppol_needs_the_seller_endpoint_and_the_buyer_participant():
    doc = pdf_samples.invoice(invoice_to_country="BE")
    assert missing_for_peppol(doc, Seller.from_invoice(doc, {}, {})) == [
        "invoice_seller_peppol_id", "transmission_peppol_participant_id"]
    assert "invoice_seller_peppol_id" in missing_for_peppol(doc, Seller.from_invoice(doc, {}, {"invoice_seller_peppol_id": "x"}))


def test_peppol_needs_seller_vat_id_for_standard_rated_lines_but_a_tax_id_does_for_exempt_ones():
    doc = pdf_samples.invoice(invoice_from_vat_id="", invoice_to_country="BE", invoice_to_transmission_info=PEPPOL_INFO)
    assert missing_for_peppol(doc, Seller.from_invoice(doc, {}, PEPPOL_SETTINGS)) == ["invoice_from_vat_id"]
    exempt = [pdf_samples.line(1, "Ticket", "50.00", "0.00")]
    exempt[0]["tax_code"] = "E"
    doc = pdf_samples.invoice(lines=exempt, invoice_from_vat_id="", invoice_to_country="BE",
                              invoice_to_transmission_info=PEPPOL_INFO)
    assert missing_for_peppol(doc, Seller.from_invoice(doc, {}, PEPPOL_SETTINGS)) == []
    doc["invoice_from_tax_id"] = ""
    assert missing_for_peppol(doc, Seller.from_invoice(doc, {}, PEPPOL_SETTINGS)) == ["invoice_from_vat_id"]


def test_peppol_reverse_charge_needs_the_buyer_vat_id_and_every_address_needs_a_country():
    lines = [pdf_samples.line(1, "Online workshop", "100.00", "0.00")]
    lines[0]["tax_code"] = "AE"
    doc = pdf_samples.invoice(lines=lines, invoice_to_vat_id=None, invoice_to_country=None, invoice_from_name="",
                              invoice_from_country=None, invoice_to_company="", invoice_to_name="",
                              invoice_to_transmission_info=PEPPOL_INFO)
    assert missing_for_peppol(doc, Seller.from_invoice(doc, {}, PEPPOL_SETTINGS)) == [
        "invoice_from_name", "invoice_from_country", "invoice_to_company", "invoice_to_country", "invoice_to_vat_id"]


def test_sdi_ready_for_business_and_consumer():
    doc = _it_doc()
    seller = Seller.from_invoice(doc, {}, {"invoice_sdi_transmitter_id": "IT01234567890"})
    assert missing_for_sdi(doc, seller) == []
    consumer = _it_doc(invoice_to_company="", invoice_to_name="Mario Rossi", invoice_to_is_business=False,
                       invoice_to_vat_id=None,
                       invoice_to_transmission_info={"transmission_it_sdi_codice_fiscale": "RSSMRA80A01H501U"})
    assert missing_for_sdi(consumer, seller) == []


def test_sdi_needs_transmitter_seller_vat_and_cap():
    doc = _it_doc(invoice_from_vat_id="", invoice_from_zipcode="5012")
    assert missing_for_sdi(doc, Seller.from_invoice(doc, {}, {"invoice_seller_codice_fiscale": "01234567890"})) == [
        "invoice_sdi_transmitter_id", "invoice_from_vat_id", "invoice_from_zipcode"]


def test_sdi_seller_abroad_needs_no_italian_cap():
    # An Austrian seller's zip code is no CAP; FatturaPA writes 00000 for a seat abroad, so nothing is missing.
    doc = _it_doc(invoice_from_country="AT", invoice_from_zipcode="1010", invoice_from_vat_id="ATU13585627")
    seller = Seller.from_invoice(doc, {}, {"invoice_sdi_transmitter_id": "IT01234567890"})
    assert missing_for_sdi(doc, seller) == []


def test_sdi_business_needs_vat_id_and_a_recipient_code_or_pec():
    doc = _it_doc(invoice_to_vat_id=None, invoice_to_transmission_info={})
    seller = Seller.from_invoice(doc, {}, {"invoice_sdi_transmitter_id": "IT01234567890"})
    assert missing_for_sdi(doc, seller) == ["invoice_to_vat_id", "transmission_it_sdi_recipient_code"]
    doc["invoice_to_transmission_info"] = {"transmission_it_sdi_pec": "acme@pec.example.it"}
    assert missing_for_sdi(doc, seller) == ["invoice_to_vat_id"]


def test_sdi_consumer_needs_codice_fiscale_and_address():
    doc = _it_doc(invoice_to_company="", invoice_to_name="Mario Rossi", invoice_to_is_business=False,
                  invoice_to_vat_id=None, invoice_to_street="", invoice_to_zipcode="", invoice_to_transmission_info={})
    seller = Seller.from_invoice(doc, {}, {"invoice_sdi_transmitter_id": "IT01234567890"})
    assert missing_for_sdi(doc, seller) == ["invoice_to_street", "invoice_to_zipcode", "transmission_it_sdi_codice_fiscale"]
