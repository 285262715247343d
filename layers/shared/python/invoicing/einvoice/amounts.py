"""pretix's gross-based invoice lines as EN 16931's net-based lines, VAT categories and breakdown.

pretix rounds the tax of each line on its own (`tax_rounding="line"`), so the tax of a rate group drifts
away from round(Σnet * rate) as lines are added: 200 * 9.99 at 19 % is 1.18 off and fails BR-CO-17 and
BR-S-09 (tolerance 1.00). We keep every line's gross, take its tax as pretix stored it, and then move
single cents between line net and line tax until each group's net is round(Σgross * 100 / (100 + rate)),
which is pretix's own `sum_by_net_keep_gross` applied after the fact. Totals stay exact sums of what is
emitted, so BR-CO-10/13/14/15 hold by construction and the document total is what the customer paid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from invoicing.money import places, quantize

HUNDRED = Decimal(100)
ZERO = Decimal(0)

# Categories that carry an exemption reason (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10) and the VATEX
# code each one gets when pretix's tax code names none (P0104..P0111 tie codes to categories).
_DEFAULT_VATEX = {"AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "G": "VATEX-EU-G", "O": "VATEX-EU-O"}
DEFAULT_REASON = {
    "E": "Exempt from VAT",
    "AE": "Reverse charge",
    "K": "Intra-community supply",
    "G": "Export outside the EU",
    "O": "Not subject to VAT",
}
EXEMPT_CATEGORIES = frozenset(DEFAULT_REASON)
RATED_CATEGORIES = frozenset({"S", "L", "M", "B"})  # rate > 0 expected
KNOWN_CATEGORIES = EXEMPT_CATEGORIES | RATED_CATEGORIES | {"Z"}


class UnsupportedCurrency(ValueError):
    """EN 16931 allows two decimals at most, so KWD, BHD, ... cannot be expressed exactly."""


@dataclass(frozen=True)
class TaxCategory:
    code: str  # UNCL5305 subset: S, Z, E, AE, K, G, O, L, M, B
    rate: Decimal
    exemption_code: str | None = None  # VATEX-...
    exemption_reason: str | None = None

    @property
    def key(self) -> tuple[str, Decimal]:
        """One VAT breakdown per key: per rate for S (and L, M, B), per category for the 0 % ones."""
        return self.code, self.rate


@dataclass(frozen=True)
class Line:
    position: int
    description: str
    gross: Decimal
    net: Decimal
    tax: Decimal
    category: TaxCategory
    tax_code: str | None  # pretix's code as given, for formats with their own classification (FatturaPA)
    period_start: str | None = None
    period_end: str | None = None


@dataclass(frozen=True)
class TaxGroup:
    category: TaxCategory
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Amounts:
    currency: str
    lines: tuple[Line, ...]
    groups: tuple[TaxGroup, ...]
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal


def categorize(rate: Decimal, tax_code: str | None, tax_name: str = "") -> TaxCategory:
    """EN 16931 category of one pretix line from its `tax_code` (`S/standard`, `E/VATEX-EU-132-1I`, `AE`, ...).

    Without a usable code: rate > 0 is S; rate 0 is E with the tax rule's name (or a default) as reason,
    as pretix-zugferd does. `S` with rate 0 and a rate with a 0-only code fall back the same way.
    """
    head, _, tail = (tax_code or "").partition("/")
    code = head.strip().upper()
    if code in RATED_CATEGORIES and rate > 0:
        return TaxCategory(code, rate)
    if rate > 0:
        return TaxCategory("S", rate)
    if code not in KNOWN_CATEGORIES - RATED_CATEGORIES:
        code = "E"
    if code == "Z":
        return TaxCategory("Z", ZERO)
    vatex = tail.strip().upper() if tail.strip().upper().startswith("VATEX-") else _DEFAULT_VATEX.get(code)
    reason = tax_name.strip() or DEFAULT_REASON[code]
    return TaxCategory(code, ZERO, vatex, reason)


def _without_outside_scope(lines: list[Line]) -> list[Line]:
    """`O` may not be mixed with any other category (BR-O-11..14): such lines become E with a reason."""
    codes = {line.category.code for line in lines}
    if "O" not in codes or codes == {"O"}:
        return lines
    return [replace(line, category=TaxCategory("E", ZERO, None, line.category.exemption_reason or DEFAULT_REASON["O"]))
            if line.category.code == "O" else line for line in lines]


def _one_breakdown_per_exemption(lines: list[Line]) -> list[Line]:
    """Exactly one breakdown per 0 % category (BR-E-01, BR-Z-01, BR-AE-01, ...): merge their reasons."""
    merged: dict[str, TaxCategory] = {}
    for line in lines:
        category = line.category
        if category.code in RATED_CATEGORIES:
            continue
        seen = merged.get(category.code)
        if seen is None:
            merged[category.code] = category
            continue
        reasons = [r for r in (seen.exemption_reason or "").split("; ") if r]
        if category.exemption_reason and category.exemption_reason not in reasons:
            reasons.append(category.exemption_reason)
        code = seen.exemption_code if seen.exemption_code == category.exemption_code else None
        merged[category.code] = TaxCategory(seen.code, ZERO, code, "; ".join(reasons) or None)
    return [replace(line, category=merged[line.category.code]) if line.category.code in merged else line for line in lines]


def _resplit(group: list[Line], currency: str) -> list[Line]:
    """Move cents between net and tax (gross kept) until Σnet = round(Σgross * 100 / (100 + rate))."""
    rate = group[0].category.rate
    if not rate:
        return group
    gross_total = sum((line.gross for line in group), ZERO)
    target = quantize(gross_total * HUNDRED / (HUNDRED + rate), currency)
    diff = quantize(target - sum((line.net for line in group), ZERO), currency)
    if not diff:
        return group
    unit = Decimal(1).scaleb(-places(currency))
    step = unit if diff > 0 else -unit
    order = sorted(range(len(group)), key=lambda i: (-abs(group[i].gross), i))
    result = list(group)
    while diff:  # one cent per line is enough unless pretix's taxes were off by more than rounding
        for index in order:
            if not diff:
                break
            line = result[index]
            result[index] = replace(line, net=line.net + step, tax=line.tax - step)
            diff -= step
    return result


def _parse_line(raw: Mapping[str, Any], sign: int) -> Line:
    gross = Decimal(raw["gross_value"]) * sign
    tax = Decimal(raw["tax_value"]) * sign
    rate = Decimal(raw["tax_rate"])
    return Line(position=int(raw["position"]), description=raw.get("description") or "", gross=gross, net=gross - tax,
                tax=tax, category=categorize(rate, raw.get("tax_code"), raw.get("tax_name") or ""),
                tax_code=raw.get("tax_code"), period_start=raw.get("period_start"), period_end=raw.get("period_end"))


def categories(lines: Iterable[Mapping[str, Any]]) -> tuple[TaxCategory, ...]:
    """The distinct VAT categories of an invoice's lines, exactly as `compute` gives them to the XML formats."""
    parsed = _one_breakdown_per_exemption(_without_outside_scope([_parse_line(raw, 1) for raw in lines]))
    return tuple(dict.fromkeys(line.category for line in parsed))


