"""Tax maths on gross prices, as pretix does it: the tax included in a gross amount at a rate."""

from __future__ import annotations

from decimal import Decimal

from invoicing.money import quantize


def included_tax(gross: Decimal, rate: Decimal, currency: str) -> Decimal:
    """`gross * rate / (100 + rate)`, rounded half-up to the currency's places."""
    if not rate:
        return quantize(Decimal(0), currency)
    return quantize(gross * rate / (Decimal(100) + rate), currency)
