"""ISO 3166-1 alpha-2 country codes and their names in an invoice's language (from CLDR via babel)."""

from __future__ import annotations

from functools import cache

# CLDR territory codes of two letters that are not countries (regions, reserved or user-assigned).
_NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"})
EU = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
                "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"})


@cache
def _territories(locale: str) -> dict[str, str]:
    from babel import Locale, UnknownLocaleError  # on the first country checked or named, not in every cold start

    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        parsed = Locale.parse("en")
    return dict(parsed.territories)


def is_country(code: str) -> bool:
    return (len(code) == 2 and code.isalpha() and code.isupper() and code not in _NOT_COUNTRIES
            and code in _territories("en"))


def choice(value: str | None) -> str | None:
    """`value` when empty or a known country code, else DRF's choice error (for every `country` field)."""
    if value and not is_country(value):
        raise ValueError(f'"{value}" is not a valid choice.')
    return value


def is_eu(code: str | None) -> bool:
    return (code or "").upper() in EU


def country_name(code: str | None, locale: str = "en") -> str:
    if not code:
        return ""
    return _territories(locale).get(code, code)

