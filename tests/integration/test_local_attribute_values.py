"""DynamoDB AttributeValues in the local stack's moto responses (infra/invoicing_infra/local/attribute_values.py):
written exactly as moto's own shape walk writes them, and read back by boto3 as they were stored."""

from __future__ import annotations

import json
from decimal import Decimal

import boto3
from moto.core.responses import XFormedAttributePicker
from moto.core.serialize import JSONSerializer
from moto.core.utils import get_service_model

from invoicing_infra.local import attribute_values

ITEM = {
    "PK": {"S": "ORG#shop"}, "SK": {"S": "INV#00001"}, "empty": {"S": ""}, "total": {"N": "-12.50"},
    "blob": {"B": b"\x00\xffPDF"}, "tags": {"SS": ["a", "b"]}, "amounts": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [b"x", b"\x01\x02"]}, "nothing": {"NULL": True}, "flag": {"BOOL": False},
    "doc": {"M": {"lines": {"L": [{"M": {"price": {"N": "399.00"}, "name": {"S": "Ticket"}}}, {"L": []},
                                  {"SS": ["z"]}, {"NULL": True}]},
                  "empty_map": {"M": {}}, "note": {"S": "ü ✓"}}},
}


def serialize(result: dict, walk) -> str:
    """GetItem's response body as moto's JSON serializer writes it, AttributeValues by `walk`."""
    operation = get_service_model("dynamodb").operation_model("GetItem")
    serializer = JSONSerializer(operation_model=operation, value_picker=XFormedAttributePicker())
    original = JSONSerializer._serialize_type_structure
    JSONSerializer._serialize_type_structure = walk
    try:
        return serializer.serialize(result)["body"]
    finally:
        JSONSerializer._serialize_type_structure = original


def test_attribute_values_are_written_as_moto_writes_them():
    result = {"Item": ITEM}
    moto_body = serialize(result, attribute_values._moto_serialize_structure)
    assert serialize(result, attribute_values._serialize_type_structure) == moto_body
    assert json.loads(moto_body)["Item"]["blob"] == {"B": "AP9QREY="}


def test_a_value_that_is_not_a_plain_attribute_value_takes_moto_s_walk():
    odd = {"Item": {"PK": {"S": "x"}, "n": {"N": 5}, "l": {"L": [None]}, "other": {"s": "lower case"}}}
    assert serialize(odd, attribute_values._serialize_type_structure) == serialize(
        odd, attribute_values._moto_serialize_structure)


def test_boto3_reads_back_what_it_stored(aws_server):
    client = boto3.resource("dynamodb", endpoint_url=aws_server, region_name="eu-central-1")
    table = client.create_table(TableName="AttributeValuesTest", BillingMode="PAY_PER_REQUEST",
                                AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
                                KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}])
    item = {"PK": "a", "n": Decimal("1.10"), "b": b"\x00\x01", "s": {"x", "y"}, "ns": {Decimal(3)},
            "m": {"l": [Decimal(1), "two", None, True, {"deep": [b"z"]}]}, "t": False, "e": ""}
    table.put_item(Item=item)
    assert table.get_item(Key={"PK": "a"})["Item"] == {**item, "b": boto3.dynamodb.types.Binary(b"\x00\x01"),
                                                       "m": {"l": [Decimal(1), "two", None, True,
                                                                   {"deep": [boto3.dynamodb.types.Binary(b"z")]}]}}
