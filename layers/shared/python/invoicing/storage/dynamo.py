"""The DynamoDB client, and the one place where botocore errors become domain errors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

from invoicing import config
from invoicing.errors import Conflict, ValidationFailed

if TYPE_CHECKING:
    from invoicing.storage.expressions import Update


@cache
def client():
    """A DynamoDB client that (de)serialises Python values: the resource's client, which is thread-safe."""
    resource = boto3.resource("dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 5}))
    return resource.meta.client


@cache
def _read_client():
    """A plain client for reads (GetItem, BatchGetItem, list pages), whose answers skip botocore's per-attribute
    parsing and boto3's TypeDeserializer: the items are taken from the JSON body as it arrives (`_take_items`) and
    decoded by `decode_item`, which reads strings, numbers and nulls directly (a stored document is one string)."""
    # Parameters are built here, not by callers: DynamoDB itself answers a malformed one (ValidationException).
    read_client = boto3.client("dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 5},
                                                         parameter_validation=False))
    for operation in ("Query", "GetItem", "BatchGetItem"):
        read_client.meta.events.register(f"before-parse.dynamodb.{operation}", _take_items)
    return read_client


def clients() -> tuple[Any, ...]:
    """Every DynamoDB client this module calls through (bench/ meters them)."""
    return client(), _read_client()


def table_name() -> str:
    return config.table_name()


def reset() -> None:
    """Forget the cached clients (tests that switch endpoints)."""
    client.cache_clear()
    _read_client.cache_clear()


_deserializer = TypeDeserializer()
_serializer = TypeSerializer()


def decode_value(value: dict[str, Any]) -> Any:
    """One attribute in DynamoDB's JSON form as boto3 would give it (str, Decimal, None, bool, dict, list, set)."""
    if "S" in value:
        return value["S"]
    if "N" in value:
        return Decimal(value["N"])
    if "NULL" in value:
        return None
    if "BOOL" in value:
        return value["BOOL"]
    if "B" in value:
        value = {"B": base64.b64decode(value["B"])}
    elif "BS" in value:
        value = {"BS": [base64.b64decode(item) for item in value["BS"]]}
    elif "M" in value:
        return {name: decode_value(child) for name, child in value["M"].items()}
    elif "L" in value:
        return [decode_value(child) for child in value["L"]]
    return _deserializer.deserialize(value)


def decode_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {name: decode_value(value) for name, value in item.items()}


def _take_items(response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any) -> None:
    """botocore's `before-parse` hook: move a successful Query's items (a GetItem's item) out of the body before
    botocore parses it (what remains, such as the counts and LastEvaluatedKey, is parsed as usual; the items rejoin
    the answer decoded)."""
    if response_dict.get("status_code", 200) >= 300 or not response_dict.get("body"):
        return
    body = json.loads(response_dict["body"])
    if "Items" in body:
        customized_response_dict["Items"] = [decode_item(item) for item in body.pop("Items")]
    elif "Item" in body:
        customized_response_dict["Item"] = decode_item(body.pop("Item"))
    elif "Responses" in body:
        customized_response_dict["Responses"] = {table: [decode_item(item) for item in items]
                                                 for table, items in body.pop("Responses").items()}
    else:
        return
    response_dict["body"] = json.dumps(body).encode()


class TransactionConflict(Conflict):
    """A transaction was cancelled; `reasons` holds one code per item ("None" for items that were fine)."""

    def __init__(self, reasons: list[str]):
        super().__init__()
        self.reasons = reasons


@contextmanager
def mapped_errors() -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ConditionalCheckFailedException":
            raise Conflict() from exc
        if code == "TransactionCanceledException":
            reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
            raise TransactionConflict(reasons) from exc
        if code in ("TransactionConflictException", "ProvisionedThroughputExceededException", "ThrottlingException"):
            raise Conflict() from exc
        raise


MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's limit on one item, attribute names included


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it: names and strings in UTF-8 bytes, numbers by their significant
    digits, 3 bytes of overhead per map or list plus 1 per element (the documented rules, rounded up)."""
    return sum(len(str(name).encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Any) -> int:
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, int | float | Decimal):
        digits = len(str(abs(value)).replace(".", "").lstrip("0")) or 1
        return 1 + (digits + 1) // 2
    if isinstance(value, dict):
        return 3 + sum(1 + len(str(key).encode()) + _value_size(child) for key, child in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return 3 + sum(1 + _value_size(child) for child in value)
    return len(str(value).encode())


def get(pk: str, sk: str, consistent: bool = True) -> dict[str, Any] | None:
    with mapped_errors():
        return _read_client().get_item(TableName=table_name(), Key={"PK": {"S": pk}, "SK": {"S": sk}},
                                       ConsistentRead=consistent).get("Item")


def get_item(key: dict[str, str], consistent: bool = True) -> dict[str, Any] | None:
    return get(key["PK"], key["SK"], consistent)


def get_attributes(key: Mapping[str, str], attributes: tuple[str, ...], consistent: bool = True) -> dict[str, Any] | None:
    """Only `attributes` of an item (a detail page)."""
    names = {f"#a{i}": name for i, name in enumerate(attributes)}
    with mapped_errors():
        response = _read_client().get_item(TableName=table_name(), Key={name: {"S": value} for name, value in key.items()},
                                           ConsistentRead=consistent, ProjectionExpression=", ".join(names),
                                           ExpressionAttributeNames=names)
    return response.get("Item")


def batch_get(keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Items for the keys that exist, in the order of `keys`."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), 100):
        request = {table_name(): {"Keys": [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in unique[start:start + 100]],
                                  "ConsistentRead": True}}
        while request:  # UnprocessedKeys come back in the request's own (DynamoDB JSON) form
            with mapped_errors():
                response = _read_client().batch_get_item(RequestItems=request)
            for item in response["Responses"].get(table_name(), []):
                found[(item["PK"], item["SK"])] = item
            request = response.get("UnprocessedKeys") or None
    return [found[key] for key in keys if key in found]


def transact(items: list[dict[str, Any]], token: str | None = None) -> None:
    """One TransactWriteItems call; every item names the table itself."""
    for item in items:
        next(iter(item.values()))["TableName"] = table_name()
    kwargs: dict[str, Any] = {"TransactItems": items}
    if token:
        kwargs["ClientRequestToken"] = token
    with mapped_errors():
        client().transact_write_items(**kwargs)


def query(**kwargs: Any) -> dict[str, Any]:
    with mapped_errors():
        return client().query(TableName=table_name(), **kwargs)


def query_page(**kwargs: Any) -> dict[str, Any]:
    """`query` for list pages, with the same arguments and answer, through `_read_client` (items decoded as boto3
    would, without its per-attribute cost)."""
    for name in ("ExpressionAttributeValues", "ExclusiveStartKey"):
        if name in kwargs:
            kwargs[name] = {key: _serializer.serialize(value) for key, value in kwargs[name].items()}
    with mapped_errors():
        response = _read_client().query(TableName=table_name(), **kwargs)
    if "LastEvaluatedKey" in response:
        response["LastEvaluatedKey"] = decode_item(response["LastEvaluatedKey"])
    return response


def put(item: dict[str, Any], condition: str | None = None, **kwargs: Any) -> None:
    if condition:
        kwargs["ConditionExpression"] = condition
    with mapped_errors():
        client().put_item(TableName=table_name(), Item=item, **kwargs)


def update(pk: str, sk: str, **kwargs: Any) -> dict[str, Any]:
    with mapped_errors():
        return client().update_item(TableName=table_name(), Key={"PK": pk, "SK": sk}, **kwargs)


def update_if(pk: str, sk: str, expression: str, condition: str, values: dict[str, Any],
              names: dict[str, str] | None = None) -> dict[str, Any] | None:
    """One conditional update: the item as written, or None when the condition did not hold."""
    kwargs: dict[str, Any] = {"UpdateExpression": expression, "ConditionExpression": condition,
                              "ExpressionAttributeValues": values, "ReturnValues": "ALL_NEW"}
    if names:
        kwargs["ExpressionAttributeNames"] = names
    try:
        return update(pk, sk, **kwargs)["Attributes"]
    except Conflict:
        return None


def apply(key: Mapping[str, str], update: Update, returns: str = "NONE") -> dict[str, Any]:
    """One UpdateItem built by `expressions.Update`; Conflict when its condition does not hold."""
    with mapped_errors():
        return client().update_item(TableName=table_name(), Key=dict(key), ReturnValues=returns, **update.kwargs())


def apply_if(key: Mapping[str, str], update: Update) -> dict[str, Any] | None:
    """The item as written, or None when the update's condition did not hold."""
    try:
        return apply(key, update, "ALL_NEW")["Attributes"]
    except Conflict:
        return None


# --- Opaque cursors ----------------------------------------------------------------------------
# A `next` link carries the DynamoDB LastEvaluatedKey, bound to the query it came from and signed,
# so a client can neither forge keys into another organizer's partition nor reuse it elsewhere.

def _cursor_key() -> bytes:
    secret = config.cursor_secret()
    return hashlib.sha256(secret.encode()).digest()


def _scope_digest(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def encode_cursor(last_key: dict[str, Any], scope: str, page: int, offset: int | None = None) -> str:
    """`offset`: how many items come before the page the cursor starts (when pages were cut short by size)."""
    data: dict[str, Any] = {"k": last_key, "s": _scope_digest(scope), "p": page}
    if offset is not None:
        data["o"] = offset
    payload = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    signature = hmac.new(_cursor_key(), payload, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(signature + payload).decode().rstrip("=")


def decode_cursor(cursor: str, scope: str) -> tuple[dict[str, Any], int]:
    """The key and page number a cursor carries; ValidationFailed when it was not made for this query."""
    key, page, _offset = decode_cursor_offset(cursor, scope)
    return key, page


def decode_cursor_offset(cursor: str, scope: str) -> tuple[dict[str, Any], int, int | None]:
    """The key, page number and (if the cursor has one) offset a cursor carries."""
    invalid = ValidationFailed({"cursor": ["Invalid cursor."]})
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        signature, payload = raw[:12], raw[12:]
        if not hmac.compare_digest(signature, hmac.new(_cursor_key(), payload, hashlib.sha256).digest()[:12]):
            raise invalid
        data = json.loads(payload)
    except (ValueError, TypeError) as exc:
        raise invalid from exc
    if data.get("s") != _scope_digest(scope) or not isinstance(data.get("k"), dict) or not isinstance(data.get("p"), int):
        raise invalid
    offset = data.get("o")
    return data["k"], data["p"], offset if isinstance(offset, int) else None
