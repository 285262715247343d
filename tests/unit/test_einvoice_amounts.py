"""Gross-based pretix lines → EN 16931 net lines: categories, cent re-split, totals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from invoicing.einvoice.amounts import TaxCategory, UnsupportedCurrency, categorize, compute
from tests.support import pdf_samples


def _line(position: int, gross: str, rate: str, code: str | None = "S/standard", name: str = "VAT", tax: str | None = None):
    item = pdf_samples.line(position, f"Item {position}", gross, rate, name)
    item["tax_code"] = code
    if tax is not None:
        item["tax_value"] = tax
    return item


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_200_lines_at_9_99_keep_gross_and_tax_within_br_co_17():
    lines = [_line(i, "9.99", "19.00") for i in range(1, 201)]
    pretix_tax = sum(Decimal(item["tax_value"]) for item in lines)
    pretix_net = Decimal("1998.00") - pretix_tax
    # The problem being solved: pretix's per-line rounding is more than 1.00 off round(net x rate).
    assert abs(pretix_tax - _round(pretix_net * Decimal("0.19"))) > 1

    amounts = compute(lines, "EUR")

    assert [line.gross for line in amounts.lines] == [Decimal("9.99")] * 200
    assert all(line.net + line.tax == line.gross for line in amounts.lines)
    assert amounts.gross_total == Decimal("1998.00")
    (group,) = amounts.groups
    assert group.taxable == _round(Decimal("1998.00") * 100 / 119) == Decimal("1678.99")
    assert group.tax == Decimal("319.01")
    assert abs(group.tax - _round(group.taxable * Decimal("0.19"))) < Decimal("0.02")
    assert amounts.net_total + amounts.tax_total == amounts.gross_total
    # Every line moved by at most one cent away from pretix's split.
    assert all(abs(line.tax - Decimal("1.60")) <= Decimal("0.01") for line in amounts.lines)


def test_several_rates_group_separately_and_totals_add_up():
    lines = [_line(1, "349.00", "19.00"), _line(2, "89.00", "7.00"), _line(3, "10.00", "0.00", "E", "Donation"),
             _line(4, "-20.00", "19.00")]
    amounts = compute(lines, "EUR")
    by_key = {(g.category.code, g.category.rate): g for g in amounts.groups}
    assert set(by_key) == {("S", Decimal("19.00")), ("S", Decimal("7.00")), ("E", Decimal("0.00"))}
    assert by_key[("S", Decimal("19.00"))].taxable == Decimal("276.47")  # 329.00 / 1.19
    assert by_key[("S", Decimal("19.00"))].tax == Decimal("52.53")
    assert by_key[("S", Decimal("7.00"))].tax == Decimal("5.82")
    assert by_key[("E", Decimal("0.00"))].tax == 0
    assert by_key[("E", Decimal("0.00"))].category.exemption_reason == "Donation"
    assert amounts.gross_total == Decimal("428.00")
    assert amounts.net_total == sum(line.net for line in amounts.lines)
    assert amounts.tax_total == sum(g.tax for g in amounts.groups)
    assert amounts.lines[3].net == Decimal("-16.81")


def test_negate_turns_a_cancellation_positive():
    original = [_line(1, "119.00", "19.00"), _line(2, "-11.90", "19.00")]
    cancellation = pdf_samples.cancellation(pdf_samples.invoice(lines=original))["lines"]
    amounts = compute(cancellation, "EUR", negate=True)
    assert [line.gross for line in amounts.lines] == [Decimal("119.00"), Decimal("-11.90")]
    assert amounts.gross_total == Decimal("107.10")
    assert amounts.tax_total == Decimal("17.10")


def test_resplit_uses_whole_units_for_currencies_without_decimals():
    lines = [_line(i, "999", "10.00", tax="91") for i in range(1, 41)]  # 999 / 1.1 = 908.18 -> 908 each
    amounts = compute(lines, "JPY")
    (group,) = amounts.groups
    assert group.taxable == Decimal(round(Decimal(39960) / Decimal("1.1")))  # 36327
    assert all(line.net == line.net.to_integral_value() for line in amounts.lines)
    assert all(line.gross == 999 for line in amounts.lines)


def test_three_decimal_currencies_are_refused():
    with pytest.raises(UnsupportedCurrency, match=r"^KWD has 3 decimals; EN 16931 allows at most 2$"):
        compute([_line(1, "1.000", "5.00")], "KWD")


@pytest.mark.parametrize(("rate", "code", "expected"), [
    ("19.00", "S/standard", TaxCategory("S", Decimal("19.00"))),
    ("7.00", "S/reduced", TaxCategory("S", Decimal("7.00"))),
    ("19.00", None, TaxCategory("S", Decimal("19.00"))),
    ("19.00", "E", TaxCategory("S", Decimal("19.00"))),  # a rate > 0 can only be S
    ("0.00", "Z", TaxCategory("Z", Decimal("0"))),
    ("0.00", "AE", TaxCategory("AE", Decimal("0"), "VATEX-EU-AE", "Reverse charge")),
    ("0.00", "K", TaxCategory("K", Decimal("0"), "VATEX-EU-IC", "Intra-community supply")),
    ("0.00", "G", TaxCategory("G", Decimal("0"), "VATEX-EU-G", "Export outside the EU")),
    ("0.00", "O", TaxCategory("O", Decimal("0"), "VATEX-EU-O", "Not subject to VAT")),
    ("0.00", "E/VATEX-EU-132-1I", TaxCategory("E", Decimal("0"), "VATEX-EU-132-1I", "Exempt from VAT")),
    ("0.00", "E", TaxCategory("E", Decimal("0"), None, "Exempt from VAT")),
    ("0.00", None, TaxCategory("E", Decimal("0"), None, "Exempt from VAT")),
    ("0.00", "S/standard", TaxCategory("E", Decimal("0"), None, "Exempt from VAT")),  # S needs a rate (BR-S-05)
])
def test_categorize(rate, code, expected):
    assert categorize(Decimal(rate), code) == expected


def test_exemption_reason_is_the_tax_rule_name_when_there_is_one():
    assert categorize(Decimal(0), "E", "Art. 132 (1) (n) VAT Directive").exemption_reason == "Art. 132 (1) (n) VAT Directive"
    assert categorize(Decimal(19), "S/standard", "VAT").exemption_reason is None  # BR-S-10


def test_outside_scope_mixed_with_other_categories_becomes_exempt():
    mixed = compute([_line(1, "119.00", "19.00"), _line(2, "10.00", "0.00", "O", "Donation")], "EUR")
    assert [line.category.code for line in mixed.lines] == ["S", "E"]
    assert mixed.lines[1].category.exemption_reason == "Donation"
    alone = compute([_line(1, "10.00", "0.00", "O", "")], "EUR")
    assert alone.lines[0].category.code == "O"


def test_the_runtime_package_imports_neither_lxml_nor_saxonche():
    import subprocess
    import sys

    code = "import sys, invoicing.einvoice; print(sorted(m for m in sys.modules if m.split('.')[0] in {'lxml', 'saxonche'}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_zero_rate_lines_of_one_category_share_one_breakdown_with_merged_reasons():
    amounts = compute([_line(1, "10.00", "0.00", "E", "Donation"), _line(2, "20.00", "0.00", "E/VATEX-EU-132-1I", "Education"),
                       _line(3, "5.00", "0.00", "E", "Donation")], "EUR")
    (group,) = amounts.groups
    assert group.category == TaxCategory("E", Decimal(0), None, "Donation; Education")
    assert group.taxable == Decimal("35.00")
