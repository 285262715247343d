"""Invoice PDFs (pretix's "modern1" letter layout): `render_invoice(doc, internal) -> bytes`.

With an `EmbeddedInvoice` the PDF is a Factur-X / ZUGFeRD hybrid: PDF/A-3b carrying the CII XML (`hybrid.py`).

The only package that imports fpdf2; API functions never import it (cold starts stay small).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from invoicing import printable
from invoicing.pdf import content, fonts, hybrid, layout, paint, scripts
from invoicing.pdf.format import Formatter
from invoicing.pdf.hybrid import EmbeddedInvoice
from invoicing.pdf.output import InvoiceOutputProducer
from invoicing.pdf.scripts import UnprintableText

__all__ = ["EmbeddedInvoice", "UnprintableText", "render_invoice"]


def _creation_date(doc: dict[str, Any]) -> datetime:
    """Midnight UTC of the invoice date: the same invoice always yields the same bytes."""
    try:
        return datetime.fromisoformat(doc["date"][:10]).replace(tzinfo=UTC)
    except (KeyError, TypeError, ValueError):
        return datetime(2000, 1, 1, tzinfo=UTC)


def _script_fonts(texts: list[str], locale: str) -> tuple[fonts.ScriptFont, ...]:
    """The script fonts a document needs; UnprintableText for characters no font (or no installed one) draws."""
    lacking, keys = printable.survey(texts)
    if lacking:
        raise scripts.refuse({kind: len(codes) for kind, codes in lacking.items()})
    if not keys:
        return ()
    region = fonts.cjk_region(locale, texts) if "notocjk" in keys else "sc"
    found = {key: fonts.script_font(key, region) for key in sorted(keys, key=list(fonts.SCRIPT_PACKAGES).index)}
    if unserved := {key for key, font in found.items() if font is None}:  # its package is not installed
        counts: dict[str, int] = {}
        for char in set().union(*map(set, texts)):
            if printable.font_for(char) in unserved:
                kind = printable.char_class(char)
                counts[kind] = counts.get(kind, 0) + 1
        raise scripts.refuse(counts)
    return tuple(font for font in found.values() if font is not None)


def render_invoice(doc: dict[str, Any], internal: dict[str, Any], einvoice: EmbeddedInvoice | None = None) -> bytes:
    """The invoice (or cancellation) `doc` as an A4 PDF; `internal` carries currency, event and test mode.

    With `einvoice`, a PDF/A-3b that embeds the XML (Factur-X / ZUGFeRD).
    """
    shared = fonts.shared_fonts()
    regular = shared[""]
    formatter = Formatter(doc.get("locale") or "en", internal.get("currency") or "EUR",
                          internal.get("event_timezone"), printable=regular.has_glyphs)
    view = content.build(doc, internal, formatter)
    texts = content.texts(view)
    try:
        extra = _script_fonts(texts, formatter.locale)
    except UnprintableText:
        if formatter.locale == "en":
            raise
        # The language's own dates and country names may be in a script no invoice font draws (Thai, Devanagari,
        # ...): such an invoice gets English ones, as it gets English labels. Text of the document itself that
        # cannot be drawn fails again here.
        formatter = Formatter("en", formatter.currency, internal.get("event_timezone"), printable=regular.has_glyphs)
        view = content.build(doc, internal, formatter)
        texts = content.texts(view)
        extra = _script_fonts(texts, formatter.locale)
    pages = layout.layout(view, shared, extra)

    pdf = hybrid.new_document(einvoice)
    pdf.set_auto_page_break(False)
    pdf.set_margins(layout.LEFT, layout.TOP, 210 - layout.RIGHT)
    pdf.set_title(view.title)
    pdf.set_creator("invoicing")
    pdf.set_producer("invoicing")
    pdf.set_lang(formatter.locale.replace("_", "-"))
    created = _creation_date(doc)
    pdf.set_creation_date(created)
    if einvoice is not None:
        hybrid.attach(pdf, einvoice, title=view.title, created=created, producer="invoicing", lang=pdf.lang)
    fonts.install(pdf, extra)
    paint.paint(pdf, pages)
    return bytes(pdf.output(output_producer_class=InvoiceOutputProducer))
