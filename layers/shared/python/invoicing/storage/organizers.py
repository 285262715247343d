"""Organizers and their API tokens.

Keys: organizer `ORG#<slug>`/`ORG`; token by hash `TOKEN#<sha256>`/`TOKEN`; the organizer's token index
`ORG#<slug>`/`TOKEN#<id>` (for listing and revoking by id).
"""

from __future__ import annotations

import re
from typing import Any

from invoicing.errors import AlreadyExists, Conflict, NotFound, ValidationFailed
from invoicing.storage import dynamo

SLUG = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9.\-]{0,49}$")


def org_pk(slug: str) -> str:
    return f"ORG#{slug}"


def get_organizer(slug: str) -> dict[str, Any] | None:
    return dynamo.get(org_pk(slug), "ORG")


def create_organizer(slug: str, name: str) -> dict[str, Any]:
    if not SLUG.match(slug):
        raise ValidationFailed({"slug": ["Use letters, digits, dots and dashes only (at most 50)."]})
    item = {"PK": org_pk(slug), "SK": "ORG", "slug": slug, "name": name, "settings": {}}
    try:
        dynamo.put(item, condition="attribute_not_exists(PK)")
    except Conflict as exc:
        raise AlreadyExists(f"Organizer {slug} already exists.") from exc
    return item


def scan_organizers() -> list[dict[str, Any]]:
    """Every organizer (slug, name, billing contact), sorted by slug.

    Reads the whole table: for the operator's CLI (`invoicing organizer list`) only, never for an API request
    (docs/data-model.md).
    """
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"FilterExpression": "SK = :org", "ExpressionAttributeValues": {":org": "ORG"},
                              "ProjectionExpression": "slug, #n, billing_email", "ExpressionAttributeNames": {"#n": "name"}}
    while True:
        with dynamo.mapped_errors():
            response = dynamo.client().scan(TableName=dynamo.table_name(), **kwargs)
        found += response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return sorted(found, key=lambda item: item["slug"])
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def update_organizer_settings(slug: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Set (or, for None values, remove) keys of the organizer's settings map; returns the new map."""
    return _update_settings(org_pk(slug), "ORG", changes)


def update_organizer(slug: str, fields: dict[str, Any]) -> None:
    names = {f"#f{i}": key for i, key in enumerate(fields)}
    values = {f":f{i}": value for i, value in enumerate(fields.values())}
    try:
        assignments = ", ".join(f"{name} = {value}" for name, value in zip(names, values, strict=True))
        dynamo.update(org_pk(slug), "ORG", UpdateExpression="SET " + assignments,
                      ConditionExpression="attribute_exists(PK)", ExpressionAttributeNames=names,
                      ExpressionAttributeValues=values)
    except Conflict as exc:
        raise NotFound(f"Organizer {slug} does not exist.") from exc


def _update_settings(pk: str, sk: str, changes: dict[str, Any]) -> dict[str, Any]:
    sets = {key: value for key, value in changes.items() if value is not None}
    removes = [key for key, value in changes.items() if value is None]
    names = {f"#k{i}": key for i, key in enumerate(changes)}
    by_key = {key: f"#k{i}" for i, key in enumerate(changes)}
    clauses = []
    values: dict[str, Any] = {}
    if sets:
        parts = []
        for i, (key, value) in enumerate(sets.items()):
            values[f":v{i}"] = value
            parts.append(f"settings.{by_key[key]} = :v{i}")
        clauses.append("SET " + ", ".join(parts))
    if removes:
        clauses.append("REMOVE " + ", ".join(f"settings.{by_key[key]}" for key in removes))
    if not clauses:
        item = dynamo.get(pk, sk)
        return dict((item or {}).get("settings", {}))
    kwargs: dict[str, Any] = {"ExpressionAttributeNames": names}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    response = dynamo.update(pk, sk, UpdateExpression=" ".join(clauses), ConditionExpression="attribute_exists(PK)",
                             ReturnValues="ALL_NEW", **kwargs)
    return dict(response["Attributes"].get("settings", {}))


# --- Tokens ------------------------------------------------------------------------------------

def token_pk(token_hash: str) -> str:
    return f"TOKEN#{token_hash}"


def get_token(token_hash: str, consistent: bool = False) -> dict[str, Any] | None:
    return dynamo.get(token_pk(token_hash), "TOKEN", consistent=consistent)


def put_token(token: dict[str, Any]) -> None:
    """Write the token and its index entry together; the hash is the only form of the secret stored."""
    record = {"PK": token_pk(token["hash"]), "SK": "TOKEN", **token}
    index = {"PK": org_pk(token["organizer"]), "SK": f"TOKEN#{token['id']}", **token}
    try:
        _write_token(token, record, index)
    except dynamo.TransactionConflict as exc:
        if exc.reasons[:1] == ["ConditionalCheckFailed"]:
            raise NotFound(f"Organizer {token['organizer']} does not exist.") from exc
        raise


def _write_token(token: dict[str, Any], record: dict[str, Any], index: dict[str, Any]) -> None:
    dynamo.transact([
        {"ConditionCheck": {"Key": {"PK": org_pk(token["organizer"]), "SK": "ORG"},
                            "ConditionExpression": "attribute_exists(PK)"}},
        {"Put": {"Item": record, "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Put": {"Item": index, "ConditionExpression": "attribute_not_exists(PK)"}},
    ])


def list_tokens(organizer: str) -> list[dict[str, Any]]:
    return query_all(org_pk(organizer), "TOKEN#")


def query_all(pk: str, prefix: str) -> list[dict[str, Any]]:
    """Every item of a partition whose sort key starts with `prefix` (small collections only)."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
                              "ExpressionAttributeValues": {":pk": pk, ":prefix": prefix}}
    while True:
        response = dynamo.query(**kwargs)
        items.extend(response["Items"])
        if "LastEvaluatedKey" not in response:
            return items
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def deactivate_token(organizer: str, token_id: str) -> None:
    index = dynamo.get(org_pk(organizer), f"TOKEN#{token_id}")
    if not index:
        raise NotFound(f"Token {token_id} does not exist.")
    update = {"UpdateExpression": "SET active = :false", "ExpressionAttributeValues": {":false": False}}
    dynamo.transact([
        {"Update": {"Key": {"PK": org_pk(organizer), "SK": f"TOKEN#{token_id}"}, **update}},
        {"Update": {"Key": {"PK": token_pk(index["hash"]), "SK": "TOKEN"}, **update}},
    ])
