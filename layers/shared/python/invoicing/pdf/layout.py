"""Where everything goes: the "modern1" letter layout (A4, window envelope), as pages of drawing operations.

Layout runs before drawing, so the page count is known when the footers are placed ("Page 2 of 6") and
drawing is a plain loop (`paint.py`). Measurements come from the shared font metrics; all units are mm,
y grows downwards and text positions are baselines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from invoicing import printable
from invoicing.pdf.content import InvoiceContent, MetaField, TaxRow
from invoicing.pdf.fonts import ScriptFont, SharedFont
from invoicing.pdf.scripts import refuse, to_visual
from invoicing.pdf.text import wrap

PAGE_HEIGHT = 297.0
LEFT, RIGHT = 25.0, 190.0
TOP = 20.0
FOOTER_BASELINE = 287.0

BODY, SMALL, LABEL, HEADING, FOOTER = 9.0, 7.0, 7.0, 15.0, 8.0
BODY_LEAD, SMALL_LEAD, FOOTER_LEAD = 4.1, 3.0, 3.4

BLACK, GREY, LIGHT = (0x22, 0x22, 0x22), (0x66, 0x66, 0x66), (0xCC, 0xCC, 0xCC)
RED, GREEN = (0xCC, 0x00, 0x00), (0x1B, 0x8A, 0x3A)

WINDOW_WIDTH = 85.0  # recipient block inside a DIN 5008 window
SENDER_WIDTH = 70.0

# Line table columns: description start and width, then right edges of the number columns.
TAXED_COLUMNS = (80.0, (117.0, 140.0, 165.0, RIGHT))
PLAIN_COLUMNS = (115.0, (152.0, RIGHT))
SUMMARY_COLUMNS = (LEFT, 100.0, 130.0, 160.0)

Text = tuple  # ("text", style, size, color, x, y, string)
Line = tuple  # ("line", x1, y1, x2, y2, color)
Stamp = tuple  # ("stamp", text, x_centre, y_centre)


@dataclass
class Page:
    ops: list[tuple] = field(default_factory=list)


class Layout:
    def __init__(self, content: InvoiceContent, fonts: dict[str, SharedFont], scripts: tuple[ScriptFont, ...] = ()) -> None:
        self.content = content
        self.fonts = fonts
        self.scripts = scripts  # fonts for Hebrew, Arabic, ... when the document has such text (else the fast path)
        self.pages: list[Page] = []
        self.page = Page()  # the page being written to
        self.y = 0.0
        self.bottom = 0.0
        footer_width = RIGHT - LEFT - 2 * (self.width(content.page_label.format(page=99, pages=99), FOOTER) + 4)
        self.footer = [part for line in content.footer
                       for part in wrap(line, footer_width, self.measure("", FOOTER))]

    # measuring -------------------------------------------------------------------------------------------
    def width(self, text: str, size: float, style: str = "") -> float:
        if self.scripts:
            return sum(font.width(run, size) for font, run in self.runs(text, style))
        return self.fonts[style].width(text, size)

    def measure(self, style: str, size: float) -> Callable[[str], float]:
        if self.scripts:
            return lambda text: self.width(text, size, style)
        font = self.fonts[style]
        return lambda text: font.width(text, size)

    def runs(self, text: str, style: str) -> list[tuple[ScriptFont, str]]:
        """`text` cut into runs of one font each: the invoice font where it has the glyph, else a script font."""
        primary = self.fonts[style]
        found: list[tuple[ScriptFont, str]] = []
        for char in text:
            font = primary if ord(char) in primary.widths else next(
                (script for script in self.scripts if ord(char) in script.widths), None)
            if font is None:
                if not printable.needs_glyph(char):
                    continue  # direction marks, joiners and spaces need no glyph
                raise refuse({printable.char_class(char): 1})
            if found and found[-1][0] is font:
                found[-1] = (font, found[-1][1] + char)
            else:
                found.append((font, char))
        return found

    def wrap(self, text: str, width: float, size: float, style: str = "") -> list[str]:
        return wrap(text, width, self.measure(style, size))

    # placing --------------------------------------------------------------------------------------------
    def text(self, x: float, y: float, string: str, size: float = BODY, style: str = "", color: tuple = BLACK,
             align: str = "L") -> None:
        if not string:
            return
        if self.scripts and any(ord(char) not in self.fonts[style].widths for char in string):
            self.mixed_text(x, y, to_visual(string), size, style, color, align)
            return
        if align == "R":
            x -= self.width(string, size, style)
        elif align == "C":
            x -= self.width(string, size, style) / 2
        self.page.ops.append(("text", style, size, color, x, y, string))

    def mixed_text(self, x: float, y: float, visual: str, size: float, style: str, color: tuple, align: str) -> None:
        """Text in visual order drawn as runs, each in the font that has its glyphs (script fonts in one weight)."""
        runs = self.runs(visual, style)
        total = sum(font.width(run, size) for font, run in runs)
        x -= total if align == "R" else total / 2 if align == "C" else 0.0
        for font, run in runs:
            primary = font is self.fonts[style]
            self.page.ops.append(("text", style if primary else "", size, color, x, y, run,
                                  font.family))
            x += font.width(run, size)

    def rule(self, y: float, x1: float = LEFT, x2: float = RIGHT, color: tuple = LIGHT) -> None:
        self.page.ops.append(("line", x1, y, x2, y, color))

    def new_page(self) -> None:
        self.page = Page()
        self.pages.append(self.page)
        footer_top = FOOTER_BASELINE - FOOTER_LEAD * max(len(self.footer) - 1, 0) - 3.0
        self.bottom = footer_top - 4.0
        self.y = TOP

    def need(self, height: float, on_new_page: Callable[[], None] | None = None) -> None:
        if self.y + height > self.bottom:
            self.new_page()
            if on_new_page:
                on_new_page()

    # the document ---------------------------------------------------------------------------------------
    def run(self) -> list[Page]:
        self.new_page()
        self.letter_head()
        self.heading()
        self.line_table()
        self.texts(self.content.after_total)
        self.summary()
        self.foreign()
        self.footers()
        return self.pages

    def letter_head(self) -> None:
        c = self.content
        y = TOP
        for index, line in enumerate(c.event):
            for part in self.wrap(line, 100.0, BODY, "B" if index == 0 else ""):
                self.text(LEFT, y, part, BODY, "B" if index == 0 else "")
                y += BODY_LEAD
        if c.test_mode:
            self.text(RIGHT, TOP + 2, c.test_mode, 16.0, "B", RED, align="R")

        size = SMALL
        while size > 5.0 and self.width(c.sender_line, size) > WINDOW_WIDTH:
            size -= 0.5
        y = 50.0
        for part in self.wrap(c.sender_line, WINDOW_WIDTH, size):
            self.text(LEFT, y, part, size, color=GREY)
            y += size * 0.45
        y += 2.0
        for line in c.recipient:
            for part in self.wrap(line, WINDOW_WIDTH, BODY):
                self.text(LEFT, y, part)
                y += BODY_LEAD
        recipient_bottom = y

        y = 50.0
        for line in c.sender:
            for part in self.wrap(line, SENDER_WIDTH, BODY):
                self.text(RIGHT, y, part, align="R")
                y += BODY_LEAD
        self.y = max(98.0, recipient_bottom + 6.0, y + 6.0)
        self.meta_row()

    def meta_row(self) -> None:
        columns = self.content.meta
        # x and maximum width of each column; the last one is right-aligned at the margin.
        places = [(LEFT, 62.0, "L"), (LEFT + 65.0, 55.0, "L"), (RIGHT, 40.0, "R")]
        if len(columns) == 3 and any(len(stack) > 1 for stack in columns):
            places = [(LEFT, 58.0, "L"), (LEFT + 60.0, 55.0, "L"), (RIGHT, 45.0, "R")]
        top = self.y
        bottom = top
        for stack, (x, width, align) in zip(columns, places, strict=False):
            y = top
            for item in stack:
                y = self.meta_field(item, x, y, width, align)
            bottom = max(bottom, y)
        self.y = bottom + 3.0

    def meta_field(self, item: MetaField, x: float, y: float, width: float, align: str) -> float:
        style = "B" if item.bold else ""
        size = 10.0 if item.bold else BODY
        while size > 6.0 and self.width(item.value, size, style) > width:
            size -= 0.5  # long invoice numbers shrink instead of running into the next column
        self.text(x, y + 2.5, item.label, LABEL, color=GREY, align=align)
        self.text(x, y + 7.0, item.value, size, style, align=align)
        y += 7.0
        if item.note:
            self.text(x, y + 3.2, item.note, 6.0, color=GREY, align=align)
            y += 3.2
        return y + 3.0

    def heading(self) -> None:
        c = self.content
        self.y += 6.0
        self.text(LEFT, self.y, c.heading, HEADING, "B")
        self.y += 5.0
        if c.intro:
            self.y += 2.0
            self.texts(c.intro, gap_before=False)
        self.y += 3.0

    def texts(self, lines: list[str], gap_before: bool = True) -> None:
        if not lines:
            return
        if gap_before:
            self.y += 4.0
        for line in lines:
            if not line:
                self.y += BODY_LEAD * 0.6
                continue
            for part in self.wrap(line, RIGHT - LEFT, BODY):
                self.need(BODY_LEAD)
                self.text(LEFT, self.y + 3.2, part)
                self.y += BODY_LEAD

    # line table -------------------------------------------------------------------------------------------
    def table_header(self) -> None:
        c = self.content
        edges = (TAXED_COLUMNS if c.has_taxes else PLAIN_COLUMNS)[1]
        self.text(LEFT, self.y + 4.0, c.headers[0], BODY, "B")
        for header, edge in zip(c.headers[1:], edges, strict=True):
            self.text(edge, self.y + 4.0, header, BODY, "B", align="R")
        self.rule(self.y + 5.8)
        self.y += 7.0

    def line_table(self) -> None:
        c = self.content
        description_width, edges = TAXED_COLUMNS if c.has_taxes else PLAIN_COLUMNS
        self.need(7.0 + 10.0)
        self.table_header()
        for row in c.rows:
            first = self.wrap(row.description, description_width, BODY)
            details = [part for line in row.details for part in self.wrap(line, description_width, SMALL)]
            height = BODY_LEAD * len(first) + SMALL_LEAD * len(details) + 1.6
            self.need(height, self.table_header)
            y = self.y + 3.3
            self.text(LEFT, y, first[0])  # description first: text extraction reads the row in order
            values = (row.quantity, row.rate, row.net, row.gross) if c.has_taxes else (row.quantity, row.gross)
            for value, edge in zip(values, edges, strict=True):
                self.text(edge, y, value, align="R")
            y += BODY_LEAD
            for part in first[1:]:
                self.text(LEFT, y, part)
                y += BODY_LEAD
            y -= BODY_LEAD - SMALL_LEAD - 0.2
            for part in details:
                self.text(LEFT, y, part, SMALL, color=GREY)
                y += SMALL_LEAD
            self.y += height
        stamp_room = 14.0 if c.stamp else 0.0
        self.need(8.0 + stamp_room, self.table_header)
        self.rule(self.y + 0.3, color=GREY)
        y = self.y + 5.0
        self.text(LEFT, y, c.total_label, BODY, "B")
        if c.has_taxes:
            self.text(edges[-2], y, c.total_net, BODY, "B", align="R")
        self.text(edges[-1], y, c.total_gross, BODY, "B", align="R")
        self.y += 7.0
        if c.stamp:
            self.page.ops.append(("stamp", c.stamp, 128.0, self.y + 4.0))
            self.y += stamp_room - 4.0

    # tax summary and foreign currency ---------------------------------------------------------------------
    def small_table(self, headers: tuple[str, ...], rows: list[TaxRow]) -> None:
        size, lead = 7.5, 3.4  # as in small_table_height
        x_rate, *edges = SUMMARY_COLUMNS

        def header() -> None:
            self.text(x_rate, self.y + 2.8, headers[0], size, color=GREY)
            for value, edge in zip(headers[1:], edges, strict=True):
                self.text(edge, self.y + 2.8, value, size, color=GREY, align="R")
            self.y += lead + 0.4

        header()
        for index, row in enumerate(rows):
            self.need(lead, header)
            style = "B" if index == len(rows) - 1 and len(rows) > 2 else ""
            self.text(x_rate, self.y + 2.8, row.rate, size, style)
            for value, edge in zip((row.net, row.gross, row.tax), edges, strict=True):
                self.text(edge, self.y + 2.8, value, size, style, align="R")
            self.y += lead

    @staticmethod
    def small_table_height(rows: list[TaxRow]) -> float:
        return 3.8 + 3.4 * len(rows)

    def summary(self) -> None:
        c = self.content
        if not c.tax_rows:
            return
        self.y += 6.0
        self.need(4.2 + self.small_table_height(c.tax_rows))  # heading, column labels and rows stay together
        self.text(LEFT, self.y + 2.8, c.taxes_heading, 7.5, "B")
        self.y += 4.2
        self.small_table(c.tax_headers, c.tax_rows)

    def foreign(self) -> None:
        c = self.content
        if not c.foreign_text:
            return
        self.y += 5.0
        sentence = self.wrap(c.foreign_text, RIGHT - LEFT, 7.5)
        self.need(3.4 * len(sentence) + (1.0 + self.small_table_height(c.foreign_rows) if c.foreign_rows else 0.0))
        for part in sentence:
            self.need(3.4)
            self.text(LEFT, self.y + 2.8, part, 7.5)
            self.y += 3.4
        if c.foreign_rows:
            self.y += 1.0
            self.small_table(c.tax_headers, c.foreign_rows)

    # every page -------------------------------------------------------------------------------------------
    def footers(self) -> None:
        count = len(self.pages)
        for number, page in enumerate(self.pages, start=1):
            self.page = page
            y = FOOTER_BASELINE - FOOTER_LEAD * (len(self.footer) - 1) if self.footer else FOOTER_BASELINE
            for line in self.footer:
                self.text((LEFT + RIGHT) / 2, y, line, FOOTER, color=GREY, align="C")
                y += FOOTER_LEAD
            self.text(RIGHT, FOOTER_BASELINE, self.content.page_label.format(page=number, pages=count), FOOTER,
                      color=GREY, align="R")


def layout(content: InvoiceContent, fonts: dict[str, SharedFont], scripts: tuple[ScriptFont, ...] = ()) -> list[Page]:
    return Layout(content, fonts, scripts).run()
