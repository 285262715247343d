"""Authentication and permissions over HTTP: pretix's 401/403/405/404 answers, their messages and their order."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Organizer, make_revoked_token, make_token

pytestmark = pytest.mark.e2e

NO_PERMISSION = {"detail": "You do not have permission to perform this action."}
NOT_PROVIDED = "Authentication credentials were not provided."


@pytest.fixture(scope="module")
def shop(new_organizer) -> Organizer:
    """An organizer with two events, `conf` (one invoiced order) and `other` (one invoiced order)."""
    organizer = new_organizer("auth", invoice_generate="True")
    organizer.event("conf")
    organizer.event("other")
    organizer.order("conf")
    organizer.order("other")
    return organizer


@pytest.fixture(scope="module")
def conf_invoice(shop) -> str:
    return shop.invoice_numbers("conf")[0]


@pytest.fixture(scope="module")
def other_invoice(shop) -> str:
    return shop.invoice_numbers("other")[0]


# --- 401 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, NOT_PROVIDED),
        ("", NOT_PROVIDED),
        ("Basic dXNlcjpwYXNz", NOT_PROVIDED),
        ("Bearer some-oauth-token", NOT_PROVIDED),
        ("Token", "Invalid token header. No credentials provided."),
        ("token", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
        ("Token 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "Invalid token."),
        ("Token \xe9t\xe9", "Invalid token header. Token string should not contain invalid characters."),
    ],
    ids=["no-header", "empty", "basic", "bearer", "token-alone", "lower-case-keyword", "spaces", "unknown",
         "non-ascii"],
)
def test_unauthenticated_requests_get_401_with_drf_messages(api, shop, authorization, message):
    headers = {} if authorization is None else {"Authorization": authorization}

    reply = api.get(shop.invoices_url("conf"), headers=headers)

    assert reply.status == 401, reply
    assert reply.body == {"detail": message}
    assert reply.header("WWW-Authenticate") == "Token"
    assert reply.header("Content-Type").startswith("application/json")


def test_a_revoked_token_is_inactive(api, shop):
    secret = make_revoked_token(shop.slug)

    reply = api.get(shop.invoices_url("conf"), secret)

    assert reply.status == 401
    assert reply.body == {"detail": "Token inactive or deleted."}
    assert reply.header("WWW-Authenticate") == "Token"


def test_authentication_comes_before_everything_else(api):
    # An organizer that does not exist, a POST-only action and an unknown number: still 401 first
    reply = api.get("/api/v1/organizers/no-such-organizer/events/nope/invoices/X/regenerate/")

    assert reply.status == 401
    assert reply.body == {"detail": NOT_PROVIDED}


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
def test_unsafe_methods_without_credentials_are_401_too(api, shop, conf_invoice, method):
    reply = api.request(method, shop.invoices_url("conf", conf_invoice, "reissue"), body={})

    assert reply.status == 401
    assert reply.body == {"detail": NOT_PROVIDED}


# --- 403 ------------------------------------------------------------------------------------------


def test_unknown_organizer_is_403_not_404(api, shop):
    reply = api.get("/api/v1/organizers/no-such-organizer-x1/events/conf/invoices/", shop.token)

    assert reply.status == 403
    assert reply.body == NO_PERMISSION


def test_another_organizers_slug_is_403(api, shop, new_organizer):
    foreign = new_organizer("foreign", invoice_generate="True")
    foreign.event("conf")
    foreign.order("conf")

    for path in (foreign.invoices_url("conf"), foreign.invoices_url(), foreign.url("events"),
                 foreign.invoices_url("conf", "CONF-00001"), foreign.invoices_url(None, "CONF-00001")):
        reply = api.get(path, shop.token)
        assert reply.status == 403, (path, reply)
        assert reply.body == NO_PERMISSION


def test_unknown_event_is_403_not_404(api, shop):
    for path in (shop.invoices_url("no-such-event"), shop.invoices_url("no-such-event", "CONF-00001"),
                 shop.url("events", "no-such-event", "orders")):
        reply = api.get(path, shop.token)
        assert reply.status == 403, (path, reply)
        assert reply.body == NO_PERMISSION


def test_event_outside_the_tokens_limit_events_is_403(api, shop, other_invoice):
    limited = make_token(shop.slug, events=["conf"])

    assert api.get(shop.invoices_url("conf"), limited).status == 200
    for path in (shop.invoices_url("other"), shop.invoices_url("other", other_invoice)):
        reply = api.get(path, limited)
        assert reply.status == 403, (path, reply)
        assert reply.body == NO_PERMISSION
    reply = api.post(shop.invoices_url("other", other_invoice, "reissue"), limited)
    assert reply.status == 403
    assert reply.body == NO_PERMISSION


@pytest.mark.parametrize(
    ("method", "path_parts", "permissions"),
    [
        ("GET", ("invoices",), ("can_change_orders",)),
        ("GET", ("invoices", "{number}"), ("can_change_orders", "can_change_event_settings")),
        ("POST", ("invoices", "{number}", "reissue"), ("can_view_orders",)),
        ("POST", ("invoices", "{number}", "regenerate"), ("can_view_orders", "can_change_event_settings")),
        ("GET", ("orders",), ()),
    ],
    ids=["list-needs-view", "detail-needs-view", "reissue-needs-change", "regenerate-needs-change",
         "orders-need-view"],
)
def test_missing_permission_is_403(api, shop, conf_invoice, method, path_parts, permissions):
    token = make_token(shop.slug, permissions)
    parts = [part.replace("{number}", conf_invoice) for part in path_parts]

    reply = api.request(method, shop.url("events", "conf", *parts), token)

    assert reply.status == 403, reply
    assert reply.body == NO_PERMISSION


# --- Order of checks: 401 -> 403 -> 405 -> 404 ------------------------------------------------------


def test_get_on_a_post_only_action_is_403_without_view_and_405_with_it(api, shop):
    url = shop.invoices_url("conf", "NO-SUCH-NUMBER", "regenerate")

    without_view = api.get(url, make_token(shop.slug, ("can_change_orders",)))
    with_view = api.get(url, make_token(shop.slug, ("can_view_orders",)))

    assert without_view.status == 403
    assert without_view.body == NO_PERMISSION
    assert with_view.status == 405
    assert with_view.body == {"detail": 'Method "GET" not allowed.'}


def test_delete_on_the_list_is_403_without_change_and_405_with_it(api, shop):
    url = shop.invoices_url("conf")

    without_change = api.delete(url, make_token(shop.slug, ("can_view_orders",)))
    with_change = api.delete(url, make_token(shop.slug, ("can_change_orders",)))

    assert without_change.status == 403
    assert without_change.body == NO_PERMISSION
    assert with_change.status == 405
    assert with_change.body == {"detail": 'Method "DELETE" not allowed.'}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_on_the_detail_are_405_when_permitted(api, shop, conf_invoice, method):
    reply = api.request(method, shop.invoices_url("conf", conf_invoice), shop.token, body={})

    assert reply.status == 405
    assert reply.body == {"detail": f'Method "{method}" not allowed.'}


def test_method_check_comes_before_the_lookup(api, shop):
    reply = api.post(shop.invoices_url("conf", "NO-SUCH-NUMBER"), shop.token)

    assert reply.status == 405
    assert reply.body == {"detail": 'Method "POST" not allowed.'}


# --- 404 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [(), ("reissue",), ("regenerate",)], ids=["detail", "reissue", "regenerate"])
def test_unknown_invoice_number_is_404(api, shop, suffix):
    method = "POST" if suffix else "GET"

    for event in ("conf", None):
        reply = api.request(method, shop.invoices_url(event, "CONF-99999", *suffix), shop.token)
        assert reply.status == 404, (event, reply)
        assert reply.body == {"detail": "No Invoice matches the given query."}


def test_an_invoice_of_another_event_is_404_on_this_events_url(api, shop, other_invoice):
    reply = api.get(shop.invoices_url("conf", other_invoice), shop.token)

    assert reply.status == 404
    assert reply.body == {"detail": "No Invoice matches the given query."}


def test_organizer_level_hides_invoices_of_events_outside_the_tokens_scope(api, shop, conf_invoice, other_invoice):
    limited = make_token(shop.slug, events=["conf"])

    detail = api.get(shop.invoices_url(None, other_invoice), limited)
    visible = api.get(shop.invoices_url(None, conf_invoice), limited)
    listed = api.get(shop.invoices_url(), limited)
    listed_by_full_token = api.get(shop.invoices_url(), shop.token)

    assert detail.status == 404
    assert detail.body == {"detail": "No Invoice matches the given query."}
    assert visible.status == 200
    assert visible.body["event"] == "conf"
    assert listed.status == 200
    assert [invoice["number"] for invoice in listed.body["results"]] == [conf_invoice]
    assert listed.body["count"] == 1
    assert {invoice["number"] for invoice in listed_by_full_token.body["results"]} == {conf_invoice, other_invoice}
    assert listed_by_full_token.body["count"] == 2


def test_organizer_level_actions_on_invoices_outside_the_scope_are_404(api, shop, other_invoice):
    limited = make_token(shop.slug, events=["conf"])

    for action in ("reissue", "regenerate"):
        reply = api.post(shop.invoices_url(None, other_invoice, action), limited)
        assert reply.status == 404, (action, reply)
        assert reply.body == {"detail": "No Invoice matches the given query."}
    assert len(shop.invoice_numbers("other")) == 1  # nothing was reissued


def test_organizer_level_write_needs_change_permission_on_the_event(api, shop, conf_invoice):
    viewer = make_token(shop.slug, ("can_view_orders",))

    reply = api.post(shop.invoices_url(None, conf_invoice, "reissue"), viewer)

    assert reply.status == 404
    assert reply.body == {"detail": "No Invoice matches the given query."}
    assert shop.invoice_numbers("conf") == [conf_invoice]
