"""The action types a webhook may subscribe to: pretix's own names for what this service does.

Names come from pretix (src/pretix/api/webhooks.py for the order actions; the invoice log actions of
pretix.base.services.invoices and the transmission providers). A filter ending in `*` matches every
action that starts with what precedes it, as pretix's `pretix.event.order.changed.*`.
"""

from __future__ import annotations

ORDER_PLACED = "pretix.event.order.placed"
ORDER_PAID = "pretix.event.order.paid"
ORDER_CANCELED = "pretix.event.order.canceled"
INVOICE_GENERATED = "pretix.event.order.invoice.generated"
INVOICE_REISSUED = "pretix.event.order.invoice.reissued"
INVOICE_REGENERATED = "pretix.event.order.invoice.regenerated"
INVOICE_SENT = "pretix.event.order.invoice.sent"
INVOICE_SENDING_FAILED = "pretix.event.order.invoice.sending_failed"

# action type -> verbose name (served by GET .../webhooks/action_types/)
ACTION_TYPES: dict[str, str] = {
    ORDER_PLACED: "New order placed",
    ORDER_PAID: "Order marked as paid",
    ORDER_CANCELED: "Order canceled",
    INVOICE_GENERATED: "Invoice generated (also a cancellation document)",
    INVOICE_REISSUED: "Invoice reissued (the new invoice)",
    INVOICE_REGENERATED: "Invoice regenerated",
    INVOICE_SENT: "Invoice transmitted",
    INVOICE_SENDING_FAILED: "Invoice transmission failed",
}
INVOICE_ACTIONS = frozenset(name for name in ACTION_TYPES if ".invoice." in name)


def matches(filters: list[str], action: str) -> bool:
    for pattern in filters:
        if pattern.endswith("*"):
            if action.startswith(pattern[:-1]):
                return True
        elif pattern == action:
            return True
    return False


def invalid(filters: list[str]) -> list[str]:
    """The filters that match no known action type (pretix refuses unknown values)."""
    return [pattern for pattern in filters if not any(matches([pattern], action) for action in ACTION_TYPES)]
