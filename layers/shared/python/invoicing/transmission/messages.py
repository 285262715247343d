"""The email that carries an invoice PDF: subject and text per language (English and German built in)."""

from __future__ import annotations

_TEXTS = {
    "en": ("Invoice {number}",
           "Hello,\n\nplease find attached the invoice {number} for your order {order} ({event}).\n\n"
           "Best regards,\n{sender}\n"),
    "de": ("Rechnung {number}",
           "Hallo,\n\nanbei erhalten Sie die Rechnung {number} zu Ihrer Bestellung {order} ({event}).\n\n"
           "Viele Grüße\n{sender}\n"),
}


def invoice_email(locale: str, **values: str) -> tuple[str, str]:
    subject, text = _TEXTS.get(locale.replace("-", "_").split("_")[0].lower(), _TEXTS["en"])
    return subject.format(**values), text.format(**values)


def attachment_name(number: str) -> str:
    """pretix's `Invoice_<number>.pdf`, or `<number>.pdf` when the number is not plain ASCII."""
    return f"Invoice_{number}.pdf" if number.isascii() and "/" not in number else f"{number.replace('/', '_')}.pdf"


def xml_attachment_name(number: str) -> str:
    """`XRechnung_<number>.xml`, with the same care for unusual numbers as the PDF's name."""
    return "XRechnung_" + attachment_name(number).removeprefix("Invoice_").removesuffix(".pdf") + ".xml"
