"""PDF output with our own font embedding: fpdf2's object structure, the font program cut by `subset.py`.

This replaces `OutputProducer._add_fonts` of fpdf2 2.8.9 (pinned) for the fonts `fonts.py` lends (TrueType).
The PDF objects are the ones fpdf2 writes for a TrueType font (Type0 font, CIDFontType2 with widths,
CIDToGIDMap, descriptor with FontFile2, ToUnicode CMap); only the font program is produced differently,
keeping the original glyph ids, and the CIDToGIDMap covers the used codes only. Fonts fpdf2 loaded itself
(the CFF collection for CJK, `fonts.CollectionFont`) go through fpdf2's own code.
"""

from __future__ import annotations

import logging
import struct
import unicodedata
from typing import Any

from invoicing.pdf.engine import fpdf
from invoicing.pdf.fonts import DocumentFont

logger = logging.getLogger(__name__)
_output = fpdf.output
_syntax = fpdf.syntax

_TO_UNICODE = (
    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    "/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
    "{blocks}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
)


def _utf16_hex(codes: tuple[int, ...]) -> str:
    return "".join(chr(code).encode("utf-16-be").hex().upper() for code in codes)


class InvoiceOutputProducer(_output.OutputProducer):
    def _add_fonts(self, *resources: Any) -> dict[int, Any]:
        objects: dict[int, Any] = {}
        fonts = sorted((font for font in self.fpdf.fonts.values() if isinstance(font, DocumentFont)),
                       key=lambda font: font.i)
        for font in fonts:
            objects[font.i] = self._add_font(font)
        registry = self.fpdf.fonts
        if len(fonts) < len(registry):  # fonts fpdf2 parsed itself (the CFF collection for CJK): its own code
            every = dict(registry)
            for key in [key for key, font in every.items() if isinstance(font, DocumentFont)]:
                del registry[key]
            try:
                objects.update(super()._add_fonts(*resources))
            finally:
                registry.clear()
                registry.update(every)
        for font in fonts[:1]:
            font.subset.pick.cache_clear()  # fpdf2's caches are per class: this releases every document's map
            font.subset.get_glyph.cache_clear()
        return objects

    def _add_font(self, font: DocumentFont) -> Any:
        font_name = f"MPDFAA+{font.name}"
        if font.missing_glyphs:
            # Which scripts, never the characters: they come from names and addresses (no personal data in logs).
            scripts = sorted({unicodedata.name(chr(code), "UNNAMED").split(" ")[0] for code in font.missing_glyphs})
            logger.warning("Font %s has no glyphs for %d character(s) (%s); left out", font.name,
                           len(font.missing_glyphs), ", ".join(scripts))
        used = [(glyph, code) for glyph, code in font.subset.items() if glyph is not None]
        composite = _output.PDFFont(subtype="Type0", base_font=font_name, encoding="Identity-H")
        self._add_pdf_obj(composite, "fonts")
        cid_font = _output.PDFFont(subtype="CIDFontType2", base_font=font_name, d_w=font.desc.missing_width,
                                   w=_output._tt_font_widths(font))
        self._add_pdf_obj(cid_font, "fonts")
        composite.descendant_fonts = _syntax.PDFArray([cid_font])

        mappings = [f"<{code:04X}> <{_utf16_hex(glyph.unicode)}>\n" for glyph, code in used
                    if isinstance(glyph.unicode, tuple) and glyph.unicode]
        to_unicode = _syntax.PDFContentStream(
            _TO_UNICODE.format(blocks=_output._build_cmap_blocks(mappings, "bfchar")).encode("latin-1"))
        self._add_pdf_obj(to_unicode, "fonts")
        composite.to_unicode = to_unicode

        system_info = _output.CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info

        descriptor = font.desc
        descriptor.font_name = _syntax.Name(font_name)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor

        cid_to_gid = bytearray(2 * (max(code for _, code in used) + 1))
        for glyph, code in used:
            struct.pack_into(">H", cid_to_gid, 2 * code, glyph.glyph_id)
        cid_to_gid_stream = _syntax.PDFContentStream(contents=bytes(cid_to_gid), compress=True)
        self._add_pdf_obj(cid_to_gid_stream, "fonts")
        cid_font.c_i_d_to_g_i_d_map = cid_to_gid_stream

        program = _output.PDFFontStream(contents=font.program.subset(glyph.glyph_id for glyph, _ in used))
        self._add_pdf_obj(program, "fonts")
        descriptor.font_file2 = program
        return composite
