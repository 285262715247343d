"""Query on the local stack's moto (infra/invoicing_infra/local/queries.py): a table query reads its partition
only, and table and index queries answer as DynamoDB does (key order, direction, pages, conditions, filters)."""

from __future__ import annotations

import random

import boto3
import pytest
from moto.dynamodb.models.table import Table

TABLE = "QueriesTest"


@pytest.fixture
def dynamodb(aws_server):
    client = boto3.client("dynamodb", endpoint_url=aws_server)
    client.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("PK", "SK", "G", "GS")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "ByG", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"},
                                               {"AttributeName": "GS", "KeyType": "RANGE"}]}])
    # Items written in a shuffled order, so storage order is not key order: 5 partitions of 12 items; every
    # third item is in the index, and index sort keys repeat (ties broken by the table's keys).
    rows = [(f"P{p}", f"S{s:02d}") for p in range(5) for s in range(12)]
    random.Random(7).shuffle(rows)
    for pk, sk in rows:
        item = {"PK": {"S": pk}, "SK": {"S": sk}, "n": {"N": str(int(sk[1:]))}}
        if int(sk[1:]) % 3 == 0:
            item |= {"G": {"S": "all"}, "GS": {"S": f"g{int(sk[1:]) % 2}"}}
        client.put_item(TableName=TABLE, Item=item)
    return client


def keys(items: list[dict]) -> list[tuple[str, str]]:
    return [(item["PK"]["S"], item["SK"]["S"]) for item in items]


def query_all(client, **kwargs) -> list[dict]:
    """Every page, following LastEvaluatedKey."""
    items, start = [], {}
    while True:
        response = client.query(TableName=TABLE, **kwargs, **start)
        items += response["Items"]
        if "LastEvaluatedKey" not in response:
            return items
        start = {"ExclusiveStartKey": response["LastEvaluatedKey"]}


def test_a_table_query_answers_from_its_partition_without_listing_the_table(dynamodb, monkeypatch):
    # Given moto's whole-table listing made unusable
    def no_listing(self):
        raise AssertionError("the table query listed the whole table")

    monkeypatch.setattr(Table, "all_items", no_listing)

    # When a partition is queried forwards, backwards, in pages of 5 and with a sort key condition
    forward = query_all(dynamodb, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": {"S": "P3"}})
    backward = query_all(dynamodb, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": {"S": "P3"}},
                         ScanIndexForward=False, Limit=5)
    between = dynamodb.query(TableName=TABLE, KeyConditionExpression="PK = :p AND SK BETWEEN :a AND :b",
                             ExpressionAttributeValues={":p": {"S": "P1"}, ":a": {"S": "S04"}, ":b": {"S": "S06"}})

    # Then each has exactly that partition's items in sort key order
    expected = [("P3", f"S{s:02d}") for s in range(12)]
    assert keys(forward) == expected
    assert keys(backward) == expected[::-1]
    assert keys(between["Items"]) == [("P1", "S04"), ("P1", "S05"), ("P1", "S06")]
    assert between["ScannedCount"] == 3


def test_a_query_of_a_missing_partition_is_empty(dynamodb):
    response = dynamodb.query(TableName=TABLE, KeyConditionExpression="PK = :p",
                              ExpressionAttributeValues={":p": {"S": "nobody"}})
    assert response["Items"] == [] and response["Count"] == 0


def test_a_filter_counts_scanned_items_before_filtering(dynamodb):
    response = dynamodb.query(TableName=TABLE, KeyConditionExpression="PK = :p AND begins_with(SK, :s)",
                              FilterExpression="n > :n",
                              ExpressionAttributeValues={":p": {"S": "P0"}, ":s": {"S": "S0"}, ":n": {"N": "6"}})
    assert keys(response["Items"]) == [("P0", "S07"), ("P0", "S08"), ("P0", "S09")]
    assert (response["Count"], response["ScannedCount"]) == (3, 10)


@pytest.mark.parametrize("forward", [True, False])
def test_an_index_query_orders_by_index_keys_then_table_keys_across_pages(dynamodb, forward):
    items = query_all(dynamodb, IndexName="ByG", KeyConditionExpression="G = :g",
                      ExpressionAttributeValues={":g": {"S": "all"}}, ScanIndexForward=forward, Limit=4)

    # Index sort key g0 (sort keys 0 and 6) before g1 (3 and 9), and within one index key by PK, then SK
    expected = sorted(((f"g{s % 2}", f"P{p}", f"S{s:02d}") for p in range(5) for s in (0, 3, 6, 9)),
                      reverse=not forward)
    assert [(item["GS"]["S"], item["PK"]["S"], item["SK"]["S"]) for item in items] == expected


def test_moto_lists_a_response_class_s_methods_once(aws_server, monkeypatch):
    from invoicing_infra.local import dispatch

    listed = []
    names_of = dispatch.method_names_from_class
    monkeypatch.setattr(dispatch, "method_names_from_class", lambda clazz: listed.append(clazz) or names_of(clazz))
    monkeypatch.setattr(dispatch, "_names", {})
    client = boto3.client("dynamodb", endpoint_url=aws_server)

    assert TABLE not in client.list_tables()["TableNames"]
    client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}])
    assert TABLE in client.list_tables()["TableNames"]

    assert [clazz.__name__ for clazz in listed] == ["DynamoHandler"]


def test_an_index_query_answers_only_its_own_hash_key(dynamodb):
    for n in range(6):
        dynamodb.put_item(TableName=TABLE, Item={"PK": {"S": f"Q{n % 2}"}, "SK": {"S": f"T{n}"}, "G": {"S": "few"},
                                                 "GS": {"S": "same"}})
    items = query_all(dynamodb, IndexName="ByG", KeyConditionExpression="G = :g AND GS = :s", Limit=4,
                      ExpressionAttributeValues={":g": {"S": "few"}, ":s": {"S": "same"}}, ScanIndexForward=False)
    assert keys(items) == sorted(((f"Q{n % 2}", f"T{n}") for n in range(6)), reverse=True)
    assert query_all(dynamodb, IndexName="ByG", KeyConditionExpression="G = :g",
                     ExpressionAttributeValues={":g": {"S": "none"}}) == []
