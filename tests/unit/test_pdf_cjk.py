"""Chinese (simplified, traditional), Japanese and Korean names and addresses on the PDF, in Noto Sans CJK: the
region's glyph forms chosen by the invoice language (or kana / Hangul in the text), the font subset small."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from invoicing.pdf import fonts, render_invoice
from tests.support import pdf_samples as samples


def read(pdf: bytes) -> tuple[str, set[str], int]:
    """Page text without white space, font names, bytes of the CJK font program.

    pypdf's text of fpdf2's CFF font (with its code-to-CID CMap) has a space or NUL between CJK glyphs (poppler's
    pdftotext reads "山田" exactly), so both are dropped before comparing."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    names, cjk_bytes = set(), 0
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        names.add(str(font["/BaseFont"]).split("+")[-1])
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        if "CJK" in str(font["/BaseFont"]):
            cjk_bytes = len(descriptor["/FontFile3"].get_object().get_data())
    return "".join(page.extract_text().replace("\x00", "").split()), names, cjk_bytes


@pytest.mark.parametrize(("locale", "address", "font"), [
    ("zh", {"invoice_to_company": "北京测试有限公司", "invoice_to_name": "王小明", "invoice_to_city": "北京市朝阳区"},
     "NotoSansCJKSC"),
    ("zh_TW", {"invoice_to_company": "臺灣測試股份有限公司", "invoice_to_name": "陳大文", "invoice_to_city": "臺北市"},
     "NotoSansCJKTC"),
    ("ja", {"invoice_to_company": "株式会社テスト", "invoice_to_name": "山田太郎", "invoice_to_city": "東京都千代田区"},
     "NotoSansCJKJP"),
    ("ko", {"invoice_to_company": "주식회사 테스트", "invoice_to_name": "김민준", "invoice_to_city": "서울특별시"},
     "NotoSansCJKKR"),
])
def test_names_and_addresses_in_each_cjk_script_are_on_the_pdf(locale, address, font) -> None:
    doc = samples.invoice(**address)
    doc["locale"] = locale
    text, names, cjk_bytes = read(render_invoice(doc, samples.internal()))

    for value in address.values():
        assert "".join(value.split()) in text, value
    assert font in names
    assert 0 < cjk_bytes < 40_000  # a subset of the used glyphs, not the 19 MB collection


@pytest.mark.parametrize(("texts", "region"), [
    (["株式会社テスト"], "jp"), (["서울"], "kr"), (["北京"], "sc"), (["Tel Aviv"], "sc")])
def test_without_a_cjk_language_kana_means_japanese_and_hangul_korean(texts, region) -> None:
    assert fonts.cjk_region("en", texts) == region
    assert fonts.cjk_region("de_DE", texts) == region


@pytest.mark.parametrize(("locale", "region"), [
    ("ja", "jp"), ("ko_KR", "kr"), ("zh-Hans", "sc"), ("zh_TW", "tc"), ("zh-Hant", "tc"), ("zh_HK", "hk")])
def test_the_invoice_language_picks_the_region(locale, region) -> None:
    assert fonts.cjk_region(locale, ["株式会社テスト", "서울"]) == region


def test_cjk_mixed_with_hebrew_arabic_and_latin_in_one_document() -> None:
    doc = samples.invoice(invoice_to_company="Acme 山田 GmbH", invoice_to_name='חברה בע"מ', invoice_to_city="القاهرة")
    text, names, _ = read(render_invoice(doc, samples.internal()))

    assert "Acme山田GmbH" in text
    assert {"OpenSans", "NotoSansCJKSC"} <= names and any("Heebo" in name for name in names)


@pytest.mark.parametrize("locale", ["th", "hi", "am", "my"])
def test_a_language_whose_dates_no_font_draws_gets_english_dates_instead_of_failing(locale) -> None:
    # babel writes Thai, Devanagari, Ethiopic and Myanmar month names for these: the order's locale is accepted by
    # the API, so the invoice must render; its dates are then English like its labels.
    doc = samples.invoice()
    doc["locale"] = locale
    text, names, _ = read(render_invoice(doc, samples.internal()))
    assert "Invoicedate" in text and "June14,2027" in text
    assert names == {"OpenSans", "OpenSansBold"}


def test_a_japanese_invoice_has_japanese_dates() -> None:
    doc = samples.invoice()
    doc["locale"] = "ja"
    text, names, _ = read(render_invoice(doc, samples.internal()))
    assert "2027年6月14日" in text and "NotoSansCJKJP" in names
