"""The one source of "now", so tests can pin the date an invoice is issued on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _now()


def today_in(timezone: str) -> date:
    """Today's date in an event's time zone (pretix dates invoices this way)."""
    return now().astimezone(ZoneInfo(timezone)).date()


def set_clock(func: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); None restores the real one."""
    global _now
    _now = func or (lambda: datetime.now(UTC))


def isoformat_z(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z`, as pretix's API writes datetimes."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
