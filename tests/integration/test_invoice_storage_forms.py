"""List pages decode their items from DynamoDB's JSON without boto3's per-attribute parsing; an invoice whose
document is stored as a map (not the compact JSON string issuing writes) still reads the same."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from invoicing.errors import NotFound
from invoicing.invoices import read
from invoicing.pagination import PageRequest
from invoicing.storage import dynamo, keys
from tests.support import builders


def _setup():
    org = builders.organizer("shop", invoice_generate="True")
    builders.event(org, "conf")
    for _ in range(3):
        builders.order(org, "conf")
    return org


def _page(org: str, **kwargs):
    visibility = read.Visibility(events=frozenset({"conf"}), fixed_event="conf")
    return read.list_invoices(org, read.InvoiceFilters(), "nr", PageRequest(page=1, page_size=2, **kwargs), visibility)


def test_a_list_page_has_the_documents_boto3_would_give(aws):
    org = _setup()
    expected = []
    for number in ("CONF-00001", "CONF-00002"):
        item = dynamo.get_item(keys.invoice_key(org, number))
        doc = json.loads(item["doc"])
        doc.update({name: item.get(name) for name in ("transmission_provider", "transmission_status",
                                                      "transmission_date")})
        expected.append(doc)
    page = _page(org)
    assert page.results == expected
    following = _page(org, cursor=page.next_cursor)
    assert [doc["number"] for doc in following.results] == ["CONF-00003"]


def test_an_item_in_dynamodbs_json_decodes_as_boto3_does():
    raw = {"s": {"S": "x"}, "n": {"N": "1.50"}, "z": {"NULL": True}, "b": {"BOOL": False},
           "m": {"M": {"k": {"L": [{"N": "2"}, {"S": "y"}]}}}, "ss": {"SS": ["a", "b"]}}
    assert dynamo.decode_item(raw) == {"s": "x", "n": Decimal("1.50"), "z": None, "b": False,
                                       "m": {"k": [Decimal(2), "y"]}, "ss": {"a", "b"}}


def test_a_document_stored_as_a_map_reads_like_the_json_form(aws):
    org = _setup()
    visibility = read.Visibility(events=frozenset({"conf"}), fixed_event="conf")
    before_list = _page(org).results
    before_detail = read.get_invoice(org, "CONF-00001", visibility).doc
    for number in ("CONF-00001", "CONF-00002"):
        key = keys.invoice_key(org, number)
        doc = json.loads(dynamo.get_item(key)["doc"])
        dynamo.client().update_item(TableName=dynamo.table_name(), Key=key, UpdateExpression="SET #d = :d",
                                    ExpressionAttributeNames={"#d": "doc"}, ExpressionAttributeValues={":d": doc})
        assert isinstance(dynamo.get_item(key)["doc"], dict)
    assert read.get_invoice(org, "CONF-00001", visibility).doc == before_detail
    assert read.get_document(org, "CONF-00001", visibility) == before_detail
    assert _page(org).results == before_list


def test_a_detail_reads_the_document_as_the_whole_invoice_has_it(aws):
    org = _setup()
    visibility = read.Visibility(events=frozenset({"conf"}), fixed_event="conf")
    assert read.get_document(org, "CONF-00002", visibility) == read.get_invoice(org, "CONF-00002", visibility).doc
    elsewhere = read.Visibility(events=frozenset({"other"}), fixed_event="other")
    with pytest.raises(NotFound, match="No Invoice matches the given query"):
        read.get_document(org, "CONF-00002", elsewhere)
    with pytest.raises(NotFound, match="No Invoice matches the given query"):
        read.get_document(org, "CONF-09999", visibility)


def test_the_wire_size_of_a_document_is_what_its_json_escaping_takes():
    from invoicing.storage.invoices import stored_json, wire_size

    for doc in ({"a": 'say "hi"', "b": "back\\slash", "c": "line\nbreak\ttab"}, {"name": "Müller ß €"}, {}):
        stored = stored_json(doc)
        assert wire_size({"doc": stored}) == len(json.dumps(stored)) * 6 // 5
