"""Amounts, rates and dates in the invoice's language (CLDR via babel), fast enough for 200-line invoices.

`babel.numbers.format_currency` costs about 30 µs a call. Per (currency, locale) we let babel format one
sentinel amount and learn its prefix, suffix and separators from it; every amount is then built with
string operations and reads as babel writes it (checked in tests), plus CLDR's currency spacing
between a letter code and the digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_symbol

from invoicing.money import places

_SENTINEL_DIGITS = "1111111"


def babel_locale(locale: str) -> str:
    try:
        return str(Locale.parse(locale.replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        return "en"


@dataclass(frozen=True)
class _MoneyPattern:
    places: int
    prefix: tuple[str, str]  # positive, negative
    suffix: tuple[str, str]
    group: str
    decimal: str
    grouping: tuple[int, int]  # primary, secondary group sizes; 0 = no grouping

    def format(self, amount: Decimal) -> str:
        value = amount.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)
        negative = value < 0
        digits = f"{abs(value):.{self.places}f}"
        whole, _, fraction = digits.partition(".")
        primary, secondary = self.grouping
        if primary and len(whole) > primary:
            head, groups = whole[:-primary], [whole[-primary:]]
            while len(head) > secondary:
                groups.append(head[-secondary:])
                head = head[:-secondary]
            whole = self.group.join([head, *reversed(groups)])
        number = whole + (self.decimal + fraction if fraction else "")
        return self.prefix[negative] + number + self.suffix[negative]


def _learn(sample: str, decimals: int) -> tuple[str, str, str, str, tuple[int, int]] | None:
    """(prefix, suffix, group, decimal, grouping) of a babel-formatted 1111111.1…1, or None if unusual."""
    match = re.search(r"1[^a-zA-Z]*1", sample)
    if not match:
        return None
    core = match.group(0)
    whole, decimal, fraction = core, "", ""
    if decimals:
        whole, decimal, fraction = core[:-decimals - 1], core[-decimals - 1], core[-decimals:]
        if fraction != "1" * decimals:
            return None
    separators = {char for char in whole if char != "1"}
    if len(separators) > 1 or whole.replace(next(iter(separators), ""), "") != _SENTINEL_DIGITS:
        return None
    group = next(iter(separators), "")
    sizes = [len(part) for part in whole.split(group)] if group else [len(whole)]
    grouping = (sizes[-1], sizes[-2] if len(sizes) > 2 else sizes[-1]) if group else (0, 0)
    return sample[:match.start()], sample[match.end():], group, decimal, grouping


@cache
def _money_pattern(currency: str, locale: str, plain_code: bool) -> _MoneyPattern | None:
    decimals = places(currency)
    sentinel = Decimal(_SENTINEL_DIGITS + ("." + "1" * decimals if decimals else ""))
    positive = _learn(format_currency(sentinel, currency, locale=locale, currency_digits=True,
                                      format_type="standard", decimal_quantization=False), decimals)
    negative = _learn(format_currency(-sentinel, currency, locale=locale, currency_digits=True,
                                      format_type="standard", decimal_quantization=False), decimals)
    if positive is None or negative is None or positive[2:] != negative[2:]:
        return None
    prefixes, suffixes = (positive[0], negative[0]), (positive[1], negative[1])
    if plain_code:  # the font lacks the symbol (₹, ₩, …): write the ISO code instead
        symbol = get_currency_symbol(currency, locale)
        prefixes = tuple(p.replace(symbol, currency + ("\xa0" if p.endswith(symbol) else "")) for p in prefixes)
        suffixes = tuple(s.replace(symbol, ("\xa0" if s.startswith(symbol) else "") + currency) for s in suffixes)
    # CLDR's currency spacing, which babel leaves out: "CZK 575.00", not "CZK575.00".
    prefixes = tuple(p + "\xa0" if p[-1:].isalpha() else p for p in prefixes)
    suffixes = tuple("\xa0" + s if s[:1].isalpha() else s for s in suffixes)
    return _MoneyPattern(decimals, prefixes, suffixes, *positive[2:])  # type: ignore[arg-type]


class Formatter:
    """Formats for one invoice: its locale, currency and the event's time zone."""

    def __init__(self, locale: str, currency: str, time_zone: str | None = None,
                 printable: Callable[[str], bool] = lambda text: True) -> None:
        self.locale = babel_locale(locale)
        self.currency = currency
        self.printable = printable
        self._patterns: dict[str, _MoneyPattern | None] = {}
        self._rates: dict[Decimal, str] = {}
        try:
            self.zone = ZoneInfo(time_zone) if time_zone else UTC
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = UTC

    def money(self, amount: Decimal, currency: str | None = None) -> str:
        currency = currency or self.currency
        if currency not in self._patterns:
            plain_code = not self.printable(get_currency_symbol(currency, self.locale))
            self._patterns[currency] = _money_pattern(currency, self.locale, plain_code)
        pattern = self._patterns[currency]
        if pattern is None:
            return format_currency(amount, currency, locale=self.locale)
        return pattern.format(amount)

    def rate(self, rate: Decimal) -> str:
        """A tax rate as pretix prints it: `19 %`, `7 %`, `5.5 %` (`5,5 %` in German)."""
        if rate not in self._rates:
            self._rates[rate] = f"{format_decimal(rate, locale=self.locale)} %"
        return self._rates[rate]

    def decimal(self, value: Decimal) -> str:
        return format_decimal(value, locale=self.locale, decimal_quantization=False)

    def date(self, value: date | str | None, style: str = "medium") -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return format_date(value, style, locale=self.locale)

    def event_date(self, value: str | None) -> date | None:
        """The local date (event time zone) of an ISO datetime such as `2027-06-14T08:00:00Z`."""
        if not value:
            return None
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone).date()
