"""The invoice fonts (Open Sans, shipped pre-subset in fonts/): read once per process, lent to each document.

fpdf2's `add_font()` parses the TTF with fontTools again for every document (8 ms warm, about 40 ms in a
fresh process for two fonts). Here each file is read once by `truetype.py`; every document gets its own
`TTFFont` that shares only what nobody writes (cmap, widths, glyph ids) and owns what a document changes
(subset map, missing-glyph list, font descriptor object). The embedded font program is cut by
`truetype.py` too (see `output.py`), so nothing shared is ever modified.
"""

from __future__ import annotations

import copy
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


# Spaces a font may lack, drawn with the nearest one it has (the text keeps the original character): babel groups
# French digits with U+202F ("1 234,56 €"), which would otherwise be left out and mis-measured.
SPACE_ALIASES = {0x202F: 0x2009, 0x205F: 0x2005, 0x3000: 0x2003, 0x1680: 0x0020}


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
        for alias, code in SPACE_ALIASES.items():
            if alias not in self.metrics.glyph_ids and code in self.metrics.glyph_ids:
                self.metrics.glyph_ids[alias] = self.metrics.glyph_ids[code]
                self.metrics.widths[alias] = self.metrics.widths[code]
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


# Fonts for the scripts Open Sans lacks (key as in invoicing/printable.json -> PyPI package, OFL), tried in this
# order: imported only when a document needs them, so the one-page Latin invoice never pays for them.
SCRIPT_PACKAGES = {"heebo": "fontpkg_heebo", "notoarabic": "fontpkg_noto_sans_arabic", "notocjk": "noto_cjk_sans_otc"}

# Noto Sans CJK: one font per region in the collection; every region covers the same code points, with the
# glyph shapes of its own writing tradition (a Japanese name in Japanese forms).
CJK_REGIONS = {"jp": 0, "kr": 1, "sc": 2, "tc": 3, "hk": 4}


def cjk_region(locale: str, texts: list[str]) -> str:
    """The region whose glyph forms a document uses: its language's, else Japanese for kana, Korean for
    Hangul, else Simplified Chinese."""
    tag = locale.lower().replace("_", "-")
    if tag.startswith(("zh-hk", "zh-mo")):
        return "hk"
    if tag.startswith(("zh-tw", "zh-hant")):
        return "tc"
    for prefix, region in (("ja", "jp"), ("ko", "kr"), ("zh", "sc")):
        if tag.split("-")[0] == prefix:
            return region
    chars = set().union(*map(set, texts))
    if any(0x3040 <= ord(char) <= 0x30FF or 0x31F0 <= ord(char) <= 0x31FF for char in chars):
        return "jp"
    if any(0xAC00 <= ord(char) <= 0xD7AF or 0x1100 <= ord(char) <= 0x11FF or 0x3130 <= ord(char) <= 0x318F
           for char in chars):
        return "kr"
    return "sc"


class _Registry:
    """What fpdf2's `TTFFont.__init__` reads of a document: none is needed to parse a font once per process."""

    fonts: dict = {}
    render_color_fonts = False


_LAYOUT_TABLES = frozenset({"GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx"})


class CollectionFont:
    """A CFF font of an OpenType collection (Noto Sans CJK), embedded by fpdf2's own code (fontTools subsets
    its CFF outlines at output; `truetype.py` cuts TrueType only). fpdf2 parses the font once per process
    (cmap, widths, glyph ids of 65,000 glyphs: about 0.5 s); each document gets a copy that shares those
    and opens the file lazily for its own subset. Only documents with such text pay for it."""

    def __init__(self, path: Path, number: int, family: str) -> None:
        self.style = ""
        self.family = family
        self.path = path
        self.number = number
        self.prototype = _fonts.TTFFont(_Registry(), path, family, "", collection_font_number=number)
        self.prototype.ttfont.close()
        self.prototype.ttfont = None
        self.widths = _Widths(dict(self.prototype.cw), self.prototype.desc.missing_width)

    width = SharedFont.width
    has_glyphs = SharedFont.has_glyphs

    def for_document(self, index: int) -> Any:
        """fpdf2's font object for document font number `index`: shared metrics, its own subset and file."""
        from fontTools.ttLib import TTFont

        font = copy.copy(self.prototype)
        font.i = index
        font.ttfont = TTFont(self.path, fontNumber=self.number, lazy=True, recalcTimestamp=False)
        for tag in _LAYOUT_TABLES & set(font.ttfont.keys()):
            del font.ttfont[tag]  # the PDF carries the CFF table only; fontTools would subset these for nothing
        font.desc = copy.copy(self.prototype.desc)
        font.cw = self.widths  # read-only here: unknown codes get the default width without being stored
        font.missing_glyphs = []
        font.subset = _fonts.SubsetMap(font)
        return font


ScriptFont = SharedFont | CollectionFont


def script_files(key: str) -> list[Path]:
    """The font files the package of script font `key` ships (empty when it is not installed)."""
    import importlib

    try:
        package = importlib.import_module(SCRIPT_PACKAGES[key])
    except ImportError:
        return []
    if key == "notocjk":
        return [Path(str(package.FONT_PATH))]
    return sorted((package.ROOT / "files").glob("*.ttf"))


@cache
def script_font(key: str, region: str = "sc") -> ScriptFont | None:
    """The script font `key` (one weight: its default instance), or None when its package is not installed."""
    files = script_files(key)
    if not files:
        return None
    if key == "notocjk":
        return CollectionFont(files[0], CJK_REGIONS[region], f"notocjk{region}")
    return SharedFont("", files[0], key)


def install(pdf: Any, extra: tuple[ScriptFont, ...] = ()) -> dict[str, SharedFont]:
    """Register this process' fonts (and the script fonts a document needs) with a new FPDF document."""
    fonts = shared_fonts()
    for shared in (*fonts.values(), *extra):
        font = shared.for_document(len(pdf.fonts) + 1)
        pdf.fonts[font.fontkey] = font
    return fonts
