"""Right-to-left text in drawing order, and a clear failure when no font can draw a character.

Which characters the fonts draw is `invoicing.printable` (shared with the API's validators). A name or address
the fonts cannot draw must never silently disappear from a legal document: the render fails instead, with a
reason that names the kind of character (never the text: it is personal data).
"""

from __future__ import annotations


class UnprintableText(ValueError):
    """The document holds characters no invoice font has a glyph for."""


def to_visual(text: str) -> str:
    """Logical text as it is drawn left to right: Arabic letters in their joined forms, right-to-left runs reversed
    (Unicode bidi algorithm). Only documents with script-font text import these packages."""
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(text))


def refuse(counts: dict[str, int]) -> UnprintableText:
    """The failure for `counts` (kind of character -> number of distinct characters)."""
    described = ", ".join(f"{kind} ({count} character{'s' * (count > 1)})" for kind, count in sorted(counts.items()))
    return UnprintableText(f"the invoice fonts cannot draw text in {described}; the PDF was not made, so that no "
                           "name or address goes missing from it")
