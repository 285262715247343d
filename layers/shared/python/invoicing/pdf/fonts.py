"""The invoice fonts (Open Sans, shipped pre-subset in fonts/): parsed once per process, lent to each document.

fpdf2's `add_font()` parses the TTF again for every document (8-18 ms for two fonts). Here each file is
parsed once; every document gets its own lightweight `TTFFont` copy that shares only what nobody writes
(cmap, widths, glyph ids) and owns what a document changes (its subset map, missing-glyph list, font
descriptor object). The font program is cut per document by `subset.py`, not by fpdf2, so the parsed
fontTools font is never modified.
"""

from __future__ import annotations

import copy
import types
from functools import cache
from pathlib import Path
from typing import Any

from invoicing.pdf.engine import fpdf
from invoicing.pdf.subset import TrueTypeProgram

FAMILY = "opensans"
FILES = {"": "OpenSans-Regular.ttf", "B": "OpenSans-Bold.ttf"}
FONT_DIR = Path(__file__).resolve().parent / "fonts"
_MM_PER_PT = 25.4 / 72
# TTFFont attributes a document only reads (the rest are set per document in `SharedFont.for_document`).
_SHARED_ATTRIBUTES = ("type", "ttffile", "fontkey", "scale", "name", "up", "ut", "sp", "ss", "emphasis", "is_compressed",
                      "is_cff", "is_cid_keyed", "is_symbol", "cff_ros", "collection_font_number", "cmap", "cw",
                      "glyph_ids", "palette_index")

TTFFont = fpdf.fonts.TTFFont
SubsetMap = fpdf.fonts.SubsetMap


class _Widths(dict):
    """Advance widths per code point; unknown characters get the .notdef width without being stored."""

    def __init__(self, widths: dict[int, float], missing: float) -> None:
        super().__init__(widths)
        self.missing = missing

    def __missing__(self, code: int) -> float:
        return self.missing


class DocumentFont(TTFFont):
    """A `TTFFont` for one document, carrying the raw font program its subset is cut from."""

    __slots__ = ("program",)


class SharedFont:
    """One parsed font file: what every document reads, and a fast string width for layout."""

    def __init__(self, style: str) -> None:
        path = FONT_DIR / FILES[style]
        host = types.SimpleNamespace(fonts={}, render_color_fonts=False)  # all TTFFont() reads of its FPDF
        parsed = TTFFont(host, path, FAMILY + style, style)  # type: ignore[arg-type]
        self.style = style
        self.font = parsed
        self.widths = _Widths(dict(parsed.cw), parsed.desc.missing_width)
        parsed.cw = self.widths
        self.program = TrueTypeProgram(path.read_bytes())
        parsed.ttfont.close()  # all further reads come from `program`; close the file handle

    def width(self, text: str, size: float) -> float:
        """Width of `text` in mm at `size` pt (no kerning, as fpdf2 draws it)."""
        widths = self.widths
        return sum([widths[ord(char)] for char in text]) * size * 0.001 * _MM_PER_PT

    def has_glyphs(self, text: str) -> bool:
        return all(ord(char) in self.font.glyph_ids for char in text if char not in "\n\r\t")

    def for_document(self, index: int) -> DocumentFont:
        shared = self.font
        font = DocumentFont.__new__(DocumentFont)
        for name in _SHARED_ATTRIBUTES:
            setattr(font, name, getattr(shared, name))
        font.i = index
        font.ttfont = None  # never read: output.py embeds from `program`
        font.desc = copy.copy(shared.desc)  # output assigns it an object id and a font file
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None
        font.color_font = None
        font.program = self.program
        font.subset = SubsetMap(font)
        return font


@cache
def shared_fonts() -> dict[str, SharedFont]:
    """Regular ("") and bold ("B"), parsed on first use and kept for the life of the process."""
    return {style: SharedFont(style) for style in FILES}


def install(pdf: Any) -> dict[str, SharedFont]:
    """Register this process' fonts with a new FPDF document (instead of `add_font`)."""
    fonts = shared_fonts()
    for style, shared in fonts.items():
        pdf.fonts[FAMILY + style] = shared.for_document(len(pdf.fonts) + 1)
    return fonts
