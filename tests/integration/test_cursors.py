"""storage.dynamo against moto: opaque signed cursors, and botocore errors mapped to domain errors in one place."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from invoicing import config
from invoicing.errors import Conflict, ValidationFailed
from invoicing.storage import dynamo

KEY = {"PK": "ORG#a#INV", "SK": "A-00007"}
INVALID = {"cursor": ["Invalid cursor."]}


@pytest.fixture
def secret(aws, monkeypatch):
    """A cursor key in Secrets Manager, named by CURSOR_SECRET_ARN as template.yaml names its CursorSecret."""
    arn = boto3.client("secretsmanager").create_secret(Name="TestCursorKey", SecretString="s3cret")["ARN"]
    monkeypatch.setenv("CURSOR_SECRET_ARN", arn)
    config.reset()
    return hashlib.sha256(b"s3cret").digest()


def forge(payload: dict, key: bytes) -> str:
    """A cursor made by hand from its documented format: 12 bytes of HMAC-SHA256, then the JSON, base64url."""
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(hmac.new(key, raw, hashlib.sha256).digest()[:12] + raw).decode().rstrip("=")


def test_a_cursor_carries_the_key_and_page_of_its_own_query(secret):
    cursor = dynamo.encode_cursor(KEY, "org=a;ordering=nr", 3)

    assert "=" not in cursor
    assert dynamo.decode_cursor(cursor, "org=a;ordering=nr") == (KEY, 3)
    scope = hashlib.sha256(b"org=a;ordering=nr").hexdigest()[:16]
    assert cursor == forge({"k": KEY, "s": scope, "p": 3}, secret)


def test_a_cursor_of_another_query_or_secret_is_refused(secret):
    cursor = dynamo.encode_cursor(KEY, "org=a", 2)

    with pytest.raises(ValidationFailed) as raised:
        dynamo.decode_cursor(cursor, "org=b")
    assert raised.value.errors == INVALID
    boto3.client("secretsmanager").put_secret_value(SecretId="TestCursorKey", SecretString="another")
    config.reset()  # a new cold start reads the new key
    with pytest.raises(ValidationFailed, match="Invalid cursor"):
        dynamo.decode_cursor(cursor, "org=a")


def test_the_key_is_read_once_per_cold_start(secret):
    cursor = dynamo.encode_cursor(KEY, "q", 1)
    boto3.client("secretsmanager").put_secret_value(SecretId="TestCursorKey", SecretString="changed meanwhile")

    assert dynamo.decode_cursor(cursor, "q") == (KEY, 1)  # still the key fetched first
    assert dynamo.encode_cursor(KEY, "q", 1) == cursor


def test_without_a_secret_no_cursor_is_made(aws, monkeypatch):
    monkeypatch.delenv("CURSOR_SECRET_ARN", raising=False)
    config.reset()
    with pytest.raises(config.ConfigurationError, match="CURSOR_SECRET_ARN is not set"):
        dynamo.encode_cursor(KEY, "q", 1)


def test_the_template_generates_the_key_the_functions_sign_with(aws):
    # Given the resources of template.yaml as the local stack creates them (CursorSecret's GenerateSecretString)
    key = config.cursor_secret()

    # Then the key is the generated 64-character password, not derived from anything a client knows
    assert len(key) == 64 and key.isalnum()
    assert "InvoicingTable" not in key
    cursor = dynamo.encode_cursor(KEY, "q", 1)
    assert cursor == forge({"k": KEY, "s": hashlib.sha256(b"q").hexdigest()[:16], "p": 1},
                           hashlib.sha256(key.encode()).digest())


@pytest.mark.parametrize("mangle", [
    lambda c: c[:-2] + ("AA" if c[-2:] != "AA" else "BB"),  # payload changed: signature no longer matches
    lambda c: "x" + c[1:] if c[0] != "x" else "y" + c[1:],  # signature changed
    lambda c: "",
    lambda c: "!!!not-base64!!!",
    lambda c: c[:10],
])
def test_a_tampered_cursor_is_refused(secret, mangle):
    cursor = dynamo.encode_cursor(KEY, "q", 2)
    with pytest.raises(ValidationFailed) as raised:
        dynamo.decode_cursor(mangle(cursor), "q")
    assert raised.value.errors == INVALID


@pytest.mark.parametrize("payload", [
    {"k": "not a key", "p": 1}, {"k": KEY, "p": "2"}, {"k": KEY}, {"p": 1}, {"k": KEY, "p": 1.5}])
def test_a_signed_cursor_of_the_wrong_shape_is_refused(secret, payload):
    cursor = forge({**payload, "s": hashlib.sha256(b"q").hexdigest()[:16]}, secret)
    with pytest.raises(ValidationFailed) as raised:
        dynamo.decode_cursor(cursor, "q")
    assert raised.value.errors == INVALID


def test_a_signed_cursor_that_is_not_json_is_refused(secret):
    raw = b"not json"
    cursor = base64.urlsafe_b64encode(hmac.new(secret, raw, hashlib.sha256).digest()[:12] + raw).decode()
    with pytest.raises(ValidationFailed, match="Invalid cursor"):
        dynamo.decode_cursor(cursor, "q")


# --- Errors mapped in one place ---------------------------------------------------------------------------


def test_a_failed_condition_is_a_conflict_and_update_if_answers_none(aws):
    dynamo.put({"PK": "P", "SK": "S", "n": 1}, "attribute_not_exists(PK)")
    with pytest.raises(Conflict, match=r"^The server was too busy to process your request\. Please try again\.$"):
        dynamo.put({"PK": "P", "SK": "S", "n": 2}, "attribute_not_exists(PK)")

    assert dynamo.update_if("P", "S", "SET n = :n", "n = :old", {":n": 5, ":old": 9}) is None
    assert dynamo.update_if("P", "S", "SET #n = :n", "#n = :old", {":n": 5, ":old": 1}, {"#n": "n"}) == {
        "PK": "P", "SK": "S", "n": 5}
    assert dynamo.get("P", "S") == {"PK": "P", "SK": "S", "n": 5}
    assert dynamo.get_item({"PK": "P", "SK": "missing"}) is None


def test_a_cancelled_transaction_names_the_reason_of_each_item(aws):
    dynamo.put({"PK": "P", "SK": "taken"})
    with pytest.raises(dynamo.TransactionConflict) as raised:
        dynamo.transact([{"Put": {"Item": {"PK": "P", "SK": "free"}, "ConditionExpression": "attribute_not_exists(PK)"}},
                         {"Put": {"Item": {"PK": "P", "SK": "taken"}, "ConditionExpression": "attribute_not_exists(PK)"}}])
    assert raised.value.reasons == ["None", "ConditionalCheckFailed"]
    assert dynamo.get("P", "free") is None  # nothing written

    dynamo.transact([{"Put": {"Item": {"PK": "P", "SK": "free"}}}], token="t1")
    assert dynamo.get("P", "free") == {"PK": "P", "SK": "free"}


@pytest.mark.parametrize(("code", "mapped"), [
    ("ConditionalCheckFailedException", Conflict), ("TransactionConflictException", Conflict),
    ("ProvisionedThroughputExceededException", Conflict), ("ThrottlingException", Conflict),
    ("ValidationException", ClientError), ("ResourceNotFoundException", ClientError)])
def test_botocore_errors_become_conflicts_or_pass_through(code, mapped):
    with pytest.raises(mapped) as raised, dynamo.mapped_errors():
        raise ClientError({"Error": {"Code": code, "Message": "m"}}, "PutItem")
    assert type(raised.value) is mapped


def test_a_cancellation_without_reasons_maps_to_an_empty_list():
    with pytest.raises(dynamo.TransactionConflict) as raised, dynamo.mapped_errors():
        raise ClientError({"Error": {"Code": "TransactionCanceledException"},
                           "CancellationReasons": [{"Code": "None"}, {}, {"Code": "TransactionConflict"}]}, "X")
    assert raised.value.reasons == ["None", "None", "TransactionConflict"]


def test_batch_get_returns_found_items_in_the_order_asked_beyond_one_hundred_keys(aws):
    for index in range(0, 150, 2):
        dynamo.put({"PK": "B", "SK": f"{index:03d}"})
    asked = [("B", f"{index:03d}") for index in reversed(range(150))] + [("B", "148")]

    found = dynamo.batch_get(asked)

    assert [item["SK"] for item in found] == [f"{index:03d}" for index in reversed(range(0, 150, 2))] + ["148"]


def test_query_and_update_go_to_the_table(aws):
    dynamo.update("Q", "1", UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": "x"})
    response = dynamo.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": "Q"})
    assert response["Items"] == [{"PK": "Q", "SK": "1", "v": "x"}]


def test_every_cursor_round_trips_whatever_its_length(secret):
    cursors = [(dynamo.encode_cursor({"PK": "ORG#a#INV", "SK": "A-" + "7" * length}, "q", page), length, page)
               for length in range(1, 13) for page in range(1, 40)]

    assert {len(cursor) % 4 for cursor, _, _ in cursors} == {0, 2, 3}  # every amount of stripped padding occurs
    for cursor, length, page in cursors:
        assert dynamo.decode_cursor(cursor, "q") == ({"PK": "ORG#a#INV", "SK": "A-" + "7" * length}, page)


def test_a_cursor_carries_its_offset_and_a_cursor_without_one_none(secret):
    """The offset (items before a page cut short by size) survives the round trip under its documented name "o"."""
    for offset in (0, 1, 49, 150, 10_000):
        assert dynamo.decode_cursor_offset(dynamo.encode_cursor(KEY, "q", 2, offset), "q") == (KEY, 2, offset)
    assert dynamo.decode_cursor_offset(dynamo.encode_cursor(KEY, "q", 2), "q") == (KEY, 2, None)
    # The documented format: the offset is the payload's "o".
    documented = forge({"k": KEY, "s": hashlib.sha256(b"q").hexdigest()[:16], "p": 2, "o": 150}, secret)
    assert dynamo.decode_cursor_offset(documented, "q") == (KEY, 2, 150)


class RecordingClient:
    """The real (moto) client, with every call's arguments recorded; `unprocessed` holds keys back once."""

    def __init__(self, real, unprocessed: int = 0):
        self.real, self.unprocessed, self.calls = real, unprocessed, []

    def __getattr__(self, name):
        method = getattr(self.real, name)

        def call(**kwargs):
            self.calls.append((name, kwargs))
            if name == "batch_get_item" and self.unprocessed:
                (table, request), = kwargs["RequestItems"].items()
                held, asked = request["Keys"][:self.unprocessed], request["Keys"][self.unprocessed:]
                self.unprocessed = 0
                response = method(RequestItems={table: {**request, "Keys": asked}})
                response["UnprocessedKeys"] = {table: {**request, "Keys": held}}
                return response
            return method(**kwargs)

        return call


