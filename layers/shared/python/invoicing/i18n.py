"""pretix's multilingual strings: a plain string or a `{locale: text}` map, read in a given language."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

LOCALE = re.compile(r"[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*")


def text_type(max_length: int) -> Any:
    """pretix's i18n field input: a string, or an object of locale -> string, each at most `max_length` long.

    One clear message per problem (the full rules for i18n objects live with the input hardening).
    """

    def check(value: Any) -> Any:
        if isinstance(value, dict):
            if not all(isinstance(text, str) for text in value.values()):
                raise ValueError(_SHAPE)
            wrong = [key for key in value if not (isinstance(key, str) and LOCALE.fullmatch(key))]
            if wrong:
                raise ValueError(f'"{str(wrong[0])[:20]}" is not a language code such as "en" or "de-formal".')
            texts = list(value.values())
        elif isinstance(value, str):
            texts = [value]
        else:
            raise ValueError(_SHAPE)
        if any(len(text) > max_length for text in texts):
            raise ValueError(f"Ensure this field has no more than {max_length} characters.")
        return value

    return Annotated[str | dict[str, str], BeforeValidator(check)]


_SHAPE = 'Enter a text, or an object of language code to text such as {"en": "...", "de": "..."}.'


def as_map(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"en": value}
    return {str(key): str(text) for key, text in value.items()}


def localize(value: dict[str, str] | str | None, locale: str) -> str:
    """The text in `locale`, else its language, else English, else any."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    language = locale.split("-")[0].split("_")[0]
    for key in (locale, language, "en"):
        if value.get(key):
            return value[key]
    return next((text for text in value.values() if text), "")


def _matching(value: dict[str, str], locale: str | None) -> str:
    if not locale:
        return ""
    normal = {key.replace("_", "-").lower(): text for key, text in value.items() if text}
    wanted = locale.replace("_", "-").lower()
    return normal.get(wanted) or normal.get(wanted.split("-")[0]) or ""


def pick(value: dict[str, str] | str | None, locale: str, fallback_locale: str | None = None) -> str:
    """What an invoice prints of an i18n setting: the invoice locale's text, else the event locale's, else the first."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return (_matching(value, locale) or _matching(value, fallback_locale)
            or next((text for text in value.values() if text), ""))
