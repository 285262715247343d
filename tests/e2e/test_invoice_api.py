"""The invoice API over HTTP as a pretix client sees it: list shape, redirects, pagination, filters, ordering,
detail, and the actions (reissue, regenerate, order cancellation, create_invoice) with idempotency keys."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.e2e.conftest import Organizer, make_token, unique_slug

pytestmark = pytest.mark.e2e

ALREADY_CANCELED = ["The invoice has already been canceled."]
INVALID_PAGE = {"detail": "Invalid page."}

# The read-only data set: six orders with known codes (two in German), the last one canceled.
CODES = ["ALPHA1", "BRAVO2", "CHARLY3", "DELTA4", "ECHO5", "FOXTROT6"]
GERMAN = {"DELTA4", "ECHO5"}
CANCELED = "FOXTROT6"
ORIGINALS = [f"CONF-{n:05d}" for n in range(1, 7)]  # one per order, in creation order
CANCELLATION = "CONF-00007"  # the cancellation of FOXTROT6's invoice
ALL = [*ORIGINALS, CANCELLATION]


@pytest.fixture(scope="module")
def shop(new_organizer) -> Organizer:
    """Given an organizer that invoices on order creation, an event `conf` with the orders above, and an
    event `other` with one invoiced order."""
    organizer = new_organizer("list", invoice_generate="True")
    organizer.event("conf")
    for code in CODES:
        order = organizer.order("conf", code=code, locale="de" if code in GERMAN else "en")
        assert len(order["invoices"]) == 1
    assert organizer.order_action("conf", CANCELED, "mark_canceled").status == 200
    organizer.event("other")
    organizer.order("other", code="OTHER1")
    return organizer


def numbers(reply) -> list[str]:
    assert reply.status == 200, reply
    return [invoice["number"] for invoice in reply.body["results"]]


def listed(shop: Organizer, query: str = "", event: str | None = "conf") -> list[str]:
    return numbers(shop.api.get(shop.invoices_url(event, query=query), shop.token))


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# --- Shape and redirects -------------------------------------------------------------------------------


def test_list_has_pretix_shape(api, shop):
    reply = api.get(shop.invoices_url("conf"), shop.token)

    assert reply.status == 200
    assert reply.header("Content-Type").startswith("application/json")
    assert list(reply.body) == ["count", "next", "previous", "results"]
    assert reply.body["count"] == 7
    assert reply.body["next"] is None
    assert reply.body["previous"] is None
    assert [invoice["number"] for invoice in reply.body["results"]] == ALL
    assert {invoice["event"] for invoice in reply.body["results"]} == {"conf"}


def test_organizer_level_list_spans_events(api, shop):
    reply = api.get(shop.invoices_url(), shop.token)

    assert reply.status == 200
    assert reply.body["count"] == 8
    assert [(invoice["event"], invoice["number"]) for invoice in reply.body["results"]] == [
        *(("conf", number) for number in ALL), ("other", "OTHER-00001")]


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/events/conf/invoices", ""),
        ("/events/conf/invoices", "?page_size=2&order=alpha1&order=bravo2&b=%C3%A4"),
        ("/events/conf/invoices/CONF-00001", "?x=1"),
        ("/invoices", "?ordering=-nr"),
        ("/invoices/CONF-00001", ""),
        ("/events/conf/orders", "?page=1"),
        ("/events/conf", ""),
        ("/settings", ""),
    ],
)
def test_get_without_trailing_slash_is_a_permanent_redirect_keeping_the_query(api, shop, path, query):
    base = f"/api/v1/organizers/{shop.slug}{path}"

    reply = api.get(base + query, shop.token)

    assert reply.status == 301, reply
    location = urlsplit(reply.header("Location"))
    assert location.path == base + "/"
    assert query_of(reply.header("Location")) == parse_qsl(query.lstrip("?"), keep_blank_values=True)
    assert api.get(reply.header("Location"), shop.token).status == 200


def test_redirect_on_the_stage_prefixed_url_keeps_the_stage(api, shop):
    # Through the execute-api URL (https://<id>.execute-api.<region>.amazonaws.com/prod/...), API Gateway
    # serves only paths that start with the stage: a Location without it leads nowhere.
    base = f"/prod/api/v1/organizers/{shop.slug}/events/conf/invoices"

    reply = api.get(base + "?page_size=2", shop.token)

    assert reply.status == 301, reply
    assert urlsplit(reply.header("Location")).path == base + "/"


@pytest.mark.parametrize("prefix", ["", "/prod"], ids=["custom-domain", "execute-api"])
def test_next_and_previous_links_point_at_the_url_the_client_used(api, shop, stack, prefix):
    path = f"{prefix}/api/v1/organizers/{shop.slug}/events/conf/invoices/"

    reply = api.get(f"{path}?page_size=2&page=2", shop.token)

    assert reply.status == 200, reply
    for link in (reply.body["next"], reply.body["previous"]):
        parts = urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == stack.api_url
        assert parts.path == path, link


def test_the_redirect_happens_before_authentication(api, shop):
    reply = api.get(f"/api/v1/organizers/{shop.slug}/events/conf/invoices")

    assert reply.status == 301
    assert urlsplit(reply.header("Location")).path.endswith("/invoices/")


# --- Pagination -----------------------------------------------------------------------------------------


def test_page_size_two_walks_every_page_through_next_and_back_through_previous(api, shop, stack):
    stack_url = urlsplit(stack.api_url)
    pages = []
    url: str | None = shop.invoices_url("conf", query="page_size=2&zeta=1&alpha=a")
    while url:
        reply = api.get(url, shop.token)
        assert reply.status == 200, reply
        assert reply.body["count"] == 7
        pages.append(reply.body)
        url = reply.body["next"]

    assert [[invoice["number"] for invoice in page["results"]] for page in pages] == [
        ALL[0:2], ALL[2:4], ALL[4:6], ALL[6:7]]
    for number, page in enumerate(pages, start=1):
        for link in ("next", "previous"):
            if page[link] is None:
                continue
            parts = urlsplit(page[link])
            assert (parts.scheme, parts.netloc) == (stack_url.scheme, stack_url.netloc), page[link]
            assert parts.path.endswith(f"/api/v1/organizers/{shop.slug}/events/conf/invoices/")
            params = query_of(page[link])
            assert [name for name, _ in params] == sorted(name for name, _ in params)  # sorted, as pretix
            assert ("page_size", "2") in params and ("zeta", "1") in params and ("alpha", "a") in params
        next_params = dict(query_of(page["next"])) if page["next"] else None
        previous_params = dict(query_of(page["previous"])) if page["previous"] else None
        assert (next_params or {}).get("page") == (str(number + 1) if number < 4 else None)
        if number == 1:
            assert previous_params is None
        elif number == 2:
            assert "page" not in previous_params  # a link to page 1 carries no page parameter
        else:
            assert previous_params["page"] == str(number - 1)
    # Following previous from the last page lands on the page before it.
    back = api.get(pages[-1]["previous"], shop.token)
    assert numbers(back) == ALL[4:6]


@pytest.mark.parametrize(("page", "expected"), [("1", ALL[0:2]), ("2", ALL[2:4]), ("4", ALL[6:]), ("last", ALL[6:]),
                                                ("", ALL[0:2])])
def test_page_parameter_selects_a_page(api, shop, page, expected):
    reply = api.get(shop.invoices_url("conf", query=f"page_size=2&page={page}"), shop.token)

    assert numbers(reply) == expected
    assert reply.body["count"] == 7


def test_page_last_links_back_to_the_page_before(api, shop):
    reply = api.get(shop.invoices_url("conf", query="page_size=2&page=last"), shop.token)

    assert reply.body["next"] is None
    assert dict(query_of(reply.body["previous"])) == {"page": "3", "page_size": "2"}


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "5", "99999999999999999999", "1.5", "last2", "%00"])
def test_invalid_page_is_404(api, shop, page):
    reply = api.get(shop.invoices_url("conf", query=f"page_size=2&page={page}"), shop.token)

    assert reply.status == 404, reply
    assert reply.body == INVALID_PAGE


def test_invalid_page_is_404_at_organizer_level_too(api, shop):
    reply = api.get(shop.invoices_url(query="page=9"), shop.token)

    assert reply.status == 404
    assert reply.body == INVALID_PAGE


def test_page_one_of_an_empty_list_is_fine(api, shop):
    reply = api.get(shop.invoices_url("conf", query="order=NOSUCH&page=1"), shop.token)

    assert reply.status == 200
    assert reply.body == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("page_size", ["0", "-5", "abc", "", "1e3", "%00"])
def test_page_size_that_is_not_a_positive_integer_falls_back_to_50(api, shop, page_size):
    reply = api.get(shop.invoices_url("conf", query=f"page_size={page_size}"), shop.token)

    assert numbers(reply) == ALL
    assert reply.body["next"] is None


@pytest.fixture(scope="module")
def big_shop(new_organizer) -> Organizer:
    """Given an event with 52 invoiced orders: more than the largest page."""
    organizer = new_organizer("big", invoice_generate="True")
    organizer.event("conf")
    for _ in range(52):
        organizer.order("conf")
    return organizer


@pytest.mark.parametrize("page_size", [None, "50", "51", "1000", "0", "abc"])
def test_page_size_is_at_most_50(api, big_shop, page_size):
    query = f"page_size={page_size}" if page_size is not None else ""

    reply = api.get(big_shop.invoices_url("conf", query=query), big_shop.token)

    assert reply.body["count"] == 52
    assert numbers(reply) == [f"CONF-{n:05d}" for n in range(1, 51)]
    assert dict(query_of(reply.body["next"]))["page"] == "2"
    second = api.get(reply.body["next"], big_shop.token)
    assert numbers(second) == ["CONF-00051", "CONF-00052"]


def test_page_number_beyond_the_first_without_a_cursor_works(api, big_shop):
    reply = api.get(big_shop.invoices_url("conf", query="page_size=7&page=5"), big_shop.token)

    assert numbers(reply) == [f"CONF-{n:05d}" for n in range(29, 36)]


# --- Filters --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("order=ALPHA1", ["CONF-00001"]),
        ("order=alpha1", ["CONF-00001"]),  # case-insensitive
        ("order=alpha1&order=Charly3", ["CONF-00001", "CONF-00003"]),  # repeatable: a union
        (f"order={CANCELED}", ["CONF-00006", CANCELLATION]),
        ("order=NOSUCH", []),
        ("order=", []),  # an empty multi-valued filter matches nothing
        ("number=CONF-00002", ["CONF-00002"]),
        ("number=conf-00002", ["CONF-00002"]),
        ("number=conf-00002&number=CONF-00005&number=nope", ["CONF-00002", "CONF-00005"]),
        ("number=", []),
        ("number=OTHER-00001", []),  # another event's invoice
        ("is_cancellation=true", [CANCELLATION]),
        ("is_cancellation=TRUE", [CANCELLATION]),
        ("is_cancellation=1", [CANCELLATION]),
        ("is_cancellation=false", ORIGINALS),
        ("is_cancellation=False", ORIGINALS),
        ("is_cancellation=0", ORIGINALS),
        ("is_cancellation=maybe", ALL),  # not a boolean: ignored
        ("is_cancellation=", ALL),
        ("refers=CONF-00006", [CANCELLATION]),
        ("refers=conf-00006", [CANCELLATION]),
        ("refers=CONF-00001", []),
        ("refers=", ALL),  # an empty single-valued filter is ignored
        ("locale=de", ["CONF-00004", "CONF-00005"]),
        ("locale=DE", []),  # exact and case-sensitive
        ("locale=en", ["CONF-00001", "CONF-00002", "CONF-00003", "CONF-00006", CANCELLATION]),
        ("locale=", ALL),
        ("locale=fr&locale=de", ["CONF-00004", "CONF-00005"]),  # single-valued: the last one wins
        ("order=FOXTROT6&is_cancellation=true", [CANCELLATION]),
        ("order=FOXTROT6&is_cancellation=false", ["CONF-00006"]),
        ("order=delta4&order=alpha1&locale=de", ["CONF-00004"]),
        ("is_cancellation=false&locale=de", ["CONF-00004", "CONF-00005"]),
        ("unknown=1&foo=bar", ALL),
    ],
)
def test_filters(api, shop, query, expected):
    reply = api.get(shop.invoices_url("conf", query=query), shop.token)

    assert numbers(reply) == expected
    assert reply.body["count"] == len(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("order=OTHER1", ["OTHER-00001"]),
        ("number=other-00001&number=conf-00001", ["CONF-00001", "OTHER-00001"]),
        ("is_cancellation=true", [CANCELLATION]),
        ("locale=de", ["CONF-00004", "CONF-00005"]),
    ],
)
def test_filters_at_organizer_level(api, shop, query, expected):
    reply = api.get(shop.invoices_url(query=query), shop.token)

    assert numbers(reply) == expected
    assert reply.body["count"] == len(expected)


def test_filtered_lists_paginate_too(api, shop):
    first = api.get(shop.invoices_url("conf", query="is_cancellation=false&page_size=4"), shop.token)
    second = api.get(first.body["next"], shop.token)

    assert first.body["count"] == 6
    assert numbers(first) == ORIGINALS[:4]
    assert numbers(second) == ORIGINALS[4:]
    assert ("is_cancellation", "false") in query_of(first.body["next"])


# --- Ordering -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, ALL),
        ("nr", ALL),
        ("-nr", ALL[::-1]),
        ("number", ALL),  # documented as equal to nr
        # Every invoice here has today's date; pretix breaks ties newest-created first.
        ("date", ALL[::-1]),
        ("-date", ALL[::-1]),
        ("foo", ALL),  # invalid: the default applies
        ("", ALL),
        ("foo,-nr", ALL[::-1]),  # invalid fields are dropped
        ("-foo", ALL),
    ],
)
def test_ordering(api, shop, ordering, expected):
    query = f"ordering={ordering}" if ordering is not None else ""

    assert listed(shop, query) == expected


@pytest.mark.parametrize(("ordering", "expected"), [("nr", ["CONF-00001", "CONF-00003", "CONF-00006", CANCELLATION]),
                                                    ("-nr", [CANCELLATION, "CONF-00006", "CONF-00003", "CONF-00001"])])
def test_ordering_applies_to_filtered_lists(api, shop, ordering, expected):
    assert listed(shop, f"order=alpha1&order=charly3&order=foxtrot6&ordering={ordering}") == expected


def test_ordering_by_nr_at_organizer_level_is_by_the_number_string(api, shop):
    assert listed(shop, "ordering=nr", event=None) == [*ALL, "OTHER-00001"]
    assert listed(shop, "ordering=-nr", event=None) == ["OTHER-00001", *ALL[::-1]]


def test_ordering_survives_pagination(api, shop):
    walked = []
    url: str | None = shop.invoices_url("conf", query="ordering=-nr&page_size=3")
    while url:
        reply = api.get(url, shop.token)
        walked += numbers(reply)
        url = reply.body["next"]

    assert walked == ALL[::-1]


# --- Detail ---------------------------------------------------------------------------------------------


def test_detail(api, shop):
    reply = api.get(shop.invoices_url("conf", "CONF-00004"), shop.token)

    assert reply.status == 200
    invoice = reply.body
    assert invoice["number"] == "CONF-00004"
    assert invoice["order"] == "DELTA4"
    assert invoice["event"] == "conf"
    assert invoice["is_cancellation"] is False
    assert invoice["refers"] is None
    assert invoice["locale"] == "de"
    assert [(line["description"], line["gross_value"], line["tax_rate"]) for line in invoice["lines"]] == [
        ("Budget Ticket", "23.00", "19.00")]


def test_detail_of_a_cancellation_refers_to_the_original(api, shop):
    invoice = shop.invoice(CANCELLATION, "conf")

    assert invoice["is_cancellation"] is True
    assert invoice["refers"] == "CONF-00006"
    assert invoice["order"] == CANCELED
    assert [line["gross_value"] for line in invoice["lines"]] == ["-23.00"]


def test_detail_at_organizer_level_equals_event_level(api, shop):
    assert shop.invoice("CONF-00002") == shop.invoice("CONF-00002", "conf")
    assert shop.invoice("OTHER-00001")["event"] == "other"


@pytest.mark.parametrize("number", ["conf-00002", "CONF-2", "CONF-000002"])
def test_detail_lookup_is_exact(api, shop, number):
    reply = api.get(shop.invoices_url("conf", number), shop.token)

    assert reply.status == 404
    assert reply.body == {"detail": "No Invoice matches the given query."}


# --- Actions --------------------------------------------------------------------------------------------


@pytest.fixture
def sold(invoicing_organizer) -> tuple[Organizer, str]:
    """An invoicing organizer with one order and its invoice CONF-00001; returns (organizer, order code)."""
    order = invoicing_organizer.order("conf", code="ORDER1")
    assert order["invoices"] == ["CONF-00001"]
    return invoicing_organizer, "ORDER1"


def test_reissue_cancels_and_issues_a_new_invoice(api, sold):
    shop, code = sold

    reply = api.post(shop.invoices_url("conf", "CONF-00001", "reissue"), shop.token)

    assert reply.status == 204
    assert reply.raw == b""
    assert shop.invoice_numbers("conf") == ["CONF-00001", "CONF-00002", "CONF-00003"]
    cancellation, new = shop.invoice("CONF-00002"), shop.invoice("CONF-00003")
    assert (cancellation["is_cancellation"], cancellation["refers"], cancellation["order"]) == (True, "CONF-00001", code)
    assert (new["is_cancellation"], new["refers"], new["order"]) == (False, None, code)
    assert shop.invoice("CONF-00001")["is_cancellation"] is False
    order = api.get(shop.url("events", "conf", "orders", code), shop.token).body
    assert order["invoices"] == ["CONF-00001", "CONF-00002", "CONF-00003"]


def test_reissue_of_a_canceled_invoice_is_400_with_a_list_body(api, sold):
    shop, _ = sold
    assert api.post(shop.invoices_url("conf", "CONF-00001", "reissue"), shop.token).status == 204

    again = api.post(shop.invoices_url("conf", "CONF-00001", "reissue"), shop.token)
    regenerate = api.post(shop.invoices_url("conf", "CONF-00001", "regenerate"), shop.token)

    assert again.status == 400
    assert again.body == ALREADY_CANCELED
    assert regenerate.status == 400  # checked before "may not be regenerated"
    assert regenerate.body == ALREADY_CANCELED
    assert shop.invoice_numbers("conf") == ["CONF-00001", "CONF-00002", "CONF-00003"]


def test_reissue_at_organizer_level(api, sold):
    shop, _ = sold

    reply = api.post(shop.invoices_url(None, "CONF-00001", "reissue"), shop.token)

    assert reply.status == 204
    assert shop.invoice_numbers("conf") == ["CONF-00001", "CONF-00002", "CONF-00003"]


def test_regenerate_is_refused_until_the_organizer_allows_it(api, sold):
    shop, code = sold
    url = shop.invoices_url("conf", "CONF-00001", "regenerate")

    refused = api.post(url, shop.token)
    assert refused.status == 403
    assert refused.body == {"detail": "Invoice may not be regenerated."}

    assert shop.settings(invoice_regenerate_allowed=True)["invoice_regenerate_allowed"] is True
    changed = api.patch(shop.url("events", "conf", "orders", code), shop.token,
                        body={"invoice_address": {"name": "Jana Schulz", "city": "Berlin", "country": "DE"}})
    assert changed.status == 200, changed
    before = shop.invoice("CONF-00001")
    reply = api.post(url, shop.token)

    assert reply.status == 204
    assert reply.raw == b""
    after = shop.invoice("CONF-00001")
    assert (after["number"], after["date"], after["is_cancellation"]) == (before["number"], before["date"], False)
    assert after["invoice_to_name"] == "Jana Schulz"
    assert after["transmission_status"] == "pending"
    assert shop.invoice_numbers("conf") == ["CONF-00001"]  # in place: no new document


def test_regenerate_at_organizer_level(api, sold):
    shop, _ = sold
    shop.settings(invoice_regenerate_allowed=True)

    assert api.post(shop.invoices_url(None, "CONF-00001", "regenerate"), shop.token).status == 204


def test_mark_canceled_issues_a_cancellation(api, sold):
    shop, code = sold

    reply = shop.order_action("conf", code, "mark_canceled")

    assert reply.status == 200, reply
    assert reply.body["status"] == "c"
    assert reply.body["invoices"] == ["CONF-00001", "CONF-00002"]
    cancellation = shop.invoice("CONF-00002", "conf")
    assert (cancellation["is_cancellation"], cancellation["refers"]) == (True, "CONF-00001")
    assert listed(shop, "is_cancellation=true") == ["CONF-00002"]
    reissue = api.post(shop.invoices_url("conf", "CONF-00001", "reissue"), shop.token)
    assert reissue.status == 400
    assert reissue.body == ALREADY_CANCELED


def test_create_invoice_when_one_exists_is_400(api, sold):
    shop, code = sold

    reply = shop.order_action("conf", code, "create_invoice")

    assert reply.status == 400
    assert reply.body == {"detail": "An invoice for this order already exists."}


def test_create_invoice_issues_one_when_invoicing_is_manual(api, new_organizer):
    shop = new_organizer("manual", invoice_generate="admin")
    shop.event("conf")
    order = shop.order("conf", code="MANUAL1")
    assert order["invoices"] == []

    created = shop.order_action("conf", "MANUAL1", "create_invoice")
    again = shop.order_action("conf", "MANUAL1", "create_invoice")

    assert created.status == 201, created
    assert created.body["number"] == "CONF-00001"
    assert created.body["order"] == "MANUAL1"
    assert again.status == 400
    assert again.body == {"detail": "An invoice for this order already exists."}
    assert shop.invoice_numbers("conf") == ["CONF-00001"]


# --- Idempotency keys -----------------------------------------------------------------------------------


def test_a_repeated_reissue_with_the_same_key_is_replayed_without_running(api, sold):
    shop, _ = sold
    key = {"X-Idempotency-Key": unique_slug("reissue")}

    first = api.post(shop.invoices_url("conf", "CONF-00001", "reissue"), shop.token, headers=key)
    second = api.post(shop.invoices_url("conf", "CONF-00001", "reissue"), shop.token, headers=key)
    # Bound to its request (issue 10, stricter than pretix): on another path the key is refused, nothing runs.
    elsewhere = api.post(shop.invoices_url("conf", "CONF-00003", "reissue"), shop.token, headers=key)

    assert first.status == second.status == 204
    assert first.raw == second.raw == b""
    assert elsewhere.status == 400
    assert elsewhere.body == {"detail": "This idempotency key was already used for a different request."}
    assert shop.invoice_numbers("conf") == ["CONF-00001", "CONF-00002", "CONF-00003"]


def test_the_same_key_with_other_credentials_runs_independently(api, sold):
    shop, _ = sold
    key = {"X-Idempotency-Key": unique_slug("shared")}
    other_token = make_token(shop.slug)

    first = api.post(shop.invoices_url("conf", "CONF-00001", "reissue"), shop.token, headers=key)
    other = api.post(shop.invoices_url("conf", "CONF-00003", "reissue"), other_token, headers=key)

    assert first.status == other.status == 204
    assert shop.invoice_numbers("conf") == [f"CONF-{n:05d}" for n in range(1, 6)]


def test_a_stored_400_is_replayed(api, sold):
    shop, _ = sold
    assert api.post(shop.invoices_url("conf", "CONF-00001", "reissue"), shop.token).status == 204
    key = {"X-Idempotency-Key": unique_slug("error")}

    refused = api.post(shop.invoices_url("conf", "CONF-00001", "reissue"), shop.token, headers=key)
    replayed = api.post(shop.invoices_url("conf", "CONF-00001", "reissue"), shop.token, headers=key)

    assert refused.status == replayed.status == 400
    assert refused.body == replayed.body == ALREADY_CANCELED
    assert refused.raw == replayed.raw
    assert refused.header("Content-Type") == replayed.header("Content-Type")
    assert shop.invoice_numbers("conf") == ["CONF-00001", "CONF-00002", "CONF-00003"]  # CONF-00003 still live


def test_a_key_on_a_get_is_ignored(api, sold):
    shop, _ = sold
    key = {"X-Idempotency-Key": unique_slug("get")}

    before = api.get(shop.invoices_url("conf"), shop.token, headers=key)
    assert api.post(shop.invoices_url("conf", "CONF-00001", "reissue"), shop.token).status == 204
    after = api.get(shop.invoices_url("conf"), shop.token, headers=key)

    assert before.body["count"] == 1
    assert after.body["count"] == 3
