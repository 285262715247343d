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


# An IBAN printed in groups of four ("DE89 3704 0044 0532 0130 00") is one word for line breaking.
_IBAN = re.compile(r"\b[A-Z]{2}[0-9]{2}(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?\b")
_GLUE = "\x00"


def _words(text: str) -> list[str]:
    glued = _IBAN.sub(lambda match: match.group(0).replace(" ", _GLUE), text)
    return [word.replace(_GLUE, " ") for word in glued.split(" ")]


def _cut(word: str, width: float, measure: Callable[[str], float]) -> list[str]:
    parts = []
    while measure(word) > width and len(word) > 1:
        cut = len(word) - 1
        while cut > 1 and measure(word[:cut]) > width:
            cut -= 1
        parts.append(word[:cut])
        word = word[cut:]
    return [*parts, word]


def _fill(words: list[str], width: float, measure: Callable[[str], float]) -> list[str]:
    result: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= width:
            current = candidate
            continue
        if current:
            result.append(current)
        current = word
        if measure(current) > width:  # alone wider than a line: an IBAN between its groups, a word where it must
            *full, current = _fill(word.split(" "), width, measure) if " " in word else _cut(word, width, measure)
            result += full
    result.append(current)
    return result


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break `text` into lines no wider than `width`, at spaces only: never inside a word or an IBAN group.

    Only a word wider than the whole line is cut (an IBAN then breaks between its groups).
    """
    if not text or measure(text) <= width:
        return [text]
    return _fill(_words(text), width, measure)
