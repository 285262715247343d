"""Value types more than one storage module uses: a counter's state (organizer invoices, billing invoices)
and a rendered file as recorded on its document (invoices, billing invoices)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class CounterState:
    """`seq` (documents issued) and the last consecutive counter per number prefix (`ctr:<prefix>`)."""

    seq: int
    counters: dict[str, int]

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> CounterState:
        counters = {name[4:]: int(value) for name, value in item.items() if name.startswith("ctr:")}
        return cls(seq=int(item.get("seq", 0)), counters=counters)


def counter_attribute(prefix: str) -> str:
    """The counter item's attribute for a number prefix."""
    return f"ctr:{prefix}"


@dataclass(frozen=True)
class InvoiceFile:
    """A rendered file as recorded on its document."""

    content_version: int
    key: str
    s3_version: str | None
    size: int
    sha256: str
    rendered_at: str
    render_ms: int
