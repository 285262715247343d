"""The few words invoice data carries in its own language (line descriptions and text notes)."""

from __future__ import annotations

_LABELS = {
    "en": {
        "attendee": "Attendee: {name}", "event_location": "Event location: {location}",
        "payment": "Payment fee", "shipping": "Shipping fee", "service": "Service fee",
        "cancellation": "Cancellation fee", "insurance": "Insurance fee", "late": "Late fee",
        "other": "Other fees", "giftcard": "Gift card",
    },
    "de": {
        "attendee": "Teilnehmer: {name}", "event_location": "Veranstaltungsort: {location}",
        "payment": "Zahlungsgebühr", "shipping": "Versandkosten", "service": "Servicegebühr",
        "cancellation": "Stornogebühr", "insurance": "Versicherung", "late": "Verspätungsgebühr",
        "other": "Sonstige Gebühren", "giftcard": "Gutschein",
    },
}


def label(key: str, locale: str, **values: str) -> str:
    table = _LABELS.get(locale.split("-")[0].split("_")[0].lower(), _LABELS["en"])
    return table.get(key, _LABELS["en"][key]).format(**values)
