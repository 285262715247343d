"""Amounts, rates and dates in the invoice's language (CLDR via babel), fast enough for 200-line invoices.

`babel.numbers.format_currency` costs about 30 µs a call. Per (currency, locale) we read babel's parsed
currency pattern and number symbols once; every amount is then built with string operations and reads
as babel writes it (checked in tests for every locale babel knows), plus CLDR's currency spacing between
a letter code and the digits.
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
from babel.numbers import format_currency, format_decimal, get_currency_symbol, get_decimal_symbol, get_group_symbol

from invoicing.money import places

_QUOTED = re.compile(r"'([^']*)'")


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
    grouping: tuple[int, int]  # primary, secondary group sizes

    def format(self, amount: Decimal) -> str:
        value = amount.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)
        negative = value < 0
        digits = f"{abs(value):.{self.places}f}"
        whole, _, fraction = digits.partition(".")
        primary, secondary = self.grouping
        if len(whole) > primary:
            head, groups = whole[:-primary], [whole[-primary:]]
            while len(head) > secondary:
                groups.append(head[-secondary:])
                head = head[:-secondary]
            whole = self.group.join([head, *reversed(groups)])
        number = whole + (self.decimal + fraction if fraction else "")
        return self.prefix[negative] + number + self.suffix[negative]


def _affix(text: str, symbol: str) -> str:
    """A pattern's prefix or suffix as babel prints it: `¤` replaced, quoted literals unquoted."""
    return _QUOTED.sub(lambda m: m.group(1) or "'", text.replace("¤", symbol))


@cache
def _money_pattern(currency: str, locale: str, plain_code: bool) -> _MoneyPattern | None:
    """What `format_currency(amount, currency, locale=locale)` does, read from the same CLDR data babel uses.

    Built from babel's parsed pattern and number symbols rather than from a formatted sample: babel
    unquotes `'…'` over its whole result, so a sample with two `'` group separators (de_CH since CLDR 48)
    would teach a pattern without grouping. None for patterns we do not reproduce (babel formats those).
    """
    parsed = Locale.parse(locale).currency_formats["standard"]
    if parsed.exp_prec or parsed.scale or "@" in parsed.pattern or "¤¤" in parsed.pattern:
        return None
    symbol = currency if plain_code else get_currency_symbol(currency, locale)  # plain: the font lacks ₹, ₩, …
    prefixes = tuple(_affix(p, symbol) for p in parsed.prefix)
    suffixes = tuple(_affix(s, symbol) for s in parsed.suffix)
    # CLDR's currency spacing, which babel leaves out: "CZK 575.00", not "CZK575.00".
    prefixes = tuple(p + "\xa0" if p[-1:].isalpha() else p for p in prefixes)
    suffixes = tuple("\xa0" + s if s[:1].isalpha() else s for s in suffixes)
    return _MoneyPattern(places(currency), prefixes, suffixes,  # type: ignore[arg-type]
                         get_group_symbol(locale), get_decimal_symbol(locale), parsed.grouping)


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
