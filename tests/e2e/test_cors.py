"""CORS over HTTP: the stack runs with AllowedOrigins = https://shop.example,https://admin.example (conftest)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ALLOWED_ORIGINS

SHOP, ADMIN = ALLOWED_ORIGINS
ELSEWHERE = "https://evil.example"


def _preflight(api, path: str, origin: str, method: str = "GET", headers: str = "authorization"):
    return api.request("OPTIONS", path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                                 "Access-Control-Request-Headers": headers})


def _names(value: str | None) -> set[str]:
    return {name.strip().lower() for name in (value or "").split(",") if name.strip()}


@pytest.mark.parametrize("origin", ALLOWED_ORIGINS)
def test_a_preflight_is_answered_without_a_token(api, invoicing_organizer, origin):
    # When a browser on an allowed origin asks before sending a token and an idempotency key
    reply = _preflight(api, invoicing_organizer.invoices_url("conf"), origin, "POST",
                       "authorization,content-type,x-idempotency-key")
    # Then the API answers 204 itself, naming that origin, the methods and the headers it accepts
    assert reply.status == 204, reply
    assert reply.header("Access-Control-Allow-Origin") == origin
    assert {"get", "post"} <= _names(reply.header("Access-Control-Allow-Methods"))  # the invoice function's methods
    assert {"authorization", "content-type", "x-idempotency-key", "if-none-match"} <= _names(
        reply.header("Access-Control-Allow-Headers"))
    assert reply.header("Access-Control-Max-Age") == "600"


def test_a_preflight_names_the_methods_of_the_function_behind_the_path(api, invoicing_organizer):
    reply = _preflight(api, invoicing_organizer.url("events", "conf", "settings"), SHOP, "PATCH")
    assert reply.status == 204, reply
    assert "patch" in _names(reply.header("Access-Control-Allow-Methods"))


def test_a_preflight_from_another_origin_gets_no_permission(api, invoicing_organizer):
    reply = _preflight(api, invoicing_organizer.invoices_url("conf"), ELSEWHERE)
    assert reply.header("Access-Control-Allow-Origin") is None


def test_responses_name_the_allowed_origin_and_expose_the_download_headers(api, invoicing_organizer):
    invoicing_organizer.order("conf")
    reply = api.get(invoicing_organizer.invoices_url("conf"), invoicing_organizer.token, headers={"Origin": SHOP})
    assert reply.status == 200, reply
    assert reply.body["count"] == 1
    assert reply.header("Access-Control-Allow-Origin") == SHOP
    assert {"etag", "retry-after", "content-disposition"} <= _names(reply.header("Access-Control-Expose-Headers"))


def test_errors_before_routing_carry_the_header_too(api, invoicing_organizer):
    # A 401 (no token) and a 301 (no trailing slash) are answered before the resolver: a browser must still
    # be allowed to read them
    unauthenticated = api.get(invoicing_organizer.invoices_url("conf"), headers={"Origin": ADMIN})
    assert unauthenticated.status == 401, unauthenticated
    assert unauthenticated.header("Access-Control-Allow-Origin") == ADMIN
    redirect = api.get(invoicing_organizer.invoices_url("conf").rstrip("/"), invoicing_organizer.token,
                       headers={"Origin": ADMIN})
    assert redirect.status == 301, redirect
    assert redirect.header("Access-Control-Allow-Origin") == ADMIN


def test_a_post_from_an_allowed_origin_is_answered_with_its_header(api, invoicing_organizer):
    reply = api.post(invoicing_organizer.url("events", "conf", "orders"), invoicing_organizer.token,
                     body={"email": "dummy@dummy.test", "locale": "en",
                           "positions": [{"description": "Ticket", "price": "10.00", "tax_rate": "19.00"}]},
                     headers={"Origin": SHOP, "X-Idempotency-Key": "cors-post-1"})
    assert reply.status == 201, reply
    assert reply.header("Access-Control-Allow-Origin") == SHOP


def test_without_an_origin_or_from_another_origin_no_cors_header_is_sent(api, invoicing_organizer):
    plain = api.get(invoicing_organizer.invoices_url("conf"), invoicing_organizer.token)
    foreign = api.get(invoicing_organizer.invoices_url("conf"), invoicing_organizer.token, headers={"Origin": ELSEWHERE})
    assert plain.status == foreign.status == 200
    assert plain.header("Access-Control-Allow-Origin") is None
    assert foreign.header("Access-Control-Allow-Origin") is None


def test_an_options_request_without_cors_configured_is_not_a_preflight(monkeypatch):
    # Given the default AllowedOrigins (empty)
    from invoicing import config
    from invoicing_http import cors

    monkeypatch.setenv("ALLOWED_ORIGINS", "")
    config.reset()
    # Then there is no CORS configuration, so OPTIONS goes through authentication like any method
    assert cors.config() is None
    assert not cors.is_preflight(cors.config(), {"httpMethod": "OPTIONS"})
    assert cors.added(None, {"headers": {"Origin": SHOP}}, {"statusCode": 200}) == {"statusCode": 200}
