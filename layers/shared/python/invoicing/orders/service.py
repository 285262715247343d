"""Order operations: create, change, pay, cancel, and the invoices these issue (pretix's rules).

The operations that write import what only they need when they run: invoices.issue and orders.limits (and the
invoice builder behind both), the settings model, the invoice store and the webhook notifications. Listing and
fetching orders, and the orders function's cold start, do without them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from invoicing.clock import isoformat_z, now, today_in
from invoicing.errors import AlreadyExists, BadRequest, NotFound, ValidationFailed
from invoicing.events import Event, get_event
from invoicing.money import decimals_of, format_amount, format_rate, places
from invoicing.orders.models import Order, OrderCreate, OrderPatch
from invoicing.pagination import Page, PageRequest
from invoicing.storage import dynamo
from invoicing.storage import events as event_store
from invoicing.storage import orders as store
from invoicing.storage import organizers as organizer_store
from invoicing.storage.listing import ListQuery, fetch_page
from invoicing.tax import included_tax
from invoicing.textfields import STORED
from invoicing.transmission.types import check_address

if TYPE_CHECKING:
    from invoicing.settings import InvoiceSettings

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ3789"


@dataclass
class OrderContext:
    order: Order
    event: Event
    settings: InvoiceSettings


def event_settings(organizer: str, event: Event) -> InvoiceSettings:
    from invoicing import settings as settings_module

    organizer_item = organizer_store.get_organizer(organizer) or {}
    return settings_module.effective(organizer_item.get("settings", {}), event.settings)


def _order_and_event(organizer: str, event_slug: str, code: str) -> tuple[Order, Event]:
    item = store.get_order(organizer, code.upper())
    if item is None or item["event"] != event_slug:
        raise NotFound("No Order matches the given query.")
    return Order.model_validate(item, context=STORED), get_event(organizer, event_slug)


def load(organizer: str, event_slug: str, code: str) -> OrderContext:
    order, event = _order_and_event(organizer, event_slug, code)
    return OrderContext(order=order, event=event, settings=event_settings(organizer, event))


def _check_money(data: OrderCreate, currency: str) -> None:
    allowed = places(currency)
    message = f"Ensure that there are no more than {allowed} decimal places."
    errors: dict[str, list[Any]] = {}
    position_errors = [{"price": [message]} if decimals_of(p.price) > allowed else {} for p in data.positions]
    fee_errors = [{"value": [message]} if decimals_of(f.value) > allowed else {} for f in data.fees]
    if any(position_errors):
        errors["positions"] = position_errors
    if any(fee_errors):
        errors["fees"] = fee_errors
    if errors:
        raise ValidationFailed(errors)


def _number_positions(data: OrderCreate) -> None:
    used = {p.positionid for p in data.positions if p.positionid is not None}
    if len(used) != len([p for p in data.positions if p.positionid is not None]):
        raise ValidationFailed({"positions": ["Position IDs need to be unique."]})
    next_id = 1
    for position in data.positions:
        if position.positionid is None:
            while next_id in used:
                next_id += 1
            position.positionid = next_id
            used.add(next_id)


def _tax_codes(order: OrderCreate | Order) -> list[str | None]:
    return [line.tax_code for line in (*order.positions, *order.fees)]


def create_order(organizer: str, event_slug: str, data: OrderCreate) -> dict[str, Any]:
    """Create an order; with `invoice_generate` True (or `paid` for a paid order) its invoice too, atomically."""
    from invoicing.orders import limits

    event = get_event(organizer, event_slug)
    _check_money(data, event.currency)
    check_address(data.invoice_address, _tax_codes(data))
    _number_positions(data)
    explicit_code = data.code.upper() if data.code else None
    record = data.model_dump(mode="json", exclude={"code"})
    created = isoformat_z(now())
    record.update({"organizer": organizer, "event": event_slug, "locale": data.locale or event.locale,
                   "datetime": created, "payment_date": created if data.status == "p" else None,
                   "EventScope": store.order_scope(organizer, event_slug)})
    settings = event_settings(organizer, event)
    longest = {**record, "code": "X" * 16, "invoice_numbers": ["X" * 167] * 3, "version": 10**6}
    limits.check_processable(Order.model_validate(longest), {**store.order_key(organizer, "X" * 16), **longest},
                             event, settings)
    for _ in range(5):
        code = explicit_code or "".join(secrets.choice(_CODE_ALPHABET) for _ in range(5))
        try:
            return _create_with_code(organizer, event, settings, {**record, "code": code})
        except AlreadyExists as exc:
            if explicit_code:
                raise ValidationFailed({"code": [exc.detail]}) from None
    raise ValidationFailed({"code": ["Could not find a free order code, please try again."]})


def _create_with_code(organizer: str, event: Event, settings: InvoiceSettings, record: dict[str, Any]) -> dict[str, Any]:
    from invoicing.invoices.issue import issue_documents, new_invoice_draft, qualifies, retrying
    from invoicing.webhooks import actions, notifications

    order = Order.model_validate({**record, "version": 0})
    wants_invoice = qualifies(order) and (
        settings.invoice_generate == "True" or (settings.invoice_generate == "paid" and order.status == "p"))
    placed = (actions.ORDER_PLACED, actions.ORDER_PAID) if order.status == "p" else (actions.ORDER_PLACED,)
    if not wants_invoice:
        records = _notifications(order, placed)
        store.create_order(organizer, record, extra=notifications.transaction_items(records))
        notifications.publish(records)
        return public_order(Order.model_validate({**record, "version": 1}), event)

    def attempt() -> list[dict[str, Any]]:
        draft = new_invoice_draft(order, event, settings)
        return issue_documents(order, event, settings, [draft], new_order=record, order_actions=placed)

    numbers = [doc["number"] for doc in retrying(attempt)]
    return public_order(Order.model_validate({**record, "invoice_numbers": numbers, "version": 1}), event)


def _notifications(order: Order, order_actions: tuple[str, ...]) -> list[dict[str, Any]]:
    from invoicing.webhooks import notifications

    return [notifications.notification(order.organizer, order.event, order.code, action) for action in order_actions]


def _update_announced(order: Order, changes: dict[str, Any], action: str) -> None:
    """An order change without invoices, and its webhook notification, in one transaction."""
    from invoicing.webhooks import notifications

    records = _notifications(order, (action,))
    store.update_order(order.organizer, order.code, order.version, changes, extra=notifications.transaction_items(records))
    notifications.publish(records)


def get_order(organizer: str, event_slug: str, code: str) -> dict[str, Any]:
    """The public order: no settings needed (nor the organizer's item they are read from)."""
    return public_order(*_order_and_event(organizer, event_slug, code))


def list_orders(organizer: str, event_slug: str, request: PageRequest) -> Page:
    event = get_event(organizer, event_slug)
    stats = event_store.get_stats(organizer, [event_slug]).get(event_slug, {})
    scope = store.order_scope(organizer, event_slug)
    query = ListQuery(partition=("EventScope", scope), sort="SK", index="ByEventNumber", scope=scope)
    page = fetch_page(query, request, int(stats.get("orders", 0)), size_of=_wire_size)
    page.results = [public_order(Order.model_validate(item, context=STORED), event) for item in page.results]
    return page


def _wire_size(item: dict[str, Any]) -> int:
    """An upper bound of a stored order's bytes in a Lambda response (see invoices.wire_size): its public form
    adds a few computed fields to its stored form, and a character of 4 UTF-8 bytes takes at most 14 there."""
    return dynamo.item_size(item) * 4 + 4096


def patch_order(organizer: str, event_slug: str, code: str, data: OrderPatch, fields: set[str]) -> dict[str, Any]:
    """Change email, locale or invoice address; later invoices (and regenerations) use the new data."""
    from invoicing.invoices.issue import retrying
    from invoicing.orders import limits

    if "invoice_address" in fields:
        check_address(data.invoice_address)

    def attempt() -> dict[str, Any]:
        context = load(organizer, event_slug, code)
        if "invoice_address" in fields:
            check_address(data.invoice_address, _tax_codes(context.order))
        changes = data.model_dump(mode="json", include=fields & {"email", "locale", "invoice_address"})
        if "locale" in changes and changes["locale"] is None:
            changes.pop("locale")
        updated = context.order.model_copy(update={key: getattr(data, key) for key in changes})
        if changes:
            limits.check_processable(updated, updated.model_dump(mode="json"), context.event, context.settings)
            store.update_order(organizer, context.order.code, context.order.version, changes)
        return public_order(updated, context.event)

    return retrying(attempt)


def mark_paid(organizer: str, event_slug: str, code: str) -> dict[str, Any]:
    from invoicing.invoices.issue import issue_documents, new_invoice_draft, qualifies, retrying
    from invoicing.webhooks import actions

    def attempt() -> dict[str, Any]:
        context = load(organizer, event_slug, code)
        order, settings = context.order, context.settings
        if order.status != "n":
            raise BadRequest("The order is not pending." if order.status == "c" else "The order has already been paid.")
        paid_at = isoformat_z(now())
        changes = {"status": "p", "payment_date": paid_at}
        paid = order.model_copy(update={"status": "p"})
        if settings.invoice_generate in ("True", "paid") and not order.invoice_numbers and qualifies(paid):
            draft = new_invoice_draft(paid, context.event, settings)
            numbers = [d["number"] for d in issue_documents(order, context.event, settings, [draft],
                                                              order_changes=changes, order_actions=(actions.ORDER_PAID,))]
        else:
            _update_announced(order, changes, actions.ORDER_PAID)
            numbers = []
        return public_order(order.model_copy(update={"status": "p", "payment_date": now(),
                                                     "invoice_numbers": order.invoice_numbers + numbers}),
                            context.event)

    return retrying(attempt)


def mark_canceled(organizer: str, event_slug: str, code: str) -> dict[str, Any]:
    """Cancel the order and, in the same transaction, issue a cancellation for each live invoice."""
    from invoicing.invoices.build import build_cancellation
    from invoicing.invoices.issue import issue_documents, retrying
    from invoicing.storage import invoices as invoice_store
    from invoicing.webhooks import actions

    def attempt() -> dict[str, Any]:
        context = load(organizer, event_slug, code)
        order = context.order
        if order.status == "c":
            raise BadRequest("The order has already been canceled.")
        live = [inv for inv in invoice_store.get_many(organizer, order.invoice_numbers)
                if not inv.doc["is_cancellation"] and inv.canceled_by is None]
        changes = {"status": "c"}
        if live:
            today = today_in(context.event.timezone)
            drafts = [build_cancellation(inv.doc, inv.internal, context.settings, today) for inv in live]
            numbers = [d["number"] for d in issue_documents(order, context.event, context.settings, drafts,
                                                              order_changes=changes,
                                                              order_actions=(actions.ORDER_CANCELED,))]
        else:
            _update_announced(order, changes, actions.ORDER_CANCELED)
            numbers = []
        return public_order(order.model_copy(update={"status": "c",
                                                     "invoice_numbers": order.invoice_numbers + numbers}),
                            context.event)

    return retrying(attempt)


def create_invoice(organizer: str, event_slug: str, code: str) -> dict[str, Any]:
    """`POST .../create_invoice/`: pretix's checks and messages, then 201 with the new invoice."""
    from invoicing.invoices.issue import ensure_qualifies, issue_documents, new_invoice_draft, retrying

    def attempt() -> dict[str, Any]:
        context = load(organizer, event_slug, code)
        if context.settings.invoice_generate not in ("admin", "paid", "True"):
            raise BadRequest("You cannot generate an invoice for this order.")
        ensure_qualifies(context.order)
        if context.order.invoice_numbers:
            raise BadRequest("An invoice for this order already exists.")
        draft = new_invoice_draft(context.order, context.event, context.settings)
        return issue_documents(context.order, context.event, context.settings, [draft])[0]

    return retrying(attempt)


def public_order(order: Order, event: Event) -> dict[str, Any]:
    currency = event.currency
    address = order.invoice_address.model_dump(mode="json") if order.invoice_address else None
    return {
        "code": order.code,
        "event": order.event,
        "status": order.status,
        "testmode": order.testmode,
        "email": order.email,
        "locale": order.locale,
        "datetime": isoformat_z(order.datetime),
        "payment_date": isoformat_z(order.payment_date),
        "payment_provider": order.payment_provider,
        "total": format_amount(order.total, currency),
        "invoice_address": address,
        "positions": [{
            "positionid": p.positionid, "item": p.item, "variation": p.variation, "subevent": p.subevent,
            "description": p.description, "price": format_amount(p.price, currency),
            "tax_rate": format_rate(p.tax_rate), "tax_value": format_amount(included_tax(p.price, p.tax_rate, currency),
                                                                            currency),
            "tax_name": p.tax_name, "tax_code": p.tax_code, "attendee_name": p.attendee_name,
            "period_start": isoformat_z(p.period_start), "period_end": isoformat_z(p.period_end),
            "event_location": p.event_location,
        } for p in order.positions],
        "fees": [{
            "fee_type": f.fee_type, "internal_type": f.internal_type, "description": f.description,
            "value": format_amount(f.value, currency), "tax_rate": format_rate(f.tax_rate),
            "tax_value": format_amount(included_tax(f.value, f.tax_rate, currency), currency),
            "tax_name": f.tax_name, "tax_code": f.tax_code,
        } for f in order.fees],
        "invoices": list(order.invoice_numbers),
    }
