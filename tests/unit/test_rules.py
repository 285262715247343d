"""Pure rules: numbering, money, pagination parameters, error bodies, token header parsing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing import access
from invoicing.errors import NotAuthenticated, NotFound
from invoicing.invoices import numbering
from invoicing.invoices.build import compose_invoice_to
from invoicing.invoices.read import InvoiceFilters, parse_ordering
from invoicing.money import format_amount
from invoicing.orders.models import InvoiceAddress
from invoicing.pagination import page_request
from invoicing.settings import InvoiceSettings
from invoicing.tax import included_tax
from invoicing_http.errors import field_errors


def test_prefix_defaults_to_event_slug_and_fills_strftime_and_test_mode():
    settings = InvoiceSettings()
    assert numbering.prefix_for(settings, "dummy", is_cancellation=False, testmode=False,
                                invoice_date=date(2025, 1, 1)) == "DUMMY-"
    custom = InvoiceSettings(invoice_numbers_prefix="inv_%Y%m%d_", invoice_numbers_prefix_cancellations="crd_")
    assert numbering.prefix_for(custom, "dummy", is_cancellation=False, testmode=True,
                                invoice_date=date(2025, 1, 1)) == "inv_20250101_TEST-"
    assert numbering.prefix_for(custom, "dummy", is_cancellation=True, testmode=False,
                                invoice_date=date(2025, 1, 1)) == "crd_"


def test_counter_is_padded_but_never_truncated():
    assert numbering.consecutive_number("DUMMY-", 7, 5) == "DUMMY-00007"
    assert numbering.consecutive_number("X", 10, 1) == "X10"
    assert numbering.order_number("DUMMY-", "FOO", ["DUMMY-FOO-1", "OTHER-FOO-1"]) == "DUMMY-FOO-2"


def test_tax_is_included_in_gross_and_rounded_half_up():
    assert included_tax(Decimal("23.00"), Decimal("19"), "EUR") == Decimal("3.67")
    assert included_tax(Decimal("0.25"), Decimal("19"), "EUR") == Decimal("0.04")
    assert included_tax(Decimal("1000"), Decimal("10"), "JPY") == Decimal("91")
    assert format_amount(Decimal("-0.00"), "EUR") == "0.00"
    assert format_amount(Decimal("5"), "KWD") == "5.000"


def test_invoice_to_is_composed_as_pretix_does():
    address = InvoiceAddress(company="Sample company", country="NZ", vat_id="DE123")
    assert compose_invoice_to(address, "en") == "Sample company\nNew Zealand\nVAT-ID: DE123"
    assert compose_invoice_to(InvoiceAddress(name="Jo", zipcode="123", city="Town", country="DE"), "de") == \
        "Jo\n123 Town\nDeutschland"


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "99999999999999999999"])
def test_invalid_page_is_404(page):
    with pytest.raises(NotFound, match=r"Invalid page\."):
        page_request(page, None)


@pytest.mark.parametrize(("size", "expected"), [("2", 2), ("500", 50), ("0", 50), ("-3", 50), ("x", 50), (None, 50)])
def test_page_size_falls_back_to_50(size, expected):
    assert page_request("1", size).page_size == expected


def test_ordering_and_filters_parse_like_django_filter():
    assert parse_ordering("bogus,-date") == "-date"
    assert parse_ordering("number") == "nr"
    assert parse_ordering("") == "nr"
    filters = InvoiceFilters.from_query({"order": ["A", ""], "is_cancellation": ["maybe"], "locale": ["de", ""]})
    assert filters.orders == ("A",)
    assert filters.is_cancellation is None
    assert filters.locale is None
    assert InvoiceFilters.from_query({"is_cancellation": ["TRUE"]}).is_cancellation is True


def test_validation_errors_nest_like_django_rest_framework():
    errors = [{"loc": ("body", "positions", 1, "price"), "msg": "bad", "type": "value_error"},
              {"loc": ("body", "email"), "msg": "x", "type": "missing"}]
    assert field_errors(errors) == {"positions": [{}, {"price": ["bad"]}], "email": ["This field is required."]}


@pytest.mark.parametrize(("header", "message"), [
    (None, "Authentication credentials were not provided."),
    ("Bearer abc", "Authentication credentials were not provided."),
    ("Token", "Invalid token header. No credentials provided."),
    ("Token a b", "Invalid token header. Token string should not contain spaces."),
    ("Token äbc", "Invalid token header. Token string should not contain invalid characters."),
])
def test_malformed_token_headers_get_drf_messages(header, message):
    with pytest.raises(NotAuthenticated) as raised:
        access.authenticate(header)
    assert raised.value.detail == message


def test_principal_scope_and_permissions():
    principal = access.Principal("org", "t", False, frozenset({"a"}), frozenset({"can_view_orders"}))
    assert principal.can("can_view_orders", "a")
    assert not principal.can("can_view_orders", "b")
    assert not principal.can("can_change_orders", "a")
