"""Money as Decimal: currency exponents, quantizing half-up, formatting as fixed-decimal strings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor units that differ from 2.
_EXPONENTS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3, "CLF": 4, "UYW": 4,
}  # fmt: skip


def places(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def quantize(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places(currency)), rounding=ROUND_HALF_UP)


def format_amount(amount: Decimal, currency: str) -> str:
    value = quantize(amount, currency)
    return f"{abs(value) if value == 0 else value:.{places(currency)}f}"


def format_rate(rate: Decimal) -> str:
    """Tax rates are shown with two decimals (`"19.00"`)."""
    return f"{rate.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}"


def parse_decimal(value: object) -> Decimal:
    """Strict parse of a JSON number or decimal string; raises ValueError for anything else."""
    if isinstance(value, bool) or value is None:
        raise ValueError("A valid number is required.")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError("A valid number is required.") from exc
    if not result.is_finite():
        raise ValueError("A valid number is required.")
    return result


def decimals_of(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
