"""The invoice PDF as a reader sees it: text extracted with pypdf, page count, metadata, size, determinism."""

# ruff: noqa: RUF001, RUF003 - Greek, Cyrillic and Turkish letters and typographic signs are the test data

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from invoicing.pdf import UnprintableText, render_invoice
from tests.support import pdf_samples as samples


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def invoice_pdf() -> bytes:
    return render_invoice(samples.invoice(), samples.internal())


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return render_invoice(samples.invoice(samples.attendee_lines(190)), samples.internal())


def test_invoice_shows_number_dates_recipient_lines_and_totals(invoice_pdf: bytes) -> None:
    [text] = pages_text(invoice_pdf)

    for expected in ("SAMPLECONF-00010", "Invoice date", "Nov 21, 2026", "SAMPLECONF-JUYUF", "Order code",
                     "(Please quote at all times.)", "Umbrella Consulting", "Lukas Hoffmann", "Gartenweg 92",
                     "04109 Leipzig", "Big Events GmbH · Musterstraße 1 · 10115 Berlin · Germany",
                     "VAT-ID: DE123456789", "Tax ID: 27/123/45678", "Customer VAT ID: DE671965507",
                     "Customer reference: PO-2026-4711", "Sample Conference 2027", "June 14, 2027",
                     "until June 16, 2027", "Thank you for registering for Sample Conference 2027."):
        assert expected in text, expected
    for line in samples.invoice()["lines"]:
        first, attendee = line["description"].split("<br />")
        assert f"{first} 1 " in text
        assert attendee in text
    assert "<br" not in text
    # Totals: 5 × 349/149 (19 %) and 3 × 89 (7 %); net and gross in the total row, tax in the summary.
    assert "Invoice total €1,421.83 €1,672.00" in text
    assert "19 % VAT €1,255.47 €1,494.00 €238.53" in text
    assert "7 % VAT €166.36 €178.00 €11.64" in text
    assert "Total €1,421.83 €1,672.00 €250.17" in text
    assert "Description Qty Tax rate Net Gross" in text
    assert "paid" in text
    assert "Big Events GmbH · Amtsgericht Berlin HRB 12345 · IBAN DE02 1203 0000 0000 2020 51" in text
    assert "Page 1 of 1" in text


def test_title_creator_and_creation_date_metadata(invoice_pdf: bytes) -> None:
    metadata = PdfReader(io.BytesIO(invoice_pdf)).metadata

    assert metadata.title == "Invoice SAMPLECONF-00010"
    assert metadata.creator == "invoicing"
    assert metadata["/CreationDate"].startswith("D:20261121")


FONTS = Path(render_invoice.__code__.co_filename).resolve().parent / "fonts"


