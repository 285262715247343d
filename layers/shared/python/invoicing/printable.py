"""Which characters the invoice PDF can print: one answer for the API's validators and for the renderer.

The renderer's fonts (Open Sans, then the script fonts from PyPI it loads only when a document needs them)
cover the code points listed in `printable.json`, written from the font files by `invoicing.pdf.coverage`
(`make font-coverage`; a unit test checks it against the installed fonts). Reading it needs neither fpdf2
nor fontTools, so the API functions check text where it enters (400 with a field error) and the renderer
refuses the same text as its last guard: the two never disagree.
"""

from __future__ import annotations

import json
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "printable.json"
PRIMARY = "opensans"  # regular and bold cover the same code points (checked by the test of the data)

# Characters that take no glyph: controls (line breaks, tabs: refused or turned into lines elsewhere), invisible
# format characters (direction marks, joiners), spaces and separators (a missing one is drawn as nothing).
_NO_GLYPH_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))

# Unicode character-name prefixes whose script has a longer name in a message.
_SCRIPT_NAMES = {"CJK": "CJK (Chinese, Japanese, Korean)", "HIRAGANA": "Japanese (Hiragana)",
                 "KATAKANA": "Japanese (Katakana)", "HANGUL": "Korean (Hangul)", "IDEOGRAPHIC": "CJK (Chinese, Japanese, Korean)"}
# Blocks whose symbols are emoji (pictographs, dingbats, flags, ...).
_EMOJI = ((0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x1F000, 0x1FAFF))
MESSAGE = "Contains characters the invoice cannot print: {found}."


class _Ranges:
    """Sorted, merged inclusive code point ranges with a binary-search membership test."""

    def __init__(self, ranges: Iterable[Iterable[int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(tuple(pair) for pair in ranges):
            if merged and start <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def __contains__(self, code: int) -> bool:
        index = bisect_right(self.starts, code) - 1
        return index >= 0 and code <= self.ends[index]


@cache
def _fonts() -> dict[str, _Ranges]:
    """Font key -> its code points, in the renderer's order of preference (primary first)."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {key: _Ranges(ranges) for key, ranges in data["fonts"].items()}


@cache
def _all() -> _Ranges:
    return _Ranges(pair for font in _fonts().values() for pair in zip(font.starts, font.ends, strict=True))


def needs_glyph(char: str) -> bool:
    code = ord(char)
    if any(first <= code <= last for first, last in _VARIATION_SELECTORS):
        return False
    return unicodedata.category(char) not in _NO_GLYPH_CATEGORIES


def drawable(char: str) -> bool:
    """True when some invoice font draws `char` or it needs no glyph."""
    return ord(char) in _all() or not needs_glyph(char)


def font_for(char: str) -> str | None:
    """Key of the first font (primary first, then script fonts) with a glyph for `char`."""
    code = ord(char)
    return next((key for key, ranges in _fonts().items() if code in ranges), None)


def script_fonts(texts: Iterable[str]) -> set[str]:
    """Keys of the script fonts (not the primary one) that `texts` need."""
    primary = _fonts()[PRIMARY]
    needed = set()
    for char in set().union(*map(set, texts)):
        if ord(char) not in primary and needs_glyph(char) and (key := font_for(char)):
            needed.add(key)
    return needed


def char_class(char: str) -> str:
    """What kind of character this is, in words: a script ("Thai"), "emoji", "symbol", ..."""
    code = ord(char)
    category = unicodedata.category(char)
    if category == "Co":
        return "private-use character"
    if category in ("Cn", "Cs"):
        return "unassigned code point"
    if any(first <= code <= last for first, last in _EMOJI):
        return "emoji"
    if category.startswith("S"):
        return "symbol"
    head = unicodedata.name(char, "").split(" ")[0]
    return _SCRIPT_NAMES.get(head) or (head.title() if head else f"U+{code:04X}")


def unprintable(texts: Iterable[str]) -> dict[str, list[int]]:
    """Class of character -> the sorted code points of `texts` that no invoice font draws (empty: all print)."""
    found: dict[str, list[int]] = {}
    for text in texts:
        if text.isascii():  # Open Sans draws all of ASCII; its control characters take no glyph
            continue
        for char in set(text):
            if not drawable(char):
                found.setdefault(char_class(char), []).append(ord(char))
    return {kind: sorted(set(codes)) for kind, codes in sorted(found.items())}


def problem(texts: Iterable[str]) -> str | None:
    """The field error for text the invoice cannot print, naming each kind of character and its code points."""
    found = unprintable(texts)
    if not found:
        return None
    parts = []
    for kind, codes in found.items():
        listed = ", ".join(f"U+{code:04X}" for code in codes[:3])
        more = f" and {len(codes) - 3} more" if len(codes) > 3 else ""
        parts.append(f"{kind} ({listed}{more})")
    return MESSAGE.format(found="; ".join(parts))
