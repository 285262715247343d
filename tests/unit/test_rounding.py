"""Half-up rounding at exact halves, as pretix rounds (Python's ROUND_HALF_UP: halves away from zero).

Every case below is an exact half in the currency's last place, so ROUND_HALF_EVEN, ROUND_HALF_DOWN,
ROUND_DOWN or ROUND_CEILING give a different answer. The expected values are hand calculations (in the
comments), not the code's formula run again.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing.billing.models import BillingCreate
from invoicing.einvoice.amounts import UnsupportedCurrency, compute
from invoicing.money import decimals_of, format_amount, format_rate, parse_decimal, places, quantize
from invoicing.pdf import content
from invoicing.pdf.format import Formatter
from invoicing.tax import included_tax
from tests.support import pdf_samples as samples

D = Decimal


@pytest.mark.parametrize(("amount", "currency", "expected"), [
    ("0.125", "EUR", "0.13"),     # exponent 2: half-even would give 0.12
    ("-0.125", "EUR", "-0.13"),   # negative: away from zero (ceiling would give -0.12)
    ("0.135", "EUR", "0.14"),
    ("0.124", "EUR", "0.12"),     # below the half: down (ROUND_UP would give 0.13)
    ("2.5", "JPY", "3"),          # exponent 0: half-even would give 2
    ("-2.5", "JPY", "-3"),
    ("3.5", "JPY", "4"),
    ("1.0005", "KWD", "1.001"),   # exponent 3: half-even would give 1.000
    ("-1.0005", "KWD", "-1.001"),
    ("0.00005", "CLF", "0.0001"),  # exponent 4
])
def test_money_is_quantized_half_up_away_from_zero(amount, currency, expected):
    assert quantize(D(amount), currency) == D(expected)
    assert str(quantize(D(amount), currency)) == expected
    assert format_amount(D(amount), currency) == expected


def test_a_negative_amount_that_rounds_to_zero_is_shown_without_sign():
    assert format_amount(D("-0.004"), "EUR") == "0.00"
    assert format_amount(D("-0.4"), "JPY") == "0"


@pytest.mark.parametrize(("rate", "expected"), [("7.125", "7.13"), ("19", "19.00"), ("0.005", "0.01"), ("2.5", "2.50")])
def test_tax_rates_are_shown_with_two_decimals_half_up(rate, expected):
    assert format_rate(D(rate)) == expected


@pytest.mark.parametrize(("gross", "rate", "currency", "expected"), [
    # 20 % included in a gross amount is gross / 6.
    ("0.15", "20", "EUR", "0.03"),     # 0.15 / 6 = 0.025 -> 0.03
    ("-0.15", "20", "EUR", "-0.03"),   # a cancellation line: -0.025 -> -0.03
    ("10.35", "20", "EUR", "1.73"),    # 10.35 / 6 = 1.725 -> 1.73
    ("15", "20", "JPY", "3"),          # 15 / 6 = 2.5 -> 3
    ("-15", "20", "JPY", "-3"),
    ("0.015", "20", "KWD", "0.003"),   # 0.015 / 6 = 0.0025 -> 0.003
    ("23.00", "19", "EUR", "3.67"),    # 23 * 19 / 119 = 3.6722... -> 3.67
    ("23.00", "0", "EUR", "0.00"),
    ("23", "0", "JPY", "0"),
])
def test_included_line_tax_is_rounded_half_up(gross, rate, currency, expected):
    assert str(included_tax(D(gross), D(rate), currency)) == expected


@pytest.mark.parametrize(("currency", "net", "rate", "tax", "gross"), [
    ("EUR", "10.25", "10.00", "1.03", "11.28"),     # 10.25 * 10 % = 1.025 -> 1.03
    ("EUR", "-10.25", "10.00", "-1.03", "-11.28"),  # a credit line: -1.025 -> -1.03
    ("JPY", "25", "10.00", "3", "28"),              # 2.5 -> 3
    ("KWD", "1.025", "10.00", "0.103", "1.128"),    # 0.1025 -> 0.103
    ("EUR", "0.50", "25.00", "0.13", "0.63"),       # 0.125 -> 0.13
])
def test_billing_lines_round_their_tax_half_up(currency, net, rate, tax, gross):
    lines = [{"description": "Fee", "net": net, "tax_rate": rate}, {"description": "Other fee", "net": "100", "tax_rate": "0"}]
    invoice = BillingCreate.model_validate({"organizer": "acme", "currency": currency, "lines": lines})

    first = invoice.computed_lines()[0]

    assert (first["net"], first["tax"], first["gross"]) == (net, tax, gross)


def _line(position: int, gross: str, tax: str) -> dict:
    return {**samples.line(position, f"Item {position}", "1.00", "20.00"), "gross_value": gross, "tax_value": tax}


def test_einvoice_group_net_is_rounded_half_up_in_cents():
    # Two lines at 20 % with pretix's own line taxes: 0.09 -> 0.015 -> 0.02, 0.06 -> 0.01 -> 0.01.
    # Group: 0.15 gross, net 0.15 / 1.2 = 0.125 -> 0.13 (half-even: 0.12), so one cent moves from
    # tax to net on the larger line.
    amounts = compute([_line(1, "0.09", "0.02"), _line(2, "0.06", "0.01")], "EUR")

    (group,) = amounts.groups
    assert (group.taxable, group.tax) == (D("0.13"), D("0.02"))
    assert [(line.net, line.tax) for line in amounts.lines] == [(D("0.08"), D("0.01")), (D("0.05"), D("0.01"))]
    assert (amounts.net_total, amounts.tax_total, amounts.gross_total) == (D("0.13"), D("0.02"), D("0.15"))


def test_einvoice_group_net_is_rounded_half_up_without_decimals_and_for_cancellations():
    # JPY: 9 -> 1.5 -> 2 tax, 6 -> 1 tax; net 7 + 5 = 12, but 15 / 1.2 = 12.5 -> 13.
    yen = compute([_line(1, "9", "2"), _line(2, "6", "1")], "JPY")
    assert (yen.groups[0].taxable, yen.groups[0].tax) == (D("13"), D("2"))
    # A cancellation (negative lines, flipped to positive by `negate`) gets the same figures.
    cancelled = compute([_line(1, "-0.09", "-0.02"), _line(2, "-0.06", "-0.01")], "EUR", negate=True)
    assert (cancelled.groups[0].taxable, cancelled.groups[0].tax) == (D("0.13"), D("0.02"))
    # Without negate the negative group keeps its sign, rounded away from zero: -0.125 -> -0.13.
    negative = compute([_line(1, "-0.09", "-0.02"), _line(2, "-0.06", "-0.01")], "EUR")
    assert (negative.groups[0].taxable, negative.groups[0].tax) == (D("-0.13"), D("-0.02"))


def test_einvoice_refuses_three_decimal_currencies():
    with pytest.raises(UnsupportedCurrency, match="KWD has 3 decimals"):
        compute([_line(1, "1.000", "0.167")], "KWD")


@pytest.mark.parametrize(("gross", "expected"), [("10.25", "PLN\xa046.13"), ("-10.25", "-PLN\xa046.13")])
def test_totals_in_the_foreign_currency_are_rounded_half_up(gross, expected):
    # 10.25 EUR x 4.5 = 46.125 PLN -> 46.13 (half-even: 46.12); a cancellation: -46.125 -> -46.13.
    doc = samples.invoice([samples.line(1, "Ticket", gross, "0.00", "")], foreign_currency_display="PLN",
                          foreign_currency_rate="4.5", foreign_currency_rate_date="2026-11-20")

    view = content.build(doc, samples.internal(), Formatter("en", "EUR", "Europe/Berlin"))

    assert expected in view.foreign_text, view.foreign_text


@pytest.mark.parametrize(("currency", "amount", "expected"), [
    ("EUR", "0.125", "€0.13"), ("EUR", "-0.125", "-€0.13"), ("JPY", "2.5", "¥3"), ("KWD", "0.0005", "KWD\xa00.001")])
def test_pdf_amounts_are_printed_half_up(currency, amount, expected):
    assert Formatter("en", currency, "Europe/Berlin").money(D(amount)) == expected


# ISO 4217 minor units of the currencies whose exponent is not 2 (the ISO list, not the code's table).
ISO_4217_MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0,
    "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
    "EUR": 2, "USD": 2, "CHF": 2, "GBP": 2, "PLN": 2,
}


@pytest.mark.parametrize(("currency", "exponent"), sorted(ISO_4217_MINOR_UNITS.items()))
def test_each_currency_is_quantized_to_its_iso_4217_minor_unit(currency, exponent):
    assert places(currency) == exponent
    assert places(currency.lower()) == exponent
    assert format_amount(D("1"), currency) == ("1." + "0" * exponent if exponent else "1")


@pytest.mark.parametrize(("value", "expected"), [
    (" 1.50 ", D("1.50")), (3, D("3")), (1.5, D("1.5")), ("-0.125", D("-0.125")), ("1E+2", D("1E+2")), (D("7.10"), D("7.10"))])
def test_numbers_are_parsed_exactly(value, expected):
    parsed = parse_decimal(value)
    assert parsed == expected and str(parsed) == str(expected)


@pytest.mark.parametrize("value", [True, False, None, "", "abc", "1,5", "NaN", "Infinity", "-inf", "sNaN", [1]])
def test_anything_but_a_finite_number_is_refused(value):
    with pytest.raises(ValueError, match=r"^A valid number is required\.$"):
        parse_decimal(value)


@pytest.mark.parametrize(("value", "expected"), [("1.50", 1), ("1.05", 2), ("100", 0), ("0.001", 3), ("1E-5", 5),
                                                 ("-2.500", 1), ("0", 0), ("1E+3", 0)])
def test_decimal_places_ignore_trailing_zeros(value, expected):
    assert decimals_of(D(value)) == expected


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_a_value_that_is_not_finite_has_no_decimal_places(value):
    assert decimals_of(D(value)) == 0
