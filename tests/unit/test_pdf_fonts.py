"""Fonts for the invoice PDF: our TrueType reading and subsetting, the shared cache, and the fpdf2 import."""

# ruff: noqa: RUF001 - Greek, Cyrillic and Turkish letters and typographic signs are the test data

from __future__ import annotations

import io
import subprocess
import sys

from fontTools.ttLib import TTFont

from invoicing.pdf import fonts
from invoicing.pdf.truetype import TrueTypeProgram


def test_subset_keeps_the_outlines_of_used_glyphs_and_their_components() -> None:
    data = (fonts.FONT_DIR / fonts.FILES[""]).read_bytes()
    program = TrueTypeProgram(data)
    reference = TTFont(io.BytesIO(data))
    cmap = reference.getBestCmap()
    used = [reference.getGlyphID(cmap[ord(char)]) for char in "Ağrı Żółć Ωμέγα Жёлтый €"]

    subset = TTFont(io.BytesIO(program.subset(used)))

    kept = program.closure(used)
    assert len(kept) > len(set(used))  # accented letters pull in their base glyphs
    order = reference.getGlyphOrder()
    for gid in kept:
        assert subset["glyf"][order[gid]].getCoordinates(subset["glyf"])[0] == \
            reference["glyf"][order[gid]].getCoordinates(reference["glyf"])[0]
    assert subset["glyf"][order[reference.getGlyphID(cmap[ord("Q")])]].numberOfContours == 0


def test_metrics_match_what_fpdf2_reads_with_fonttools() -> None:
    from fpdf.fonts import TTFFont

    class Host:
        fonts: dict = {}
        render_color_fonts = False

    for style, shared in fonts.shared_fonts().items():
        reference = TTFFont(Host(), shared.path, "reference" + style, style)
        mine = shared.for_document(1)
        # Plus the spaces Open Sans lacks (U+202F, ...), each drawn with the glyph of the space it stands for.
        aliases = {alias: code for alias, code in fonts.SPACE_ALIASES.items() if alias not in reference.glyph_ids}
        assert set(aliases) == {0x202F, 0x205F, 0x3000, 0x1680}
        assert dict(reference.cw) == {code: width for code, width in mine.cw.items() if code not in aliases}
        assert reference.glyph_ids == {code: gid for code, gid in mine.glyph_ids.items() if code not in aliases}
        assert all(mine.glyph_ids[alias] == reference.glyph_ids[code] for alias, code in aliases.items())
        assert (reference.name, reference.up, reference.ut) == (mine.name, mine.up, mine.ut)
        assert vars(reference.desc) | {"id": None} == vars(mine.desc) | {"id": None}


def test_each_document_gets_its_own_subset_map_and_descriptor() -> None:
    shared = fonts.shared_fonts()[""]
    first, second = shared.for_document(1), shared.for_document(1)
    first.subset.pick(ord("Ж"))

    assert len(second.subset) < len(first.subset)
    assert first.desc is not second.desc
    assert first.cw is second.cw


def test_importing_the_renderer_leaves_deferred_modules_importable() -> None:
    code = ("import invoicing.pdf, sys; assert 'fontTools.varLib' not in sys.modules; "
            "import fontTools.varLib.instancer, cryptography.hazmat.primitives.ciphers, PIL.Image, unittest.mock; "
            "from fpdf import fonts, output; "
            "assert fonts.instancer.instantiateVariableFont is fontTools.varLib.instancer.instantiateVariableFont; "
            "assert output.ftsubset.Subsetter")
    subprocess.run([sys.executable, "-c", code], check=True)