def _embedded_fonts(pdf: bytes) -> dict[str, int]:
    """Base font name -> size of the embedded TrueType program, for every font the pages use."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            program = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object()
            found[str(font["/BaseFont"])] = len(program.get_data())
    return found


def test_the_invoice_embeds_its_two_fonts_as_subsets(invoice_pdf: bytes) -> None:
    fonts = _embedded_fonts(invoice_pdf)

    # PDF 32000-1 9.6.4: a subset font's name is six upper-case letters, "+", then the font's own name.
    assert len(fonts) == 2  # regular and bold
    assert all(re.fullmatch(r"/[A-Z]{6}\+OpenSans.*", name) for name in fonts), fonts
    smallest_font_file = min((FONTS / name).stat().st_size for name in ("OpenSans-Regular.ttf", "OpenSans-Bold.ttf"))
    for name, size in fonts.items():
        assert size < smallest_font_file / 2, name  # a subset: the glyphs used, not the whole font


def test_long_invoice_numbers_every_page_and_repeats_the_table_header(long_pdf: bytes) -> None:
    texts = pages_text(long_pdf)

    assert len(texts) >= 5
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
    for text in texts[1:-1]:
        assert "Description Qty Tax rate Net Gross" in text
    every_text = "\n".join(texts)
    for line in samples.attendee_lines(190):
        assert line["description"].split("<br />")[1] + "\n" in every_text
    assert "Invoice total" in texts[-1]


def test_same_input_gives_identical_bytes_even_after_other_invoices(invoice_pdf: bytes) -> None:
    # Given another invoice with other glyphs rendered in between (the font cache is shared per process)
    other = samples.invoice(samples.attendee_lines(3), locale="de", invoice_to_name="Ζωή Παπαδοπούλου")
    render_invoice(other, samples.internal(testmode=True))

    assert render_invoice(samples.invoice(), samples.internal()) == invoice_pdf


def test_cancellation_shows_original_invoice_and_cancellation_labels() -> None:
    original = samples.invoice()
    pdf = render_invoice(samples.cancellation(original), samples.internal(refers_date="2026-11-21"))
    [text] = pages_text(pdf)

    for expected in ("Cancellation number", "SAMPLECONF-00011", "Original invoice", "SAMPLECONF-00010",
                     "Cancellation date", "Dec 2, 2026", "Original invoice date", "Nov 21, 2026",
                     "Cancellation total -€1,421.83 -€1,672.00"):
        assert expected in text, expected
    assert "\nCancellation\n" in text
    assert "Invoice number" not in text
    assert "paid" not in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Invoice SAMPLECONF-00011"


def test_cancellation_without_original_date_still_renders() -> None:
    pdf = render_invoice(samples.cancellation(samples.invoice()), samples.internal())

    assert "Original invoice date" in pages_text(pdf)[0]


def test_identical_lines_are_merged_with_quantity_and_single_price() -> None:
    lines = [samples.line(index, "Conference ticket", "349.00") for index in range(1, 4)]
    lines.append(samples.line(4, "Conference dinner", "89.00", "7.00"))
    [text] = pages_text(render_invoice(samples.invoice(lines), samples.internal()))

    assert "Conference ticket 3 19 % €879.84 €1,047.00" in text
    assert "Single price: €293.28 net / €349.00 gross" in text
    assert "Conference dinner 1 7 % €83.18 €89.00" in text
    assert text.count("Single price") == 1


def test_invoice_without_tax_uses_the_three_column_table() -> None:
    lines = [samples.line(index, "Budget Ticket<br />Attendee: Peter", "23.00", "0.00", "") for index in (1, 2)]
    [text] = pages_text(render_invoice(samples.invoice(lines), samples.internal()))

    assert "Description Qty Amount" in text
    assert "Tax rate" not in text
    assert "Budget Ticket 2 €46.00" in text
    assert "Single price: €23.00" in text
    assert "Included taxes" not in text


def test_non_latin_names_and_descriptions_render_exactly() -> None:
    names = ["Ζωή Παπαδοπούλου", "Дмитрий Иванов", "Jiří Dvořák", "Łukasz Żółkiewski", "Ağrı Şahin İşçi",
             "Ödön Győző Hajnal", "Ștefan Țurcanu"]
    lines = [samples.line(index, f"Konferenční vstupenka – Εισιτήριο<br />Attendee: {name}", "100.00")
             for index, name in enumerate(names, start=1)]
    doc = samples.invoice(lines, invoice_to_company="ООО «Ромашка»", invoice_to_name="Ζωή Παπαδοπούλου",
                          invoice_to_street="ulica Świętokrzyska 5", invoice_to_city="Łódź",
                          introductory_text="Děkujeme — „Dziękujemy“ … Teşekkürler")
    text = "\n".join(pages_text(render_invoice(doc, samples.internal())))

    for name in names:
        assert f"Attendee: {name}" in text
    for expected in ("Konferenční vstupenka – Εισιτήριο", "ООО «Ромашка»", "ulica Świętokrzyska 5", "Łódź",
                     "Děkujeme — „Dziękujemy“ … Teşekkürler"):
        assert expected in text


def test_german_invoice_uses_german_labels_dates_and_amounts() -> None:
    doc = samples.invoice(locale="de")
    [text] = pages_text(render_invoice(doc, samples.internal()))

    for expected in ("Rechnungsnummer", "Rechnungsdatum", "21.11.2026", "Bestellnummer", "Beschreibung",
                     "Steuersatz", "Netto", "Brutto", "Gesamtbetrag 1.421,83\xa0€ 1.672,00\xa0€",
                     "19 % VAT 1.255,47\xa0€ 1.494,00\xa0€ 238,53\xa0€", "Enthaltene Steuern", "Seite 1 von 1",
                     "USt-IdNr.: DE123456789", "Deutschland", "14. Juni 2027"):
        assert expected in text, expected
    assert "Invoice total" not in text


def test_test_mode_orders_are_marked() -> None:
    [test_text] = pages_text(render_invoice(samples.invoice(), samples.internal(testmode=True)))

    assert "TEST MODE" in test_text


def test_foreign_currency_block_converts_the_tax_summary() -> None:
    doc = samples.invoice(samples.attendee_lines(3), foreign_currency_display="PLN", foreign_currency_rate="4.2408",
                          foreign_currency_rate_date="2026-11-20")
    text = "\n".join(pages_text(render_invoice(doc, samples.internal())))
    # By hand: 19 % lines 349.00 + 149.00 = 498.00 gross, tax 55.72 + 23.79 = 79.51, net 418.49; at 4.2408:
    # net 1,774.732392 -> 1,774.73, gross 2,111.9184 -> 2,111.92, tax 337.186008 -> 337.19.
    assert ("Using the conversion rate of 1:4.2408 as published by the European Central Bank on Nov 20, 2026, "
            "this corresponds to:") in text.replace("\n", " ")
    assert "19 % VAT PLN\xa01,774.73 PLN\xa02,111.92 PLN\xa0337.19" in text


def test_foreign_currency_without_taxes_is_one_sentence() -> None:
    lines = [samples.line(1, "Budget Ticket", "23.00", "0.00", "")]
    doc = samples.invoice(lines, foreign_currency_display="CZK", foreign_currency_rate="25.0000",
                          foreign_currency_rate_date="2026-11-20")
    [text] = pages_text(render_invoice(doc, samples.internal()))

    assert "the invoice total corresponds to CZK\xa0575.00." in text.replace("\n", " ")


def test_text_fields_break_at_br_and_decode_entities() -> None:
    doc = samples.invoice(samples.attendee_lines(3),
                          additional_text="Reverse charge &amp; exempt<br />Second line<br/>Third &lt;3",
                          payment_provider_text="Please transfer the amount.<br />IBAN: DE02 1203",
                          footer_text="Line one\nLine two")
    [text] = pages_text(render_invoice(doc, samples.internal()))

    assert "Reverse charge & exempt\nSecond line\nThird <3" in text
    assert "Please transfer the amount.\nIBAN: DE02 1203" in text
    assert "Line one" in text and "Line two" in text
    assert "&amp;" not in text and "<br" not in text


def test_characters_no_font_can_draw_fail_the_render_naming_the_script_never_the_text() -> None:
    doc = samples.invoice()
    doc["invoice_to_name"] = "สมชาย"

    with pytest.raises(UnprintableText) as failed:
        render_invoice(doc, samples.internal())

    assert "Thai (5 characters)" in str(failed.value)
    assert "ส" not in str(failed.value)
