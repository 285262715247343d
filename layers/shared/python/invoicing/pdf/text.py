"""Plain text from pretix's stored texts (`<br />` line breaks, HTML entities) and greedy line wrapping."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

_BREAK = re.compile(r"<br\s*/?>|\r\n|\r|\n", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def lines(text: str | None) -> list[str]:
    """The lines of a stored text: `<br />` and newlines break, other tags are dropped, entities decoded."""
    if not text:
        return []
    return [html.unescape(_TAG.sub("", part)).strip() for part in _BREAK.split(text)]


def paragraphs(text: str | None) -> list[str]:
    """Lines without leading and trailing empty ones (empty lines inside are kept as spacing)."""
    found = lines(text)
    while found and not found[0]:
        found.pop(0)
    while found and not found[-1]:
        found.pop()
    return found


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break `text` into lines no wider than `width` (at spaces; inside a word only if it alone is too wide)."""
    if not text or measure(text) <= width:
        return [text]
    result: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= width:
            current = candidate
            continue
        if current:
            result.append(current)
        current = word
        while measure(current) > width and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and measure(current[:cut]) > width:
                cut -= 1
            result.append(current[:cut])
            current = current[cut:]
    result.append(current)
    return result
