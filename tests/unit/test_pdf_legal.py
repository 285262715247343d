"""Legal wording on invoice PDFs: VAT notes from the lines' tax codes, cancellations, fee lines, line breaking.

Expected sentences are written out here from their sources (pretix's `TaxRule.invoice_text`, the CEF VATEX
code list, Directive 2006/112/EC), not taken from the code under test.
"""

from __future__ import annotations

import io
import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from invoicing.einvoice import Seller, build_ubl
from invoicing.einvoice.notes import exemption_text, legal_notes
from invoicing.pdf import UnprintableText, render_invoice
from invoicing.pdf.text import wrap
from tests.support import pdf_samples as samples

PRETIX_REVERSE_CHARGE = ("Reverse Charge: According to Article 194, 196 of Council Directive 2006/112/EEC, VAT "
                         "liability rests with the service recipient.")


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def zero_rated(code: str | None, tax_name: str = "") -> list[dict]:
    line = samples.line(1, "Conference ticket", "349.00", rate="0.00", tax_name=tax_name)
    line["tax_code"] = code
    return [line]


def belgian_business(**changes) -> dict:
    fields = {"invoice_to_company": "Umbrella BV", "invoice_to_country": "BE", "invoice_to_city": "Brussel",
              "invoice_to_zipcode": "1000", "invoice_to_vat_id": "BE0477472701", **changes}
    return samples.invoice(zero_rated("AE"), **fields)


def test_reverse_charge_invoice_prints_pretix_wording_and_both_vat_ids() -> None:
    text = text_of(render_invoice(belgian_business(), samples.internal()))

    assert PRETIX_REVERSE_CHARGE in text
    assert "VAT-ID: DE123456789" in text  # seller, sender block
    assert "Customer VAT ID: BE0477472701" in text


def test_reverse_charge_note_and_ubl_exemption_code_come_from_one_mapping() -> None:
    doc = belgian_business()
    seller = Seller.from_invoice(doc, samples.internal(), {})
    xml = ET.fromstring(build_ubl(doc, samples.internal(), seller))
    codes = {element.text for element in xml.iter() if element.tag.endswith("TaxExemptionReasonCode")}

    assert codes == {"VATEX-EU-AE"}
    assert legal_notes(doc) == [PRETIX_REVERSE_CHARGE]


def test_reverse_charge_outside_the_eu_uses_pretix_short_sentence() -> None:
    doc = belgian_business(invoice_to_country="CH", invoice_to_vat_id="CHE-116.281.710 MWST")
    assert legal_notes(doc) == ["VAT liability rests with the service recipient."]


@pytest.mark.parametrize(("code", "tax_name", "expected"), [
    ("K", "", "Tax-free intra-Community supply (Article 138 of Council Directive 2006/112/EC)."),
    ("G", "", "Tax-free export outside the EU (Article 146 of Council Directive 2006/112/EC)."),
    ("O", "", "Not subject to VAT."),
    ("E/VATEX-EU-132-1I", "", "Exempt based on article 132, section 1 (i) of Council Directive 2006/112/EC"),
    ("E/VATEX-EU-79-C", "", "Exempt based on article 79, point c of Council Directive 2006/112/EC"),
    ("E/VATEX-EU-148-A", "", "Exempt based on article 148, section (a) of Council Directive 2006/112/EC"),
    ("E", "Kleinunternehmer § 19 UStG", "Exempt from VAT: Kleinunternehmer § 19 UStG"),
])
def test_each_zero_rate_category_prints_its_note(code: str, tax_name: str, expected: str) -> None:
    doc = samples.invoice(zero_rated(code, tax_name), invoice_to_country="FR", invoice_to_vat_id="FR40303265045")
    assert expected in text_of(render_invoice(doc, samples.internal()))


def test_german_invoice_gets_german_notes_and_other_languages_english() -> None:
    german = belgian_business(locale="de")
    french = belgian_business(locale="fr")

    assert "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge): Gemäß Artikel 194, 196" in text_of(
        render_invoice(german, samples.internal()))
    assert PRETIX_REVERSE_CHARGE in text_of(render_invoice(french, samples.internal()))
    assert exemption_text("VATEX-EU-132-1I", "de") == (
        "Steuerbefreit gemäß Artikel 132 Absatz 1 Buchstabe i der Richtlinie 2006/112/EG des Rates")


def test_plain_taxed_and_uncoded_zero_rate_invoices_carry_no_note() -> None:
    assert legal_notes(samples.invoice()) == []
    assert legal_notes(samples.invoice(zero_rated(None))) == []


