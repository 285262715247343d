"""Malformed requests against every route of template.yaml: junk path parameters, every method, broken and
hostile bodies, wrong types for every order field, odd query strings, bad credentials. Whatever comes in,
the answer is a client error or a success with a JSON body (or a 204/301) and never a 5xx."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from invoicing_infra.template import Template
from tests.e2e.conftest import TEMPLATE, Api, Organizer, make_revoked_token, order_body

pytestmark = pytest.mark.e2e

ROUTES = Template.load(TEMPLATE).api_routes()
API_ROUTES = [route for route in ROUTES if "{organizer}" in route.path]
DOCS_ROUTES = [route for route in ROUTES if "{organizer}" not in route.path]
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
ACTIONS = {
    "ApiOrdersFunction": ["mark_paid", "create_invoice", "mark_canceled", "bogus"],
    "ApiInvoicesFunction": ["regenerate", "download", "transmit", "retransmit", "reissue", "bogus"],
    "ApiBillingFunction": ["download", "bogus"],
}
# Path segments as sent on the wire (already percent-encoded where needed).
JUNK_SEGMENTS = [
    "%00",
    "%00%01%1f%7f",
    quote("ünïcødé-😀-日本語"),
    "A" * 3000,
    "%ff%fe%fd",  # not UTF-8
    "..",
    "%2F..%2F..%2Fetc%2Fpasswd",
    "%20",
    quote("' OR '1'='1"),
    quote("<script>alert(1)</script>"),
    "-1",
    "null",
    "CONF-00001" + "%00",
]
FEW_JUNK = ["%00", "A" * 3000, quote("ünï😀")]
ONE_MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Body:
    name: str
    data: bytes | None
    content_type: str | None = "application/json"


def as_json(name: str, value: Any) -> Body:
    return Body(name, json.dumps(value).encode())


SHAPE_BODIES = [
    Body("none", None, None),
    Body("empty", b""),
    Body("invalid-json", b"{not json"),
    Body("truncated-json", b'{"positions": [{"price": "1"'),
    as_json("array", [1, 2, 3]),
    as_json("number", 123),
    as_json("string", "abc"),
    as_json("null", None),
    as_json("true", True),
    as_json("nested-garbage", {"a": {"b": [{"c": [None, {"d": 1e308}]}]}, "positions": {"x": [[[]]]}}),
    Body("deeply-nested", b"[" * 100_000 + b"]" * 100_000),
    Body("deeply-nested-object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    Body("not-utf8", b'{"email": "\xff\xfe\xfd"}'),
    Body("bom", b'\xef\xbb\xbf{"slug": "x"}'),
    Body("nan", b'{"positions": [{"description": "x", "price": NaN}], "invoice_generate": NaN}'),
    Body("huge-number", b'{"positions": [{"description": "x", "price": 1' + b"0" * 5000 + b'}]}'),
    Body("form-encoded", b"email=a%40b.de&positions=1", "application/x-www-form-urlencoded"),
    Body("json-as-text", b'{"email": "a@b.de"}', "text/plain"),
]


def _order_with(**changes: Any) -> dict[str, Any]:
    return order_body(**changes)


def _position(**changes: Any) -> dict[str, Any]:
    return {"description": "Ticket", "price": "23.00", "tax_rate": "19.00", **changes}


# Every field of an order with a wrong type or an out-of-range value: each must be refused with 400.
INVALID_ORDERS: dict[str, dict[str, Any]] = {
    "code-number": _order_with(code=123),
    "code-empty": _order_with(code=""),
    "code-too-long": _order_with(code="A" * 17),
    "code-bad-characters": _order_with(code="AB C!"),
    "code-list": _order_with(code=["A"]),
    "status-unknown": _order_with(status="x"),
    "status-canceled": _order_with(status="c"),
    "status-number": _order_with(status=1),
    "email-number": _order_with(email=123),
    "email-invalid": _order_with(email="no-at-sign"),
    "email-too-long": _order_with(email="a" * 250 + "@b.de"),
    "locale-number": _order_with(locale=5),
    "locale-invalid": _order_with(locale="../../etc"),
    "locale-too-long": _order_with(locale="en-" + "x" * 20),
    "testmode-string": _order_with(testmode="maybe"),
    "testmode-object": _order_with(testmode={}),
    "payment-provider-number": _order_with(payment_provider=1),
    "payment-provider-too-long": _order_with(payment_provider="x" * 300),
    "payment-provider-text-list": _order_with(payment_provider_text=["x"]),
    "payment-stamp-too-long": _order_with(payment_provider_stamp="x" * 101),
    "address-string": _order_with(invoice_address="Main street"),
    "address-list": _order_with(invoice_address=[]),
    "address-country-unknown": _order_with(invoice_address={"country": "XX"}),
    "address-country-too-long": _order_with(invoice_address={"country": "DEU"}),
    "address-is-business-string": _order_with(invoice_address={"is_business": "maybe"}),
    "address-name-number": _order_with(invoice_address={"name": 5}),
    "address-name-too-long": _order_with(invoice_address={"name": "x" * 2001}),
    "address-transmission-type": _order_with(invoice_address={"transmission_type": "fax"}),
    "address-transmission-info-list": _order_with(invoice_address={"transmission_info": ["a"]}),
    "address-transmission-info-values": _order_with(invoice_address={"transmission_info": {"a": {"b": 1}}}),
    "positions-missing": {"email": "a@b.de"},
    "positions-empty": _order_with(positions=[]),
    "positions-string": _order_with(positions="abc"),
    "positions-object": _order_with(positions={"description": "x"}),
    "positions-numbers": _order_with(positions=[1, 2]),
    "positions-null-item": _order_with(positions=[None]),
    "position-empty": _order_with(positions=[{}]),
    "position-too-many": _order_with(positions=[_position() for _ in range(501)]),
    "price-abc": _order_with(positions=[_position(price="abc")]),
    "price-null": _order_with(positions=[_position(price=None)]),
    "price-list": _order_with(positions=[_position(price=["1"])]),
    "price-bool": _order_with(positions=[_position(price=True)]),
    "price-nan": _order_with(positions=[_position(price="NaN")]),
    "price-infinity": _order_with(positions=[_position(price="Infinity")]),
    "price-exponent": _order_with(positions=[_position(price="1e999")]),
    "price-too-large": _order_with(positions=[_position(price="100000000000.01")]),
    "price-too-small": _order_with(positions=[_position(price="-1e12")]),
    "price-too-precise": _order_with(positions=[_position(price="0.001")]),
    "price-huge-integer": _order_with(positions=[_position(price=10**400)]),
    "price-float-precise": _order_with(positions=[_position(price=0.1 + 0.2)]),
    "tax-rate-1000": _order_with(positions=[_position(tax_rate="1000")]),
    "tax-rate-negative": _order_with(positions=[_position(tax_rate="-1")]),
    "tax-rate-abc": _order_with(positions=[_position(tax_rate="abc")]),
    "tax-rate-precise": _order_with(positions=[_position(tax_rate="19.001")]),
    "tax-name-number": _order_with(positions=[_position(tax_name=19)]),
    "description-empty": _order_with(positions=[_position(description="")]),
    "description-too-long": _order_with(positions=[_position(description="x" * 501)]),
    "description-object": _order_with(positions=[_position(description={"en": "x"})]),
    "positionid-zero": _order_with(positions=[_position(positionid=0)]),
    "positionid-string": _order_with(positions=[_position(positionid="one")]),
    "positionid-huge": _order_with(positions=[_position(positionid=10**30)]),
    "positionid-duplicate": _order_with(positions=[_position(positionid=1), _position(positionid=1)]),
    "item-string": _order_with(positions=[_position(item="abc")]),
    "period-start-garbage": _order_with(positions=[_position(period_start="yesterday")]),
    "period-start-naive": _order_with(positions=[_position(period_start="2017-12-27T10:00:00")]),
    "attendee-name-list": _order_with(positions=[_position(attendee_name=["a"])]),
    "fees-string": _order_with(fees="abc"),
    "fee-empty": _order_with(fees=[{}]),
    "fee-type-unknown": _order_with(fees=[{"fee_type": "bogus", "value": "1.00"}]),
    "fee-value-abc": _order_with(fees=[{"fee_type": "payment", "value": "abc"}]),
    "fee-value-too-precise": _order_with(fees=[{"fee_type": "payment", "value": "1.005"}]),
    "fee-tax-rate-1000": _order_with(fees=[{"fee_type": "payment", "value": "1.00", "tax_rate": 1000}]),
    "fees-too-many": _order_with(fees=[{"fee_type": "payment", "value": "1.00"}] * 101),
}

INVALID_ORDER_PATCHES: dict[str, dict[str, Any]] = {
    "email-number": {"email": 5},
    "email-invalid": {"email": "nope"},
    "locale-invalid": {"locale": "!!"},
    "address-string": {"invoice_address": "x"},
    "address-country": {"invoice_address": {"country": "XX"}},
    "address-is-business": {"invoice_address": {"is_business": "maybe"}},
    "address-transmission-type": {"invoice_address": {"transmission_type": "carrier-pigeon"}},
}

INVALID_SETTINGS: dict[str, dict[str, Any]] = {
    "generate-unknown": {"invoice_generate": "maybe"},
    "generate-number": {"invoice_generate": 3},
    "counter-length-string": {"invoice_numbers_counter_length": "abc"},
    "counter-length-zero": {"invoice_numbers_counter_length": 0},
    "counter-length-huge": {"invoice_numbers_counter_length": 10**20},
    "prefix-characters": {"invoice_numbers_prefix": "ÄÖ$§"},
    "prefix-too-long": {"invoice_numbers_prefix": "A" * 156},
    "prefix-list": {"invoice_numbers_prefix": ["A"]},
    "regenerate-allowed-string": {"invoice_regenerate_allowed": "maybe"},
    "consecutive-object": {"invoice_numbers_consecutive": {}},
    "from-country": {"invoice_address_from_country": "XX"},
    "from-name-number": {"invoice_address_from_name": 12},
    "currency-display": {"invoice_foreign_currency_display": "euro"},
    "currency-rate-abc": {"invoice_foreign_currency_rate": "abc"},
    "currency-rate-negative": {"invoice_foreign_currency_rate": "-1"},
    "currency-rate-date": {"invoice_foreign_currency_rate_date": "not-a-date"},
}

INVALID_EVENTS: dict[str, dict[str, Any]] = {
    "slug-missing": {"name": "X", "date_from": "2017-12-27T10:00:00Z"},
    "slug-number": {"slug": 5, "name": "X", "date_from": "2017-12-27T10:00:00Z"},
    "slug-characters": {"slug": "a b/c", "name": "X", "date_from": "2017-12-27T10:00:00Z"},
    "slug-too-long": {"slug": "a" * 51, "name": "X", "date_from": "2017-12-27T10:00:00Z"},
    "slug-unicode": {"slug": "ünï", "name": "X", "date_from": "2017-12-27T10:00:00Z"},
    "name-empty": {"slug": "e1", "name": "", "date_from": "2017-12-27T10:00:00Z"},
    "name-number": {"slug": "e1", "name": 5, "date_from": "2017-12-27T10:00:00Z"},
    "name-nested": {"slug": "e1", "name": {"en": {"x": 1}}, "date_from": "2017-12-27T10:00:00Z"},
    "currency-lower": {"slug": "e1", "name": "X", "currency": "eur", "date_from": "2017-12-27T10:00:00Z"},
    "date-garbage": {"slug": "e1", "name": "X", "date_from": "soon"},
    "date-naive": {"slug": "e1", "name": "X", "date_from": "2017-12-27T10:00:00"},
    "date-number": {"slug": "e1", "name": "X", "date_from": 10**30},
    "date-to-before-from": {"slug": "e1", "name": "X", "date_from": "2017-12-27T10:00:00Z",
                            "date_to": "2017-12-26T10:00:00Z"},
    "timezone-unknown": {"slug": "e1", "name": "X", "date_from": "2017-12-27T10:00:00Z", "timezone": "Mars/Base"},
    "timezone-path": {"slug": "e1", "name": "X", "date_from": "2017-12-27T10:00:00Z", "timezone": "../../etc/passwd"},
    "timezone-nul": {"slug": "e1", "name": "X", "date_from": "2017-12-27T10:00:00Z", "timezone": "Europe/\u0000"},
    "locale-invalid": {"slug": "e1", "name": "X", "date_from": "2017-12-27T10:00:00Z", "locale": "!!"},
}


# The field each malformed case breaks, from the start of its name (the longest prefix wins): the 400 must
# name that field, as DRF's field errors do, with messages that are sentences.
ORDER_FIELDS = {
    "code": "code", "status": "status", "email": "email", "locale": "locale", "testmode": "testmode",
    "payment-provider": "payment_provider", "payment-provider-text": "payment_provider_text",
    "payment-stamp": "payment_provider_stamp", "address": "invoice_address", "positions": "positions",
    "position": "positions", "price": "positions", "tax-rate": "positions", "tax-name": "positions",
    "description": "positions", "positionid": "positions", "item": "positions", "period-start": "positions",
    "attendee-name": "positions", "fees": "fees", "fee": "fees",
}
SETTINGS_FIELDS = {
    "generate": "invoice_generate", "counter-length": "invoice_numbers_counter_length",
    "prefix": "invoice_numbers_prefix", "regenerate-allowed": "invoice_regenerate_allowed",
    "consecutive": "invoice_numbers_consecutive", "from-country": "invoice_address_from_country",
    "from-name": "invoice_address_from_name", "currency-display": "invoice_foreign_currency_display",
    "currency-rate": "invoice_foreign_currency_rate", "currency-rate-date": "invoice_foreign_currency_rate_date",
}
EVENT_FIELDS = {"slug": "slug", "name": "name", "currency": "currency", "date": "date_from",
                "date-to-before-from": "non_field_errors", "timezone": "timezone", "locale": "locale"}
PATCH_FIELDS = {"email": "email", "locale": "locale", "address": "invoice_address"}
# DRF's wording (rest_framework/fields.py: CharField, RegexField, IntegerField, DecimalField, DateTimeField,
# DateField, ChoiceField; Django's EmailValidator), so the messages are pinned, not just present. Every case
# whose answer was once pydantic's own text ("String should match pattern ...") is here.
DATETIME_FORMATS = "YYYY-MM-DDThh:mm[:ss[.uuuuuu]](+HH:MM|-HH:MM|Z)"  # DRF's ISO 8601 hint; the offset is required
BAD_DATETIME = f"Datetime has wrong format. Use one of these formats instead: {DATETIME_FORMATS}."
NO_PATTERN = "This value does not match the required pattern."
DRF_MESSAGES = {
    ("order", "positions-missing"): {"positions": ["This field is required."]},
    ("order", "email-invalid"): {"email": ["Enter a valid email address."]},
    ("order", "testmode-string"): {"testmode": ["Must be a valid boolean."]},
    ("order", "status-unknown"): {"status": ['"x" is not a valid choice.']},
    ("order", "price-abc"): {"positions": [{"price": ["A valid number is required."]}]},
    ("order", "code-empty"): {"code": ["This field may not be blank."]},
    ("order", "code-bad-characters"): {"code": [NO_PATTERN]},
    ("order", "locale-invalid"): {"locale": [NO_PATTERN]},
    ("order", "positions-empty"): {"positions": ["This list may not be empty."]},
    # The API's limit is 1e11 (100 billion); DRF prints the limit as a plain number.
    ("order", "price-too-large"): {"positions": [{"price": ["Ensure this value is less than or equal to 100000000000."]}]},
    ("order", "price-exponent"): {"positions": [{"price": ["Ensure this value is less than or equal to 100000000000."]}]},
    ("order", "price-too-small"): {"positions": [{"price": [
        "Ensure this value is greater than or equal to -100000000000."]}]},
    ("order", "tax-rate-1000"): {"positions": [{"tax_rate": ["Ensure this value is less than or equal to 100."]}]},
    ("order", "tax-rate-negative"): {"positions": [{"tax_rate": ["Ensure this value is greater than or equal to 0."]}]},
    ("order", "tax-rate-precise"): {"positions": [{"tax_rate": ["Ensure that there are no more than 2 decimal places."]}]},
    ("order", "description-empty"): {"positions": [{"description": ["This field may not be blank."]}]},
    ("order", "positionid-zero"): {"positions": [{"positionid": ["Ensure this value is greater than or equal to 1."]}]},
    ("order", "positionid-huge"): {"positions": [{"positionid": ["Ensure this value is less than or equal to 10000."]}]},
    ("order", "period-start-garbage"): {"positions": [{"period_start": [BAD_DATETIME]}]},
    ("order", "period-start-naive"): {"positions": [{"period_start": [BAD_DATETIME]}]},
    ("order", "fee-tax-rate-1000"): {"fees": [{"tax_rate": ["Ensure this value is less than or equal to 100."]}]},
    ("order", "position-too-many"): {"positions": ["Ensure this field has no more than 500 elements."]},
    ("patch", "locale-invalid"): {"locale": [NO_PATTERN]},
    ("settings", "generate-unknown"): {"invoice_generate": ['"maybe" is not a valid choice.']},
    ("settings", "generate-number"): {"invoice_generate": ['"3" is not a valid choice.']},
    ("settings", "counter-length-string"): {"invoice_numbers_counter_length": ["A valid integer is required."]},
    ("settings", "counter-length-zero"): {"invoice_numbers_counter_length": [
        "Ensure this value is greater than or equal to 1."]},
    ("settings", "counter-length-huge"): {"invoice_numbers_counter_length": [
        "Ensure this value is less than or equal to 12."]},
    ("settings", "prefix-too-long"): {"invoice_numbers_prefix": ["Ensure this field has no more than 155 characters."]},
    ("settings", "prefix-list"): {"invoice_numbers_prefix": ["Not a valid string."]},
    ("settings", "regenerate-allowed-string"): {"invoice_regenerate_allowed": ["Must be a valid boolean."]},
    ("settings", "consecutive-object"): {"invoice_numbers_consecutive": ["Must be a valid boolean."]},
    ("settings", "from-name-number"): {"invoice_address_from_name": ["Not a valid string."]},
    ("settings", "currency-rate-abc"): {"invoice_foreign_currency_rate": ["A valid number is required."]},
    # DRF has min_value only; the rate must be above zero, said in its words.
    ("settings", "currency-rate-negative"): {"invoice_foreign_currency_rate": ["Ensure this value is greater than 0."]},
    ("settings", "currency-rate-date"): {"invoice_foreign_currency_rate_date": [
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
    ("event", "slug-characters"): {"slug": [NO_PATTERN]},
    ("event", "slug-unicode"): {"slug": [NO_PATTERN]},
    ("event", "currency-lower"): {"currency": [NO_PATTERN]},
    ("event", "date-garbage"): {"date_from": [BAD_DATETIME]},
    ("event", "date-naive"): {"date_from": [BAD_DATETIME]},
    ("event", "date-number"): {"date_from": [BAD_DATETIME]},
}
# Every message the API may send for a field: DRF's templates (rest_framework/fields.py, Django's validators)
# and pretix's own sentences for its rules.
DRF_SENTENCES = [re.compile(pattern) for pattern in (
    r"This field is required\.", r"This field may not be blank\.", r"Not a valid string\.",
    r"Ensure this field has no more than \d+ (characters|elements)\.", r"Must be a valid boolean\.",
    r"A valid integer is required\.", r"A valid number is required\.",
    r"Ensure this value is (less|greater) than( or equal to)? -?\d+\.",
    r"Ensure that there are no more than \d+ decimal places\.", r'".*" is not a valid choice\.',
    r'Expected a list of items but got type "\w+"\.', r"This list may not be empty\.",
    r"Invalid data\. Expected a dictionary, but got \w+\.", r"Enter a valid email address\.",
    re.escape(BAD_DATETIME), re.escape("Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    re.escape(NO_PATTERN),
    # pretix's own rules
    r"Position IDs need to be unique\.", r"The end of the event has to be later than its start\.",
    r"Please only use the characters A-Z, a-z, 0-9, -_\. and the placeholders %Y, %y, %m, %d, %j in this field\.",
    re.escape('Enter a text, or an object of language code to text such as {"en": "...", "de": "..."}.'),
)]


def field_of(case: str, fields: dict[str, str]) -> str:
    prefix = max((p for p in fields if case == p or case.startswith(p + "-")), key=len)
    return fields[prefix]


def messages(tree: Any) -> list[str]:
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, dict):
        return [m for value in tree.values() for m in messages(value)]
    if isinstance(tree, list):
        return [m for value in tree for m in messages(value)]
    return [repr(tree)]


def assert_field_errors(reply, kind: str, case: str, fields: dict[str, str]) -> None:
    assert reply.status == 400, reply
    field = field_of(case, fields)
    assert isinstance(reply.body, dict) and field in reply.body, (field, reply.body)
    assert messages(reply.body[field]), reply.body
    if (kind, case) in DRF_MESSAGES:
        assert reply.body == DRF_MESSAGES[(kind, case)]

QUERIES = [
    "page=-1",
    "page=0",
    "page=99999999999999999999",
    "page=1e3",
    "page=%00",
    "page=last&page=abc",
    "page_size=-1",
    "page_size=99999999999999999999",
    "page_size=%00",
    "ordering=bogus",
    "ordering=-",
    "ordering=" + "nr," * 500,
    "ordering=%00",
    "cursor=garbage",
    "cursor=" + "A" * 5000,
    "cursor=eyJrIjp7fSwicCI6Mn0",  # base64 of {"k":{},"p":2}, unsigned
    "cursor=%00%ff",
    "page=2&cursor=" + quote('{"k": {"PK": "ORG#other#INV"}, "p": 2, "s": "x"}'),
    "order=%00&number=%ff",
    "order=" + "A" * 5000,
    "number=" + "&number=".join(str(n) for n in range(300)),
    "is_cancellation=%00",
    "refers=" + "x" * 5000,
    "locale=%ff%fe",
    "%ff=%ff",
    "a" * 10 + "=" + "b" * 5000,
]


@pytest.fixture(scope="module")
def shop(new_organizer) -> Organizer:
    organizer = new_organizer("junk", invoice_generate="True")
    organizer.event("conf")
    organizer.order("conf", code="JUNK1")
    organizer.order("conf", code="JUNK2")
    return organizer


def route_id(route) -> str:
    return f"{route.method}:{route.path}"


def fill(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def real_values(route, shop: Organizer) -> Iterable[dict[str, str]]:
    base = {"organizer": shop.slug, "event": "conf", "code": "JUNK2", "number": "CONF-00002"}
    if "{action}" in route.path:
        for action in ACTIONS[route.function_id]:
            yield {**base, "action": action}
    else:
        yield base


def junk_values(route, shop: Organizer) -> Iterable[dict[str, str]]:
    """Every parameter junk at once (each junk value), and each parameter alone junk (a few values)."""
    base = next(iter(real_values(route, shop)))
    names = [name for name in base if "{" + name + "}" in route.path]
    for junk in JUNK_SEGMENTS:
        yield dict.fromkeys(names, junk)
    for name in names:
        for junk in FEW_JUNK:
            yield {**base, name: junk}


def url_of(route, values: dict[str, str]) -> str:
    path = fill(route.path, values)
    return path if route in DOCS_ROUTES else path + "/"


@dataclass
class Offender:
    method: str
    path: str
    sent: str
    status: int
    raw: bytes

    def __repr__(self) -> str:
        return f"\n  {self.method} {self.path[:160]} [{self.sent}] -> {self.status} {self.raw[:300]!r}"


class Battery:
    """Sends requests and collects every answer that is a 5xx or has neither a JSON body nor a bodiless status
    (a PDF download excepted)."""

    def __init__(self, api: Api):
        self.api = api
        self.offenders: list[Offender] = []
        self.sent = 0

    def send(self, method: str, path: str, token: str | None = None, body: Body | None = None,
             authorization: str | None = None, expect: set[int] | None = None, html_ok: bool = False) -> None:
        headers = {"Content-Type": body.content_type} if body is not None and body.content_type else {}
        data = body.data if body is not None else None
        reply = self.api.request(method, path, token, data=data, headers=headers, authorization=authorization)
        self.sent += 1
        ok = reply.status < 500
        if reply.status in (204, 301, 304):
            ok = ok and (reply.status != 301 or bool(reply.header("Location")))
        elif reply.status == 200 and reply.header("Content-Type") == "application/pdf":  # a download
            ok = reply.raw.startswith(b"%PDF-") and path.rstrip("/").endswith("/download")
        elif html_ok and (reply.header("Content-Type") or "").startswith("text/html"):
            ok = ok and bool(reply.raw)
        else:
            ok = ok and reply.is_json and (reply.header("Content-Type") or "").startswith("application/json")
        if expect is not None:
            ok = ok and reply.status in expect
        if not ok:
            self.offenders.append(Offender(method, path, body.name if body else "-", reply.status, reply.raw))

    def check(self) -> None:
        assert not self.offenders, f"{len(self.offenders)} of {self.sent} answers were wrong:{''.join(map(repr, self.offenders))}"


@pytest.fixture
def battery(api) -> Battery:
    return Battery(api)


# --- Every route, every method ------------------------------------------------------------------------


@pytest.mark.parametrize("route", API_ROUTES, ids=route_id)
def test_every_method_with_real_parameters_and_broken_bodies(battery, shop, route):
    for values in real_values(route, shop):
        path = url_of(route, values)
        for method in METHODS:
            for body in (None, SHAPE_BODIES[2], SHAPE_BODIES[4]):
                battery.send(method, path, shop.token, body)
        battery.send("GET", path.rstrip("/"), shop.token)  # the redirect
        battery.send("OPTIONS", path, shop.token)
    battery.check()


@pytest.mark.parametrize("route", API_ROUTES, ids=route_id)
def test_every_method_with_junk_path_parameters(battery, shop, route):
    for values in junk_values(route, shop):
        path = url_of(route, values)
        for method in METHODS:
            battery.send(method, path, shop.token)
        battery.send("POST", path, shop.token, SHAPE_BODIES[2])
    battery.check()


@pytest.mark.parametrize("route", API_ROUTES, ids=route_id)
def test_bad_credentials_are_401_on_every_route_and_method(battery, shop, route):
    revoked = make_revoked_token(shop.slug)
    authorizations = [None, "Token", "Token a b", "Token unknown-token", f"Token {revoked}", "Bearer x",
                      "Token " + "x" * 5000, "Token \x7f\x01"]
    paths = [url_of(route, next(iter(real_values(route, shop)))), url_of(route, dict.fromkeys(
        ["organizer", "event", "code", "number", "action"], "%00"))]
    for path in paths:
        for method in METHODS:
            for authorization in authorizations:
                battery.send(method, path, authorization=authorization, expect={401},
                             body=SHAPE_BODIES[2] if method != "GET" else None)
    battery.check()


@pytest.mark.parametrize("route", API_ROUTES, ids=route_id)
def test_every_body_shape_on_every_writing_method(battery, shop, route):
    path = url_of(route, next(iter(real_values(route, shop))))
    for method in ("POST", "PATCH", "PUT"):
        for body in SHAPE_BODIES:
            battery.send(method, path, shop.token, body)
    battery.check()


@pytest.mark.parametrize("route", API_ROUTES, ids=route_id)
def test_a_body_over_one_megabyte_is_413(battery, shop, route):
    path = url_of(route, next(iter(real_values(route, shop))))
    padding = "x" * (ONE_MEGABYTE + 1)
    huge = Body("huge", json.dumps({**order_body(), "email": "a@b.de", "padding": padding}).encode())
    for method in ("POST", "PATCH", "PUT", "DELETE"):
        battery.send(method, path, shop.token, huge, expect={413})
    battery.check()


@pytest.mark.parametrize("route", DOCS_ROUTES, ids=route_id)
def test_docs_routes_answer_cleanly_to_anything(battery, shop, route):
    path = route.path
    for method in METHODS:
        for body in (None, SHAPE_BODIES[2]):
            battery.send(method, path, body=body, html_ok=True)
            battery.send(method, path, shop.token, body, html_ok=True)
            battery.send(method, path + "?%ff=%00&page=-1", authorization="Token a b", body=body, html_ok=True)
    battery.check()


def test_an_unknown_path_answers_cleanly(battery, shop):
    for path in ("/", "/api/v1/", "/api/v1/organizers/", f"/api/v1/organizers/{shop.slug}/nothing/",
                 f"/api/v1/organizers/{shop.slug}/events/conf/invoices/CONF-00001/reissue/extra/", "/%00", "/" + "a" * 3000):
        for method in METHODS:
            battery.send(method, path, shop.token)
    battery.check()


# --- Queries ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", [route for route in API_ROUTES if "{number}" not in route.path and "{code}" not in route.path],
                         ids=route_id)
def test_odd_query_strings(battery, shop, route):
    path = url_of(route, next(iter(real_values(route, shop))))
    for query in QUERIES:
        battery.send("GET", f"{path}?{query}", shop.token)
    battery.check()


@pytest.mark.parametrize("query", ["page=-1", "page=0", "page=99999999999999999999", "page=abc", "page=1.0",
                                   "page=%00"])
def test_bad_page_numbers_are_404_invalid_page(api, shop, query):
    for path in (shop.invoices_url("conf"), shop.invoices_url(), shop.url("events", "conf", "orders"), shop.url("events")):
        reply = api.get(f"{path}?{query}", shop.token)
        assert reply.status == 404, (path, reply)
        assert reply.body == {"detail": "Invalid page."}


@pytest.mark.parametrize("query", ["ordering=bogus", "ordering=-", "ordering=%00", "ordering=nr%00"])
def test_unknown_ordering_falls_back_to_nr(api, shop, query):
    reply = api.get(shop.invoices_url("conf", query=query), shop.token)

    assert reply.status == 200, reply
    listed = [invoice["number"] for invoice in reply.body["results"]]
    assert listed[:2] == ["CONF-00001", "CONF-00002"]
    assert listed == sorted(listed)


@pytest.mark.parametrize("cursor", ["garbage", "A" * 5000, "eyJrIjp7fSwicCI6Mn0", "%00%ff"])
def test_a_forged_cursor_is_not_a_server_error(api, shop, cursor):
    for page in ("1", "2"):
        reply = api.get(shop.invoices_url("conf", query=f"page_size=1&page={page}&cursor={cursor}"), shop.token)
        assert reply.status < 500, reply
        assert reply.is_json, reply
        if reply.status == 200:
            # A cursor that is not ours must not change what page N holds.
            assert [invoice["number"] for invoice in reply.body["results"]] == [f"CONF-0000{page}"]


# --- Wrong types for every field ------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "body"), list(INVALID_ORDERS.items()), ids=list(INVALID_ORDERS))
def test_invalid_orders_are_400_with_field_errors(api, shop, case, body):
    reply = api.post(shop.url("events", "conf", "orders"), shop.token, body=body)

    assert_field_errors(reply, "order", case, ORDER_FIELDS)


def test_invalid_orders_create_nothing(api, new_organizer):
    shop = new_organizer("refused", invoice_generate="True")
    shop.event("conf")

    for body in INVALID_ORDERS.values():
        assert api.post(shop.url("events", "conf", "orders"), shop.token, body=body).status == 400

    assert api.get(shop.url("events", "conf", "orders"), shop.token).body["count"] == 0
    assert api.get(shop.invoices_url("conf"), shop.token).body["count"] == 0


@pytest.mark.parametrize(("case", "body"), list(INVALID_ORDER_PATCHES.items()), ids=list(INVALID_ORDER_PATCHES))
def test_invalid_order_patches_are_400(api, shop, case, body):
    reply = api.patch(shop.url("events", "conf", "orders", "JUNK1"), shop.token, body=body)

    assert_field_errors(reply, "patch", case, PATCH_FIELDS)


@pytest.mark.parametrize("level", ["organizer", "event"])
@pytest.mark.parametrize(("case", "body"), list(INVALID_SETTINGS.items()), ids=list(INVALID_SETTINGS))
def test_invalid_settings_are_400(api, shop, case, body, level):
    path = shop.url("settings") if level == "organizer" else shop.url("events", "conf", "settings")

    reply = api.patch(path, shop.token, body=body)

    assert_field_errors(reply, "settings", case, SETTINGS_FIELDS)


@pytest.mark.parametrize(("case", "body"), list(INVALID_EVENTS.items()), ids=list(INVALID_EVENTS))
def test_invalid_events_are_400(api, shop, case, body):
    reply = api.post(shop.url("events"), shop.token, body=body)

    assert_field_errors(reply, "event", case, EVENT_FIELDS)


def test_every_field_error_is_a_drf_sentence(api, shop):
    cases = [("POST", shop.url("events", "conf", "orders"), INVALID_ORDERS),
             ("PATCH", shop.url("events", "conf", "orders", "JUNK1"), INVALID_ORDER_PATCHES),
             ("PATCH", shop.url("settings"), INVALID_SETTINGS), ("POST", shop.url("events"), INVALID_EVENTS)]
    not_drf = {}
    seen = 0
    for method, path, bodies in cases:
        for case, body in bodies.items():
            reply = api.post(path, shop.token, body=body) if method == "POST" else api.patch(path, shop.token, body=body)
            found = messages(reply.body)
            seen += len(found)
            odd = [m for m in found if not any(sentence.fullmatch(m) for sentence in DRF_SENTENCES)]
            if odd:
                not_drf[case] = odd

    assert not_drf == {}
    assert seen >= len(INVALID_ORDERS) + len(INVALID_ORDER_PATCHES) + len(INVALID_SETTINGS) + len(INVALID_EVENTS)


# --- Documentation -------------------------------------------------------------------------------------


def test_openapi_document_is_public_json_with_the_invoice_paths(api):
    reply = api.get("/api/v1/openapi.json")

    assert reply.status == 200, reply
    assert reply.header("Content-Type").startswith("application/json")
    assert reply.body["openapi"].startswith("3.")
    paths = {path.rstrip("/") for path in reply.body.get("paths", {})}
    expected = {
        "/api/v1/organizers/{organizer}/events/{event}/invoices",
        "/api/v1/organizers/{organizer}/events/{event}/invoices/{number}",
        "/api/v1/organizers/{organizer}/events/{event}/invoices/{number}/reissue",
        "/api/v1/organizers/{organizer}/events/{event}/invoices/{number}/regenerate",
        "/api/v1/organizers/{organizer}/invoices",
        "/api/v1/organizers/{organizer}/invoices/{number}",
        "/api/v1/organizers/{organizer}/invoices/{number}/reissue",
        "/api/v1/organizers/{organizer}/invoices/{number}/regenerate",
    }
    assert expected <= paths, f"missing: {sorted(expected - paths)}"


def test_swagger_ui_is_public_html(api):
    reply = api.get("/api/v1/docs")

    assert reply.status == 200, reply
    assert reply.header("Content-Type").startswith("text/html")
    assert b"<html" in reply.raw.lower()
    assert b"openapi.json" in reply.raw or b"swagger" in reply.raw.lower()
