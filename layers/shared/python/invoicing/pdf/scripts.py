"""Which writing systems a document's text needs, and a clear failure when no font can draw one.

A name or address the fonts cannot draw must never silently disappear from a legal document: the render
fails instead, with a reason that names the script (never the text: it is personal data).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

# Unicode character-name prefixes and the script each one belongs to, for the reason.
_SCRIPTS = {"CJK": "CJK (Chinese, Japanese, Korean)", "HIRAGANA": "Japanese (Hiragana)",
            "KATAKANA": "Japanese (Katakana)", "HANGUL": "Korean (Hangul)", "HEBREW": "Hebrew", "ARABIC": "Arabic"}
# Invisible formatting characters (direction marks, joiners) that need no glyph.
_INVISIBLE = frozenset({"Cf"})


class UnprintableText(ValueError):
    """The document holds characters no loaded font has a glyph for."""


def to_visual(text: str) -> str:
    """Logical text as it is drawn left to right: Arabic letters in their joined forms, right-to-left runs reversed
    (Unicode bidi algorithm). Only documents with Hebrew or Arabic text import these packages."""
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(text))


def script_of(char: str) -> str:
    name = unicodedata.name(char, "")
    head = name.split(" ")[0] if name else ""
    return _SCRIPTS.get(head) or (head.title() if head else f"U+{ord(char):04X}")


def missing(texts: Iterable[str], drawable: Callable[[int], bool]) -> dict[str, int]:
    """Script -> number of distinct characters no font can draw (empty when everything can be drawn)."""
    found: dict[str, int] = {}
    for char in set().union(*map(set, texts)):
        if not drawable(ord(char)) and unicodedata.category(char) not in _INVISIBLE and char.isprintable():
            script = script_of(char)
            found[script] = found.get(script, 0) + 1
    return found


def check(texts: Iterable[str], drawable: Callable[[int], bool], lacking: dict[str, int] | None = None) -> None:
    """UnprintableText naming every script of `texts` (or the given `lacking` counts) no font can draw."""
    lacking = lacking if lacking is not None else missing(texts, drawable)
    if lacking:
        described = ", ".join(f"{script} ({count} character{'s' * (count > 1)})" for script, count in sorted(lacking.items()))
        raise UnprintableText(f"the invoice fonts cannot draw text in {described}; the PDF was not made, so that no "
                              "name or address goes missing from it")
