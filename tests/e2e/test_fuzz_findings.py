"""Inputs Schemathesis found that once broke the API: each is refused with a field error, and the data
already stored stays readable."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import order_body


@pytest.fixture(scope="module")
def shop(new_organizer):
    organizer = new_organizer("findings")
    organizer.event("conf")
    return organizer


EVENT = {"slug": "odd", "currency": "EUR", "date_from": "2017-12-27T10:00:00Z"}


@pytest.mark.parametrize("name", [{"": "Conference"}, {"en": "Conference", "": "x"}, {"../x": "Conference"}])
def test_an_event_name_keyed_by_something_not_a_language_code_is_400(api, shop, name):
    reply = api.post(shop.url("events"), shop.token, body={**EVENT, "name": name})

    assert reply.status == 400, reply
    assert "name" in reply.body
    listing = api.get(shop.url("events"), shop.token)  # an empty map key once made every later list a 500
    assert listing.status == 200
    assert [event["slug"] for event in listing.body["results"]] == ["conf"]


def test_transmission_info_with_an_empty_key_is_400(api, shop):
    body = order_body(invoice_address={"country": "DE", "transmission_info": {"": "x"}})

    reply = api.post(shop.url("events", "conf", "orders"), shop.token, body=body)

    assert reply.status == 400, reply
    assert "invoice_address" in reply.body
