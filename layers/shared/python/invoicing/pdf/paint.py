"""Drawing the laid-out pages with fpdf2: plain `text()` and `line()` calls, no cells, no fpdf2 line breaking."""

from __future__ import annotations

from invoicing.pdf.engine import fpdf
from invoicing.pdf.fonts import FAMILY
from invoicing.pdf.layout import GREEN, Page

STAMP_SIZE = 12.0


def paint(pdf: fpdf.FPDF, pages: list[Page]) -> None:
    font: tuple[str, str, float] | None = None
    color: tuple | None = None
    for page in pages:
        pdf.add_page()
        font = color = None  # fonts and colours are set per page in the content stream
        for op in page.ops:
            kind = op[0]
            if kind == "text":
                _, style, size, rgb, x, y, string, *rest = op
                family = rest[0] if rest else FAMILY  # a script font's runs name their family
                if font != (family, style, size):
                    pdf.set_font(family, style, size)
                    font = (family, style, size)
                if color != rgb:
                    pdf.set_text_color(*rgb)
                    color = rgb
                pdf.text(x, y, string)
            elif kind == "line":
                _, x1, y1, x2, y2, rgb = op
                pdf.set_draw_color(*rgb)
                pdf.set_line_width(0.2)
                pdf.line(x1, y1, x2, y2)
            elif kind == "stamp":
                _, string, x, y = op
                _stamp(pdf, string, x, y)
                font = color = None


def _stamp(pdf: fpdf.FPDF, text: str, x: float, y: float) -> None:
    """The payment stamp ("paid"): bold, green, framed and turned like a rubber stamp, centred on (x, y)."""
    pdf.set_font(FAMILY, "B", STAMP_SIZE)
    width = pdf.get_string_width(text) + 6.0
    height = STAMP_SIZE * 0.3528 + 3.0
    with pdf.rotation(12, x=x, y=y):
        pdf.set_draw_color(*GREEN)
        pdf.set_text_color(*GREEN)
        pdf.set_line_width(0.6)
        pdf.rect(x - width / 2, y - height / 2, width, height, round_corners=True, corner_radius=1.2)
        pdf.text(x - width / 2 + 3.0, y + STAMP_SIZE * 0.3528 * 0.36, text)