@pytest.fixture
def recorded(aws, monkeypatch):
    def install(unprocessed: int = 0) -> RecordingClient:
        recorder = RecordingClient(dynamo._read_client(), unprocessed)  # the client reads go through
        monkeypatch.setattr(dynamo, "_read_client", lambda: recorder)
        return recorder
    return install


def test_reads_are_strongly_consistent_unless_asked_otherwise(recorded):
    dynamo.put({"PK": "P", "SK": "S", "n": 1})
    client = recorded()

    assert dynamo.get_item({"PK": "P", "SK": "S"}) == {"PK": "P", "SK": "S", "n": 1}
    dynamo.get("P", "S", consistent=False)
    dynamo.batch_get([("P", "S")])

    assert [kwargs.get("ConsistentRead") for name, kwargs in client.calls if name == "get_item"] == [True, False]
    [(_, batch)] = [call for call in client.calls if call[0] == "batch_get_item"]
    assert batch["RequestItems"]["InvoicingTable"]["ConsistentRead"] is True


def test_batch_get_asks_one_hundred_keys_at_a_time_and_again_for_unprocessed_ones(recorded):
    for index in range(0, 250):
        dynamo.put({"PK": "B", "SK": f"{index:03d}"})
    client = recorded(unprocessed=3)
    asked = [("B", f"{index:03d}") for index in range(250)] + [("B", "none")]

    found = dynamo.batch_get(asked)

    assert [item["SK"] for item in found] == [f"{index:03d}" for index in range(250)]
    sizes = [len(kwargs["RequestItems"]["InvoicingTable"]["Keys"]) for name, kwargs in client.calls
             if name == "batch_get_item"]
    assert sizes == [100, 3, 100, 51]  # the first batch had three keys held back, asked for again


def test_batch_get_of_nothing_found_is_empty(aws):
    assert dynamo.batch_get([("B", "nothing"), ("B", "else")]) == []
    assert dynamo.batch_get([]) == []
