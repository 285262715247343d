"""What the invoice can print: the coverage file matches the fonts, the validators and the renderer agree on every
kind of text, and text no font draws is a field error that names the field, the kind of character and its code."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import ValidationError

from invoicing import printable
from invoicing.billing.parties import OrganizerBilling
from invoicing.events import EventCreate
from invoicing.orders.models import OrderCreate, OrderPatch
from invoicing.pdf import UnprintableText, coverage, fonts, render_invoice
from invoicing.platform import PlatformSettings
from invoicing.settings import InvoiceSettings
from tests.support import pdf_samples as samples
from tests.unit.test_architecture import HEAVY, breaks, imported_modules

EMOJI_NAME = "Contains characters the invoice cannot print: emoji (U+1F600)."


def test_the_coverage_file_is_what_the_installed_fonts_draw() -> None:
    # Rebuilt from the font files (Open Sans, Heebo, Noto Sans Arabic, every region of Noto Sans CJK): a font
    # package update without `make font-coverage` fails here.
    assert json.loads(printable.DATA.read_text(encoding="utf-8")) == coverage.data()


def test_the_coverage_module_needs_neither_fpdf_nor_fonttools() -> None:
    modules = imported_modules(printable.DATA.with_suffix(".py"))
    assert [module for module in modules if breaks(module, HEAVY)] == []


def test_coverage_ranges_are_merged_runs() -> None:
    assert coverage.ranges([5, 1, 2, 3, 9, 10]) == [[1, 3], [5, 5], [9, 10]]


@pytest.mark.parametrize(("char", "font"), [
    ("A", "opensans"), ("ß", "opensans"), ("Ж", "opensans"), ("Ω", "opensans"), ("א", "heebo"), ("ق", "notoarabic"),
    ("山", "notocjk"), ("テ", "notocjk"), ("한", "notocjk"), ("😀", None),
])
def test_each_character_goes_to_the_first_font_that_draws_it(char, font) -> None:
    assert printable.font_for(char) == font


@pytest.mark.parametrize(("text", "message"), [
    ("Ana 😀", EMOJI_NAME),
    # Code points ascending: ช U+0E0A, ม U+0E21, ย U+0E22, ส U+0E2A, า U+0E32.
    ("สมชาย", "Contains characters the invoice cannot print: Thai (U+0E0A, U+0E21, U+0E22 and 2 more)."),
    ("\ue000 \u1200", "Contains characters the invoice cannot print: Ethiopic (U+1200); private-use character (U+E000)."),
])
def test_the_message_names_each_kind_of_character_and_its_code_points(text, message) -> None:
    assert printable.problem([text]) == message


@pytest.mark.parametrize("text", ["Müller", "Ελένη", "Иван", 'חברה בע"מ', "القاهرة", "北京测试有限公司", "株式会社テスト",
                                  "서울특별시", "臺北市", "A\u200fB\u00a0C\ufe0f", "Ana 😀", "สมชาย", "\u1200", "\ue000"])
def test_the_validators_and_the_renderer_agree(text) -> None:
    accepted = printable.problem([text]) is None
    doc = samples.invoice(invoice_to_name=text)
    if accepted:
        assert render_invoice(doc, samples.internal())[:5] == b"%PDF-"
    else:
        with pytest.raises(UnprintableText, match="the invoice fonts cannot draw text in"):
            render_invoice(doc, samples.internal())


def test_a_missing_font_package_fails_the_render_naming_the_script(monkeypatch) -> None:
    monkeypatch.setitem(fonts.SCRIPT_PACKAGES, "notocjk", "not_installed_package")
    fonts.script_font.cache_clear()
    try:
        with pytest.raises(UnprintableText, match=re.escape("CJK (Chinese, Japanese, Korean) (2 characters)")):
            render_invoice(samples.invoice(invoice_to_name="山田"), samples.internal())
    finally:
        fonts.script_font.cache_clear()


def errors(model, body) -> dict:
    with pytest.raises(ValidationError) as failed:
        model.model_validate(body)
    return {tuple(error["loc"]): error["msg"].removeprefix("Value error, ") for error in failed.value.errors()}


ORDER = {"positions": [{"description": "Ticket", "price": "10.00"}]}


def test_orders_refuse_unprintable_names_addresses_and_descriptions() -> None:
    found = errors(OrderCreate, {
        "invoice_address": {"name": "Ana 😀", "street": "Main St 1\nFlat 😀", "city": "北京"},
        "positions": [{"description": "Ticket 😀", "price": "10.00", "attendee_name": "Bo 😀"}],
        "fees": [{"fee_type": "service", "description": "Fee 😀", "value": "1.00"}],
        "payment_provider_text": {"en": "Pay 😀"}})
    assert found == {("invoice_address", "name"): EMOJI_NAME, ("invoice_address", "street"): EMOJI_NAME,
                     ("positions", 0, "description"): EMOJI_NAME, ("positions", 0, "attendee_name"): EMOJI_NAME,
                     ("fees", 0, "description"): EMOJI_NAME, ("payment_provider_text",): EMOJI_NAME}
    assert errors(OrderPatch, {"invoice_address": {"company": "Acme 😀"}}) == {
        ("invoice_address", "company"): EMOJI_NAME}


def test_every_script_with_a_font_is_accepted() -> None:
    address = {"company": "北京测试有限公司", "name": "山田太郎 テスト", "street": "서울특별시 중구", "city": "臺北市",
               "state": "القاهرة", "zipcode": 'חברה'}
    order = OrderCreate.model_validate({**ORDER, "invoice_address": address})
    assert order.invoice_address.company == "北京测试有限公司"


def test_settings_events_platform_and_billing_parties_refuse_unprintable_text() -> None:
    assert errors(InvoiceSettings, {"invoice_introductory_text": {"en": "Hi", "de": "Hallo 😀"},
                                    "invoice_address_from_name": "Big 😀"}) == {
        ("invoice_introductory_text",): EMOJI_NAME, ("invoice_address_from_name",): EMOJI_NAME}
    assert errors(EventCreate, {"name": {"en": "Conf 😀"}, "slug": "conf", "date_from": "2027-01-01T10:00:00Z"})[
        ("name",)] == EMOJI_NAME
    assert errors(PlatformSettings, {"address": "Road 😀"}) == {("address",): EMOJI_NAME}
    assert errors(OrganizerBilling, {"billing_company": "Acme 😀", "billing_street": "Road 1\nFlat 😀"}) == {
        ("billing_company",): EMOJI_NAME, ("billing_street",): EMOJI_NAME}


def test_french_amounts_keep_their_narrow_no_break_space() -> None:
    # babel groups French digits with U+202F, which Open Sans lacks: drawn with its thin space (U+2009) and read
    # back as U+202F instead of being left out ("1421,83 €").
    import io

    from pypdf import PdfReader

    doc = samples.invoice()
    doc["locale"] = "fr"
    text = PdfReader(io.BytesIO(render_invoice(doc, samples.internal()))).pages[0].extract_text()
    assert "1\u202f672,00\u00a0€" in text
    assert printable.problem(["Jean\u202fDupont"]) is None and printable.font_for("\u202f") == "opensans"
