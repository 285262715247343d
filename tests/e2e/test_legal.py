"""Issue 12 over HTTP on the local stack: i18n invoice texts, identifiers refused where they enter, and the legal
wording of the PDF a client downloads (reverse charge, German texts, a Hebrew name)."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import Organizer

pytestmark = pytest.mark.e2e

TEXTS = {"invoice_introductory_text": {"en": "We invoice:", "de": "Wir berechnen Ihnen:"},
         "invoice_footer_text": {"en": "Thank you", "de": "Vielen Dank"}}
PEPPOL = {"is_business": True, "company": "Acme NV", "street": "Rue de la Loi 1", "zipcode": "1000", "city": "Brussels",
          "country": "BE", "vat_id": "BE0477472701", "transmission_type": "peppol",
          "transmission_info": {"transmission_peppol_participant_id": "0208:0477472701"}}


@pytest.fixture
def shop(new_organizer) -> Organizer:
    organizer = new_organizer("legal", invoice_generate="True", invoice_address_from_name="Big Events GmbH",
                              invoice_address_from_country="DE", invoice_address_from_vat_id="DE136695976")
    organizer.event("conf")
    return organizer


def pdf_text(stack, shop: Organizer, number: str) -> str:
    stack.drain()
    reply = shop.api.get(shop.invoices_url("conf", number, "download"), shop.token)
    assert reply.status == 200, reply
    return " ".join(unicodedata.normalize("NFKC", PdfReader(io.BytesIO(reply.raw)).pages[0].extract_text()).split())


def test_i18n_texts_round_trip_and_a_german_order_prints_the_german_ones(stack, shop):
    assert shop.settings(**TEXTS)["invoice_introductory_text"] == TEXTS["invoice_introductory_text"]
    reply = shop.api.get(shop.url("settings"), shop.token)
    assert reply.body["invoice_footer_text"] == {"en": "Thank you", "de": "Vielen Dank"}

    number = shop.order("conf", locale="de")["invoices"][0]
    invoice = shop.invoice(number, "conf")
    assert (invoice["introductory_text"], invoice["footer_text"]) == ("Wir berechnen Ihnen:", "Vielen Dank")
    text = pdf_text(stack, shop, number)
    assert "Wir berechnen Ihnen:" in text and "Vielen Dank" in text and "Gesamtbetrag" in text


def test_identifiers_with_wrong_check_digits_are_400_field_errors(stack, shop):
    reply = shop.api.patch(shop.url("settings"), shop.token, body={"invoice_seller_peppol_id": "0208:0987654321"})
    assert reply.status == 400
    assert reply.body == {"invoice_seller_peppol_id": [
        "Scheme 0208 needs a Belgian enterprise number (10 digits); 0987654321 is not one "
        "(wrong length, format or check digit)."]}

    bad = {**PEPPOL, "transmission_info": {"transmission_peppol_participant_id": "0208:0987654321"}}
    reply = shop.api.post(shop.url("events", "conf", "orders"), shop.token, body={
        "email": "a@b.example", "invoice_address": bad,
        "positions": [{"description": "Ticket", "price": "100.00", "tax_rate": "0.00", "tax_code": "AE"}]})
    assert reply.status == 400
    assert list(reply.body["invoice_address"]["transmission_info"]) == ["transmission_peppol_participant_id"]


def test_a_reverse_charge_invoice_carries_pretix_wording_and_both_vat_ids(stack, shop):
    number = shop.order("conf", invoice_address={**PEPPOL, "transmission_type": "email", "transmission_info": {}},
                        positions=[{"description": "Online workshop", "price": "250.00", "tax_rate": "0.00",
                                    "tax_code": "AE"}])["invoices"][0]
    text = pdf_text(stack, shop, number)

    assert ("Reverse Charge: According to Article 194, 196 of Council Directive 2006/112/EEC, VAT liability rests "
            "with the service recipient.") in text
    assert "VAT-ID: DE136695976" in text and "Customer VAT ID: BE0477472701" in text


def test_a_hebrew_company_name_is_on_the_pdf(stack, shop):
    number = shop.order("conf", invoice_address={"company": 'חברה בע"מ', "city": "Tel Aviv", "country": "IL"})[
        "invoices"][0]
    text = pdf_text(stack, shop, number)
    assert "חברה" in text or "הרבח" in text


def test_chinese_japanese_and_korean_names_are_on_the_pdf(stack, shop):
    address = {"company": "株式会社テスト", "name": "山田太郎", "street": "서울특별시 중구 세종대로 110",
               "city": "北京市朝阳区", "country": "JP"}
    number = shop.order("conf", locale="en", invoice_address=address)["invoices"][0]
    stack.drain()
    reply = shop.api.get(shop.invoices_url("conf", number, "download"), shop.token)
    assert reply.status == 200, reply
    # pypdf's text of fpdf2's CFF font has a space or NUL between CJK glyphs (poppler reads them exactly).
    text = "".join(PdfReader(io.BytesIO(reply.raw)).pages[0].extract_text().replace("\x00", "").split())
    for value in address.values():
        assert "".join(value.split()) in text or value == "JP", value


EMOJI = "Contains characters the invoice cannot print: emoji (U+1F600)."


def test_text_no_invoice_font_draws_is_refused_where_it_enters(stack, shop):
    reply = shop.api.post(shop.url("events", "conf", "orders"), shop.token, body={
        "email": "a@b.example", "invoice_address": {"name": "Ana \U0001F600", "city": "Bangkok"},
        "positions": [{"description": "Ticket \U0001F600", "price": "1.00"}]})
    assert reply.status == 400, reply
    assert reply.body == {"invoice_address": {"name": [EMOJI]}, "positions": [{"description": [EMOJI]}]}

    code = shop.order("conf", invoice_address={"name": "Ana"})["code"]
    reply = shop.api.patch(shop.url("events", "conf", "orders", code), shop.token,
                           body={"invoice_address": {"city": "กรุงเทพ"}})
    assert reply.status == 400, reply
    assert reply.body == {"invoice_address": {"city": [
        "Contains characters the invoice cannot print: Thai (U+0E01, U+0E07, U+0E17 and 4 more)."]}}

    reply = shop.api.patch(shop.url("settings"), shop.token,
                           body={"invoice_footer_text": {"en": "Thanks", "de": "Danke \U0001F600"}})
    assert reply.status == 400, reply
    assert reply.body == {"invoice_footer_text": [EMOJI]}
