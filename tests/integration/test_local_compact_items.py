"""moto's DynamoDB values in the local stack's compact layout (infra/invoicing_infra/local/compact_items.py):
slotted, attribute names shared between items, and every DynamoDB operation the stack uses unchanged."""

from __future__ import annotations

import sys
from decimal import Decimal

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamo_type

from invoicing_infra.local import compact_items, journal

REGION = "eu-central-1"


@pytest.fixture
def table(aws_server):
    resource = boto3.resource("dynamodb", endpoint_url=aws_server, region_name=REGION)
    created = resource.create_table(
        TableName="CompactItemsTest", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}])
    yield created
    created.delete()


def stored(pk: str):
    return journal.dynamodb_backend(DEFAULT_ACCOUNT_ID, REGION).get_table("CompactItemsTest").get_item(
        dynamo_type.DynamoType({"S": pk}))


def test_every_dynamodb_module_of_moto_uses_the_compact_class(aws_server):
    compact = dynamo_type.DynamoType
    assert compact.moto_class is not compact and "__slots__" in vars(compact)
    holders = [module for name, module in sys.modules.items()
               if name.startswith("moto.dynamodb") and hasattr(module, "DynamoType")]
    assert len(holders) >= 4 and all(module.DynamoType is compact for module in holders)
    compact_items.install()  # a second call changes nothing
    assert dynamo_type.DynamoType is compact


def test_stored_values_have_no_instance_dictionary(table):
    table.put_item(Item={"PK": "a", "doc": {"lines": [{"price": Decimal("1.50")}]}})
    doc = stored("a").attrs["doc"]
    line = doc.value["lines"].value[0]
    for value in (doc, line, line.value["price"]):
        assert not hasattr(value, "__dict__")
    assert line.value["price"].cast_value == Decimal("1.50")


def test_attribute_names_are_one_string_shared_by_every_item(table):
    # Names built at run time, as a request's JSON brings them: equal strings, distinct objects.
    name = "".join(["tax", "_rate"])
    table.put_item(Item={"PK": "a", "doc": {name: Decimal(19)}})
    table.put_item(Item={"PK": "b", "doc": {"".join(["tax_", "rate"]): Decimal(7)}})
    first = next(iter(stored("a").attrs["doc"].value))
    second = next(iter(stored("b").attrs["doc"].value))
    assert first == second == "tax_rate" and first is second


def test_updates_conditions_and_projections_work_on_compact_values(table):
    table.put_item(Item={"PK": "a", "doc": {"lines": [{"qty": 1}], "tags": {"x"}}, "n": 1})
    table.update_item(Key={"PK": "a"},
                      UpdateExpression="SET doc.#l[0].qty = doc.#l[0].qty + :one, doc.note = :note "
                                       "ADD doc.tags :y, n :one REMOVE doc.gone",
                      ConditionExpression="attribute_exists(doc.#l) AND n = :one",
                      ExpressionAttributeNames={"#l": "lines"},
                      ExpressionAttributeValues={":one": 1, ":note": "ü", ":y": {"y"}})
    with pytest.raises(table.meta.client.exceptions.ConditionalCheckFailedException):
        table.put_item(Item={"PK": "a"}, ConditionExpression="attribute_not_exists(PK)")
    assert table.get_item(Key={"PK": "a"}, ProjectionExpression="doc")["Item"] == {
        "doc": {"lines": [{"qty": 2}], "tags": {"x", "y"}, "note": "ü"}}
    assert table.get_item(Key={"PK": "a"})["Item"]["n"] == 2