def test_outside_scope_mixed_with_taxed_lines_is_printed_as_the_xml_says_it() -> None:
    # O may not be mixed with other categories (BR-O-11): the XML turns it into E, and so does the note.
    taxed, donation = samples.line(1, "Ticket", "100.00"), zero_rated("O")[0]
    doc = samples.invoice([taxed, {**donation, "position": 2}])
    assert legal_notes(doc) == ["Exempt from VAT: Not subject to VAT"]


def test_cancellation_names_the_canceled_invoice_and_has_its_own_total_label() -> None:
    original = samples.invoice()
    text = text_of(render_invoice(samples.cancellation(original), samples.internal(refers_date="2026-11-21")))

    assert "This document cancels invoice SAMPLECONF-00010 of Nov 21, 2026." in text
    assert "Cancellation total" in text
    assert "Invoice total" not in text
    assert original["introductory_text"] not in text


def test_german_cancellation_reads_german() -> None:
    original = samples.invoice(locale="de")
    text = text_of(render_invoice(samples.cancellation(original), samples.internal(refers_date="2026-11-21")))

    assert "Dieses Dokument storniert die Rechnung SAMPLECONF-00010 vom 21.11.2026." in text
    assert "Stornobetrag" in text
    assert "Stornierung" in text


def test_footer_never_breaks_inside_an_iban_group() -> None:
    footer = ("Big Events GmbH · Musterstraße 1 · 10115 Berlin · Geschäftsführung Erika Mustermann · Amtsgericht "
              "Berlin-Charlottenburg HRB 123456 B · Sparkasse Berlin IBAN DE02 1203 0000 0000 2020 51 BIC BELADEBEXXX")
    pdf = render_invoice(samples.invoice(footer_text=footer), samples.internal())
    lines = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()

    assert any("DE02 1203 0000 0000 2020 51" in line for line in lines)


def test_wrap_breaks_at_spaces_only_and_keeps_iban_groups_together() -> None:
    width = len("DE02 1203 0000 0000 2020 51") + 2  # one character per unit
    found = wrap("Sparkasse Berlin IBAN DE02 1203 0000 0000 2020 51 BIC BELADEBEXXX", width, len)

    assert found == ["Sparkasse Berlin IBAN", "DE02 1203 0000 0000 2020 51", "BIC BELADEBEXXX"]
    assert all(re.fullmatch(r"[\w ]+", line) for line in found)
    assert wrap("Unbreakable longwordhere", 12, len) == ["Unbreakable", "longwordhere"]


@pytest.mark.parametrize(("field", "value"), [
    ("invoice_to_company", 'חברה בע"מ'),
    ("invoice_to_city", "القاهرة"),
    ("invoice_to_name", "Dana Cohen · דנה כהן"),
])
def test_hebrew_and_arabic_names_are_drawn_shaped_and_right_to_left(field, value) -> None:
    pdf = render_invoice(samples.invoice(**{field: value}), samples.internal())

    # pypdf reads the drawn glyphs back (Arabic in its presentation forms, which NFKC folds to the letters)
    text = unicodedata.normalize("NFKC", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    for word in re.findall(r"[\u0590-\u05FF]{2,}|[\u0600-\u06FF]{2,}", value):
        assert word in text or word[::-1] in text, word
    fonts = {str(font.get_object()["/BaseFont"]) for font in
             PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()}
    assert any("Heebo" in name or "NotoSansArabic" in name for name in fonts), fonts


def test_arabic_letters_are_joined_not_isolated() -> None:
    # القاهرة drawn with joining forms: ALEF isolated, LAM initial, QAF medial, ALEF final, HEH initial, REH final,
    # TEH MARBUTA isolated (Unicode Arabic Presentation Forms-B, read from the PDF's ToUnicode map).
    pdf = render_invoice(samples.invoice(invoice_to_city="القاهرة"), samples.internal())
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    forms = {"\uFE8D", "\uFEDF", "\uFED8", "\uFE8E", "\uFEEB", "\uFEAE", "\uFE93"}
    assert forms <= set(text)


def test_latin_invoices_load_no_script_font() -> None:
    pdf = render_invoice(samples.invoice(), samples.internal())
    fonts = {str(font.get_object()["/BaseFont"]) for font in
             PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()}
    assert all("OpenSans" in name for name in fonts), fonts


@pytest.mark.parametrize(("value", "script"), [
    ("ไทย", "Thai (3 characters)"),
    ("Ana \U0001F600\U0001F389", "emoji (2 characters)"),
    ("\u1200\u1208", "Ethiopic (2 characters)"),
])
def test_a_name_in_a_script_without_font_fails_the_render_instead_of_disappearing(value, script) -> None:
    with pytest.raises(UnprintableText, match=re.escape(script)) as failed:
        render_invoice(samples.invoice(invoice_to_name=value), samples.internal())
    assert value not in str(failed.value)  # the reason names the script, never the personal data
