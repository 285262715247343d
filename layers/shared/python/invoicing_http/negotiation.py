"""Proactive content negotiation (RFC 9110 §12.5.1): which of the offered media types an Accept header wants."""

from __future__ import annotations

from collections.abc import Sequence


def _parse(accept: str) -> list[tuple[str, str, float, int]]:
    """(type, subtype, q, position) for each range of the header; malformed ranges are skipped."""
    ranges = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        kind, _, subtype = media.lower().partition("/")
        if not kind or not subtype:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((kind, subtype, q, position))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, str, float, int]]) -> float:
    """The q of the most specific range matching `offer` (0 when none does)."""
    kind, _, subtype = offer.partition("/")
    best: tuple[int, float] | None = None
    for range_kind, range_subtype, q, _position in ranges:
        if (range_kind, range_subtype) == (kind, subtype):
            specificity = 2
        elif (range_kind, range_subtype) == (kind, "*"):
            specificity = 1
        elif (range_kind, range_subtype) == ("*", "*"):
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return best[1] if best else 0.0


def choose(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered type the client prefers; the first offered when Accept is absent or empty; None when
    the client accepts none of them (406). Ties go to the earlier offer."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = _parse(accept)
    if not ranges:
        return offered[0]
    scored = [(_quality(offer, ranges), -index, offer) for index, offer in enumerate(offered)]
    q, _, offer = max(scored)
    return offer if q > 0 else None
