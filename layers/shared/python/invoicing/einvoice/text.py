"""Text and date helpers shared by the XML formats: pretix's `<br />` texts, XML-safe strings, local dates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
# XML 1.0 forbids most control characters; ElementTree would write them and produce an unparsable file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def parts(text: str | None) -> list[str]:
    """The non-empty lines of a pretix text, split on newlines and `<br />`."""
    lines = xml_safe(_BR.sub("\n", text or "")).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [part.strip() for part in lines if part.strip()]


def plain(text: str | None, separator: str = "\n") -> str:
    return separator.join(parts(text))


@lru_cache(maxsize=256)  # an invoice's lines mostly share their period: one conversion each, not one per line
def local_date(value: str | None, timezone: str | None) -> date | None:
    """The calendar date of an ISO datetime (`2027-06-14T08:00:00Z`) in the event's time zone."""
    if not value:
        return None
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        zone = ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return moment.astimezone(zone).date()


def document_note(doc: Mapping[str, Any], internal: Mapping[str, Any]) -> str:
    """The document note every format carries: order code, event, additional and footer texts."""
    pieces = [f"Order code: {doc['order']}", internal.get("event_name") or "",
              plain(doc.get("additional_text")), plain(doc.get("footer_text"))]
    return "\n".join(piece for piece in pieces if piece)


def payment_terms(doc: Mapping[str, Any], credit: bool) -> str:
    """BR-CO-25 wants payment terms or a due date when something is due; pretix invoices carry no due date."""
    if credit:
        return f"Credit for invoice {doc.get('refers')}" if doc.get("refers") else "Credit note"
    return plain(doc.get("payment_provider_text"), " ") or "Payable upon receipt"