def compute(lines: Iterable[Mapping[str, Any]], currency: str, *, negate: bool = False) -> Amounts:
    """Lines, VAT breakdown and totals for an e-invoice; `negate` flips a cancellation's amounts to positive."""
    if places(currency) > 2:
        raise UnsupportedCurrency(f"{currency} has {places(currency)} decimals; EN 16931 allows at most 2")
    parsed = _one_breakdown_per_exemption(_without_outside_scope([_parse_line(raw, -1 if negate else 1) for raw in lines]))
    buckets: dict[tuple[str, Decimal], list[int]] = {}
    for index, line in enumerate(parsed):
        buckets.setdefault(line.category.key, []).append(index)
    for indexes in buckets.values():
        for index, line in zip(indexes, _resplit([parsed[i] for i in indexes], currency), strict=True):
            parsed[index] = line
    groups = tuple(
        TaxGroup(parsed[indexes[0]].category, sum((parsed[i].net for i in indexes), ZERO),
                 sum((parsed[i].tax for i in indexes), ZERO))
        for indexes in buckets.values()
    )
    return Amounts(
        currency=currency,
        lines=tuple(parsed),
        groups=groups,
        net_total=sum((line.net for line in parsed), ZERO),
        tax_total=sum((group.tax for group in groups), ZERO),
        gross_total=sum((line.gross for line in parsed), ZERO),
    )



def accounting_tax(amounts: Amounts, currency: str | None, rate: Any) -> tuple[str, Decimal] | None:
    """BT-6/BT-111: the VAT total in the VAT accounting currency, at the rate the invoice shows
    (pretix's `foreign_currency_display`); None when the invoice has no other currency."""
    if not currency or not rate or currency == amounts.currency:
        return None
    return currency, quantize(amounts.tax_total * Decimal(str(rate)), currency)
