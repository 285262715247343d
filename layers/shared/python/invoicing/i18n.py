"""pretix's multilingual strings: a plain string or a `{locale: text}` map, read in a given language."""

from __future__ import annotations

from typing import Any


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
