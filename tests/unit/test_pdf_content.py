"""What the invoice PDF says, before drawing: merged rows, tax summary, amounts and layout bounds."""

from __future__ import annotations

from decimal import Decimal

from invoicing.pdf import content, fonts, layout
from invoicing.pdf.format import Formatter
from invoicing.pdf.text import lines, wrap
from tests.support import pdf_samples as samples


def build(doc: dict, internal: dict | None = None) -> content.InvoiceContent:
    return content.build(doc, internal or samples.internal(), Formatter(doc["locale"], "EUR", "Europe/Berlin"))


def test_only_consecutive_identical_lines_merge_like_pretix() -> None:
    ticket = samples.line(1, "Ticket", "10.00")
    doc = samples.invoice([ticket, {**ticket, "position": 2}, samples.line(3, "Dinner", "5.00"), {**ticket, "position": 4}])

    rows = build(doc).rows

    assert [(row.description, row.quantity) for row in rows] == [("Ticket", "2"), ("Dinner", "1"), ("Ticket", "1")]
    assert rows[0].gross == "€20.00"
    assert rows[0].details == ("Single price: €8.40 net / €10.00 gross",)


def test_tax_summary_omits_zero_rate_rows_without_amount_and_adds_a_total_for_several_rates() -> None:
    doc = samples.invoice([samples.line(1, "Ticket", "119.00"), samples.line(2, "Book", "10.70", "7.00"),
                           samples.line(3, "Free add-on", "0.00", "0.00", "")])

    view = build(doc)

    assert [row.rate for row in view.tax_rows] == ["19 % VAT", "7 % VAT", "Total"]
    assert view.tax_rows[-1] == content.TaxRow("Total", "€110.00", "€129.70", "€19.70")


def test_lines_without_tax_give_no_tax_columns_and_no_summary() -> None:
    view = build(samples.invoice([samples.line(1, "Ticket", "23.00", "0.00", "")]))

    assert not view.has_taxes
    assert view.headers == ("Description", "Qty", "Amount")
    assert view.tax_rows == []


def test_rows_show_their_period_only_when_lines_differ() -> None:
    same = build(samples.invoice(samples.attendee_lines(2)))
    other = samples.line(2, "Workshop", "10.00", start="2027-07-01T08:00:00Z", end="2027-07-01T16:00:00Z")
    differ = build(samples.invoice([samples.line(1, "Ticket", "10.00"), other]))

    assert all(len(row.details) == 1 for row in same.rows)
    assert differ.rows[1].details == ("Jul 1, 2027",)
    assert differ.rows[0].details == ("Jun 14, 2027 \u2013 Jun 16, 2027",)


def test_stored_text_lines_drop_tags_and_decode_entities() -> None:
    assert lines("A &amp; B<br />C<br>D\n<b>E</b>") == ["A & B", "C", "D", "E"]


def test_wrap_breaks_at_spaces_and_inside_overlong_words() -> None:
    def measure(text: str) -> float:
        return float(len(text))

    assert wrap("aa bb cc", 5, measure) == ["aa bb", "cc"]
    assert wrap("abcdefgh", 3, measure) == ["abc", "def", "gh"]


def test_currency_symbols_missing_from_the_font_are_written_as_codes() -> None:
    formatter = Formatter("en", "INR", printable=fonts.shared_fonts()[""].has_glyphs)

    assert formatter.money(Decimal("1234.50")) == "INR\xa01,234.50"


def test_long_names_and_descriptions_stay_inside_the_margins() -> None:
    long = "Verein zur Förderung der außerordentlich langen Firmennamen und Bezeichnungen eingetragener Verein"
    doc = samples.invoice([samples.line(1, long * 2 + "<br />Attendee: " + long, "10.00")], invoice_to_company=long,
                          invoice_from_name=long, invoice_from=long, number="A-VERY-LONG-PREFIX-2026-000000012345")
    shared = fonts.shared_fonts()

    pages = layout.layout(build(doc), shared)

    for page in pages:
        for op in page.ops:
            if op[0] == "text":
                _, style, size, _, x, y, text = op
                assert x >= layout.LEFT - 0.01 and x + shared[style].width(text, size) <= layout.RIGHT + 0.01, text
                assert 0 < y < layout.PAGE_HEIGHT
