"""TransactWriteItems on the local stack's moto (infra/invoicing_infra/local/transactions.py): all or nothing,
CancellationReasons in item order, client request tokens, and gap-free numbers from one counter under
concurrency, over HTTP against the serialized moto server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

TABLE = "TransactionsTest"


@pytest.fixture
def dynamodb(aws_server):
    client = boto3.client("dynamodb", endpoint_url=aws_server, config=Config(max_pool_connections=20,
                                                                             retries={"max_attempts": 1}))
    client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                              {"AttributeName": "SK", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}])
    return client


def key(pk: str, sk: str = "A") -> dict:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def items(client) -> dict[tuple[str, str], dict]:
    return {(item["PK"]["S"], item["SK"]["S"]): item for item in client.scan(TableName=TABLE)["Items"]}


def test_a_failing_condition_in_the_last_item_leaves_every_item_as_it_was(dynamodb):
    # Given an existing item that the transaction updates, and one it deletes
    dynamodb.put_item(TableName=TABLE, Item={**key("updated"), "n": {"N": "1"}})
    dynamodb.put_item(TableName=TABLE, Item={**key("deleted"), "n": {"N": "7"}})
    dynamodb.put_item(TableName=TABLE, Item={**key("guard"), "state": {"S": "closed"}})
    before = items(dynamodb)

    # When a transaction puts, updates and deletes, and only its last condition fails
    with pytest.raises(ClientError, match="TransactionCanceledException") as caught:
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {**key("new"), "n": {"N": "2"}}}},
            {"Update": {"TableName": TABLE, "Key": key("updated"), "UpdateExpression": "SET n = n + :one, extra = :x",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":x": {"S": "x"}}}},
            {"Delete": {"TableName": TABLE, "Key": key("deleted")}},
            {"Update": {"TableName": TABLE, "Key": key("created-by-update"), "UpdateExpression": "SET n = :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": TABLE, "Key": key("guard"), "ConditionExpression": "#s = :open",
                                "ExpressionAttributeNames": {"#s": "state"},
                                "ExpressionAttributeValues": {":open": {"S": "open"}}}},
        ])

    # Then nothing changed, and the reasons name the last item only, in item order
    assert items(dynamodb) == before
    reasons = [reason["Code"] for reason in caught.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "None", "ConditionalCheckFailed"]


def test_reasons_follow_item_order_with_several_failures(dynamodb):
    dynamodb.put_item(TableName=TABLE, Item={**key("exists"), "n": {"N": "1"}})
    with pytest.raises(ClientError, match="TransactionCanceledException") as caught:
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": key("exists"), "ConditionExpression": "attribute_not_exists(PK)"}},
            {"Put": {"TableName": TABLE, "Item": key("fresh")}},
            {"Delete": {"TableName": TABLE, "Key": key("missing"), "ConditionExpression": "attribute_exists(PK)"}},
        ])
    assert [reason["Code"] for reason in caught.value.response["CancellationReasons"]] == [
        "ConditionalCheckFailed", "None", "ConditionalCheckFailed"]
    assert set(items(dynamodb)) == {("exists", "A")}


def test_two_operations_on_one_item_are_refused_and_undone(dynamodb):
    dynamodb.put_item(TableName=TABLE, Item={**key("twice"), "n": {"N": "1"}})
    with pytest.raises(ClientError, match="multiple operations on one item"):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {**key("twice"), "n": {"N": "2"}}}},
            {"Delete": {"TableName": TABLE, "Key": key("twice")}},
        ])
    assert items(dynamodb)[("twice", "A")]["n"] == {"N": "1"}


def test_a_client_request_token_applies_a_transaction_once(dynamodb):
    increment = [{"Update": {"TableName": TABLE, "Key": key("counter"), "UpdateExpression": "ADD n :one",
                             "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
    dynamodb.transact_write_items(TransactItems=increment, ClientRequestToken="token-1")
    dynamodb.transact_write_items(TransactItems=increment, ClientRequestToken="token-1")  # a retry: no second write
    assert items(dynamodb)[("counter", "A")]["n"] == {"N": "1"}

    dynamodb.transact_write_items(TransactItems=increment, ClientRequestToken="token-2")
    assert items(dynamodb)[("counter", "A")]["n"] == {"N": "2"}

    other = [{"Put": {"TableName": TABLE, "Item": key("other")}}]
    with pytest.raises(ClientError, match="IdempotentParameterMismatch"):
        dynamodb.transact_write_items(TransactItems=other, ClientRequestToken="token-1")
    assert ("other", "A") not in items(dynamodb)


def test_a_failed_transaction_does_not_use_up_its_token(dynamodb):
    guarded = [{"Put": {"TableName": TABLE, "Item": key("guarded"), "ConditionExpression": "attribute_exists(PK)"}}]
    with pytest.raises(ClientError, match="TransactionCanceledException"):
        dynamodb.transact_write_items(TransactItems=guarded, ClientRequestToken="retry-me")
    dynamodb.put_item(TableName=TABLE, Item={**key("guarded"), "n": {"N": "1"}})
    dynamodb.transact_write_items(TransactItems=guarded, ClientRequestToken="retry-me")
    assert items(dynamodb)[("guarded", "A")] == key("guarded")


def test_concurrent_transactions_on_one_counter_give_gap_free_numbers(dynamodb):
    # Given 8 writers that each take the next number: read the counter, then in one transaction raise it
    # (if unchanged) and write the numbered document (if new); retry on cancellation.
    def issue_one() -> int:
        while True:
            current = dynamodb.get_item(TableName=TABLE, Key=key("counter"), ConsistentRead=True).get("Item")
            value = int(current["n"]["N"]) if current else 0
            condition = ({"ConditionExpression": "n = :old", "ExpressionAttributeValues": {":old": {"N": str(value)},
                                                                                            ":new": {"N": str(value + 1)}}}
                         if current else {"ConditionExpression": "attribute_not_exists(PK)",
                                          "ExpressionAttributeValues": {":new": {"N": "1"}}})
            try:
                dynamodb.transact_write_items(TransactItems=[
                    {"Update": {"TableName": TABLE, "Key": key("counter"), "UpdateExpression": "SET n = :new",
                                **condition}},
                    {"Put": {"TableName": TABLE, "Item": {**key("doc", f"{value + 1:05d}")},
                             "ConditionExpression": "attribute_not_exists(PK)"}},
                ])
                return value + 1
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise

    # When they take 80 numbers at once
    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(lambda _: issue_one(), range(80)))

    # Then the numbers are 1..80, each once, and the table holds exactly those documents and the counter at 80
    assert sorted(numbers) == list(range(1, 81))
    stored = items(dynamodb)
    assert sorted(sk for pk, sk in stored if pk == "doc") == [f"{n:05d}" for n in range(1, 81)]
    assert stored[("counter", "A")]["n"] == {"N": "80"}


def test_a_transaction_copies_the_items_it_names_not_the_table(dynamodb, monkeypatch):
    import copy

    from moto.dynamodb.models import Table
    from moto.dynamodb.models.dynamo_type import Item

    # Given a table of 300 items
    for number in range(300):
        dynamodb.put_item(TableName=TABLE, Item={**key("doc", f"{number:05d}"), "n": {"N": str(number)}})
    copied: list[type] = []
    deepcopy = copy.deepcopy

    def recording_deepcopy(value, memo=None):
        if memo is None:  # top-level calls only
            copied.append(type(value))
        return deepcopy(value, memo)

    monkeypatch.setattr(copy, "deepcopy", recording_deepcopy)

    # When a transaction of two items fails on its second and is rolled back
    with pytest.raises(ClientError, match="TransactionCanceledException"):
        dynamodb.transact_write_items(TransactItems=[
            {"Update": {"TableName": TABLE, "Key": key("doc", "00001"), "UpdateExpression": "SET n = :n",
                        "ExpressionAttributeValues": {":n": {"N": "-1"}}}},
            {"Put": {"TableName": TABLE, "Item": key("doc", "00002"), "ConditionExpression": "attribute_not_exists(PK)"}},
        ])

    # Then no table was copied, only the items it names, and the update was undone
    monkeypatch.undo()
    assert Table not in copied
    assert 2 <= copied.count(Item) <= 3  # the undo record of both items (+ moto's own copy inside update_item)
    assert items(dynamodb)[("doc", "00001")]["n"] == {"N": "1"}


def test_item_versions_and_copies_are_freed(dynamodb):
    import gc

    from moto.dynamodb.models.dynamo_type import Item

    # Given one item updated 150 times, by transactions (which copy it) and by UpdateItem
    for number in range(75):
        dynamodb.transact_write_items(TransactItems=[{"Update": {
            "TableName": TABLE, "Key": key("counter"), "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
        dynamodb.update_item(TableName=TABLE, Key=key("counter"), UpdateExpression="ADD n :one",
                             ExpressionAttributeValues={":one": {"N": "1"}})
    assert items(dynamodb)[("counter", "A")]["n"] == {"N": "150"}

    # Then moto does not keep the copies alive (it used to track every model object it made)
    gc.collect()
    assert sum(1 for obj in gc.get_objects() if isinstance(obj, Item)) < 20
