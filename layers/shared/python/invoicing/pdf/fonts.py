"""The invoice fonts (Open Sans, shipped pre-subset in fonts/): read once per process, lent to each document.

fpdf2's `add_font()` parses the TTF with fontTools again for every document (8 ms warm, about 40 ms in a
fresh process for two fonts). Here each file is read once by `truetype.py`; every document gets its own
`TTFFont` that shares only what nobody writes (cmap, widths, glyph ids) and owns what a document changes
(subset map, missing-glyph list, font descriptor object). The embedded font program is cut by
`truetype.py` too (see `output.py`), so nothing shared is ever modified.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from invoicing.pdf.engine import fpdf
from invoicing.pdf.truetype import Metrics, TrueTypeProgram

FAMILY = "opensans"
FILES = {"": "OpenSans-Regular.ttf", "B": "OpenSans-Bold.ttf"}
FONT_DIR = Path(__file__).resolve().parent / "fonts"
_MM_PER_PT = 25.4 / 72

_fonts = fpdf.fonts
_Flags = fpdf.enums.FontDescriptorFlags


class _Widths(dict):
    """Advance widths per code point; unknown characters get the .notdef width without being stored."""

    def __init__(self, widths: dict[int, int], missing: int) -> None:
        super().__init__(widths)
        self.missing = missing

    def __missing__(self, code: int) -> int:
        return self.missing


class DocumentFont(_fonts.TTFFont):
    """fpdf2's `TTFFont` for one document, built from shared metrics, carrying the program to subset."""

    __slots__ = ("program",)


class SharedFont:
    """One font file: its metrics for every document, and a fast string width for layout."""

    def __init__(self, style: str, path: Path | None = None, family: str = FAMILY) -> None:
        self.style = style
        self.family = family
        self.path = path or FONT_DIR / FILES[style]
        self.program = TrueTypeProgram(self.path.read_bytes())
        self.metrics: Metrics = self.program.metrics()
        self.widths = _Widths(self.metrics.widths, self.metrics.missing_width)
        self.cmap = {code: f"g{gid}" for code, gid in self.metrics.glyph_ids.items()}  # fpdf2 wants glyph names

    def width(self, text: str, size: float) -> float:
        """Width of `text` in mm at `size` pt, as fpdf2 draws it (no kerning)."""
        widths = self.widths
        return sum([widths[ord(char)] for char in text]) * size * 0.001 * _MM_PER_PT

    def has_glyphs(self, text: str) -> bool:
        return all(ord(char) in self.widths for char in text)

    def for_document(self, index: int) -> DocumentFont:
        """A fresh fpdf2 font object (the attributes `TTFFont.__init__` sets) for document font number `index`."""
        m = self.metrics
        font = DocumentFont.__new__(DocumentFont)
        font.i = index
        font.type = "TTF"
        font.ttffile = self.path
        font.is_compressed = False
        font._hbfont = None
        font.fontkey = self.family + self.style
        font.biggest_size_pt = 0
        font.collection_font_number = 0
        font.ttfont = None  # no fontTools object: output.py embeds from `program`
        font.is_cff = font.is_cid_keyed = font.is_symbol = False
        font.cff_ros = None
        font.scale = 1000 / m.units_per_em
        flags = _Flags.SYMBOLIC
        if m.fixed_pitch:
            flags |= _Flags.FIXED_PITCH
        if m.italic_angle:
            flags |= _Flags.ITALIC
        if m.weight >= 600:
            flags |= _Flags.FORCE_BOLD
        font.desc = _fonts.PDFFontDescriptor(
            ascent=m.ascent, descent=m.descent, cap_height=m.cap_height, flags=flags,
            font_b_box="[{} {} {} {}]".format(*m.bbox), italic_angle=int(m.italic_angle),
            stem_v=round(50 + int(pow((m.weight / 65), 2))), missing_width=m.missing_width)
        font.cw = self.widths
        font.cmap = self.cmap
        font.glyph_ids = m.glyph_ids
        font.missing_glyphs = []
        font.name = m.name
        font.up, font.ut = m.underline_position, m.underline_thickness
        font.sp, font.ss = m.strikeout_position, m.strikeout_size
        font.emphasis = fpdf.enums.TextEmphasis.coerce(self.style)
        font.palette_index = 0
        font.color_font = None
        font.program = self.program
        font.subset = _fonts.SubsetMap(font)
        return font


@cache
def shared_fonts() -> dict[str, SharedFont]:
    """Regular ("") and bold ("B"), read on first use and kept for the life of the process."""
    return {style: SharedFont(style) for style in FILES}


# Scripts Open Sans lacks, and the registry package (PyPI, OFL) whose font draws each: imported only when a
# document needs it, so the one-page Latin invoice never pays for them.
SCRIPT_PACKAGES = {"Hebrew": ("fontpkg_heebo", "heebo"), "Arabic": ("fontpkg_noto_sans_arabic", "notoarabic")}


@cache
def script_font(script: str) -> SharedFont | None:
    """The font for `script` (one weight: its default instance), or None when none is installed."""
    import importlib

    package_name, family = SCRIPT_PACKAGES.get(script, (None, None))
    if package_name is None:
        return None
    try:
        package = importlib.import_module(package_name)
    except ImportError:
        return None
    files = sorted((package.ROOT / "files").glob("*.ttf"))
    return SharedFont("", files[0], family) if files else None


def install(pdf: Any, extra: tuple[SharedFont, ...] = ()) -> dict[str, SharedFont]:
    """Register this process' fonts (and the script fonts a document needs) with a new FPDF document."""
    fonts = shared_fonts()
    for shared in (*fonts.values(), *extra):
        font = shared.for_document(len(pdf.fonts) + 1)
        pdf.fonts[font.fontkey] = font
    return fonts
