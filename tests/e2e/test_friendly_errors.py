"""Errors a new user meets first: a body that is not JSON, a wrong method, a typo in the path, a token of
the wrong kind. Each answer says what is wrong in pretix's (Django REST framework's) words."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import order_body

NOT_FOUND = {"detail": "Not found."}


@pytest.fixture(scope="module")
def shop(new_organizer):
    organizer = new_organizer("friendly", invoice_generate="True")
    organizer.event("conf")
    return organizer


@pytest.mark.parametrize("content_type", [
    "application/x-www-form-urlencoded",  # what curl -d sends without -H
    "text/plain",
    "text/plain; charset=utf-8",
    "multipart/form-data; boundary=x",
])
def test_a_body_that_is_not_json_is_415_naming_its_media_type(api, shop, content_type):
    reply = api.post(shop.url("events", "conf", "orders"), shop.token, data=b'{"email": "a@b.de"}',
                     headers={"Content-Type": content_type})

    assert reply.status == 415, reply
    assert reply.body == {"detail": f'Unsupported media type "{content_type}" in request.'}


def test_json_with_a_charset_parameter_is_accepted(api, shop):
    import json

    reply = api.post(shop.url("events", "conf", "orders"), shop.token, data=json.dumps(order_body()).encode(),
                     headers={"Content-Type": "application/json; charset=utf-8"})

    assert reply.status == 201, reply


def test_a_form_body_on_an_unknown_path_is_404_not_415(api, shop):
    reply = api.post(shop.url("events", "conf", "nothing"), shop.token, data=b"a=1",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert reply.status == 404, reply


@pytest.mark.parametrize(("parts", "method", "allow"), [
    (("events", "conf", "invoices"), "POST", "GET"),
    (("events", "conf", "invoices", "X-1", "regenerate"), "GET", "POST"),
    (("events", "conf", "orders"), "DELETE", "GET, POST"),
    (("settings",), "POST", "GET, PATCH"),
])
def test_405_names_the_allowed_methods(api, shop, parts, method, allow):
    reply = api.request(method, shop.url(*parts), shop.token)

    assert reply.status == 405, reply
    assert reply.body == {"detail": f'Method "{method}" not allowed.'}
    assert reply.header("Allow") == allow


@pytest.mark.parametrize("path", [
    "/api/v1/organizers/{org}/events/conf/invoice/",  # singular: no such route
    "/api/v1/organizer/{org}/invoices/",
    "/api/v2/",
    "/nothing",
])
def test_a_path_no_route_declares_is_404_not_found_even_with_a_valid_token(api, shop, path):
    reply = api.get(path.format(org=shop.slug), shop.token)

    assert reply.status == 404, reply
    assert reply.body == NOT_FOUND
    assert reply.header("Content-Type").startswith("application/json")
    # API Gateway's own answer carries the headers every function response has (template GatewayResponses).
    assert reply.header("X-Content-Type-Options") == "nosniff"
    assert reply.header("Cache-Control") == "no-store"
    assert reply.header("Referrer-Policy") == "no-referrer"


def test_a_platform_token_on_an_organizer_route_says_an_organizer_token_is_needed(api, shop):
    from invoicing import platform

    secret, _record = platform.create_token("friendly operator")

    reply = api.get(shop.invoices_url("conf"), secret)

    assert reply.status == 401, reply
    assert reply.body == {"detail": "This is a platform token: this route needs an organizer's API token."}


def test_an_organizer_token_on_the_platform_api_says_a_platform_token_is_needed(api, shop):
    reply = api.get("/api/v1/platform/billing_invoices/R1/", shop.token)

    assert reply.status == 403, reply
    assert reply.body == {"detail": "This is an organizer's API token: this route needs a platform token."}


def test_an_unknown_token_is_still_just_invalid(api, shop):
    reply = api.get(shop.invoices_url("conf"), "0" * 40)

    assert reply.status == 401
    assert reply.body == {"detail": "Invalid token."}


def test_a_wrong_method_with_a_used_idempotency_key_is_405_not_the_replay(api, shop):
    key = {"X-Idempotency-Key": "friendly-405"}
    first = api.post(shop.url("events", "conf", "orders"), shop.token, body=order_body(), headers=key)

    wrong_method = api.request("PUT", shop.url("events", "conf", "orders"), shop.token, body=order_body(), headers=key)
    repeat = api.post(shop.url("events", "conf", "orders"), shop.token, body=order_body(), headers=key)

    assert first.status == 201
    assert wrong_method.status == 405, wrong_method
    assert repeat.status == 201 and repeat.body == first.body  # the key still replays for the request it ran
