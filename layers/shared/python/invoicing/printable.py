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
def _primary() -> frozenset[str]:
    """The primary font's characters (a few hundred): most text is checked against this set alone."""
    ranges = _fonts()[PRIMARY]
    return frozenset(chr(code) for start, end in zip(ranges.starts, ranges.ends, strict=True)
                     for code in range(start, end + 1))


def _others(texts: Iterable[str]) -> set[str]:
    """The distinct characters of `texts` the primary font does not draw (it draws all of ASCII; ASCII's
    control characters take no glyph): the renderer's one-page invoice pays a few microseconds."""
    joined = "".join(texts)
    if joined.isascii():
        return set()
    return set(joined) - _primary()


def needs_glyph(char: str) -> bool:
    code = ord(char)
    if any(first <= code <= last for first, last in _VARIATION_SELECTORS):
        return False
    return unicodedata.category(char) not in _NO_GLYPH_CATEGORIES


def font_for(char: str) -> str | None:
    """Key of the first font (primary first, then script fonts) with a glyph for `char`."""
    code = ord(char)
    return next((key for key, ranges in _fonts().items() if code in ranges), None)


def script_fonts(texts: Iterable[str]) -> set[str]:
    """Keys of the script fonts (not the primary one) that `texts` need."""
    return survey(texts)[1]


def survey(texts: Iterable[str]) -> tuple[dict[str, list[int]], set[str]]:
    """`unprintable(texts)` and `script_fonts(texts)` in one pass (the renderer's check)."""
    found: dict[str, list[int]] = {}
    keys: set[str] = set()
    for char in _others(texts):
        if not needs_glyph(char):
            continue
        if key := font_for(char):
            keys.add(key)
        else:
            found.setdefault(char_class(char), []).append(ord(char))
    return {kind: sorted(codes) for kind, codes in sorted(found.items())}, keys


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
    return survey(texts)[0]


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
