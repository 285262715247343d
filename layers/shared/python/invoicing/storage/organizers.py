"""Organizers and their API tokens.

Keys: organizer `ORG#<slug>`/`ORG`, and its entry in the platform's list `ORGS`/`<slug>`;
token by hash `TOKEN#<sha256>`/`TOKEN`; the organizer's token index
`ORG#<slug>`/`TOKEN#<id>` (for listing and revoking by id).
"""

from __future__ import annotations

import re
from typing import Any

from invoicing.errors import AlreadyExists, Conflict, NotFound, ValidationFailed
from invoicing.storage import dynamo
from invoicing.storage.expressions import Update
from invoicing.storage.keys import (
    ORGANIZER_LIST_PK,
    TOKEN_PREFIX,
    org_pk,
    organizer_key,
    organizer_list_key,
    token_index_key,
    token_key,
)

SLUG = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9.\-]{0,49}$")


def get_organizer(slug: str) -> dict[str, Any] | None:
    return dynamo.get_item(organizer_key(slug))


def create_organizer(slug: str, name: str) -> dict[str, Any]:
    if not SLUG.match(slug):
        raise ValidationFailed({"slug": ["Use letters, digits, dots and dashes only (at most 50)."]})
    item = {**organizer_key(slug), "slug": slug, "name": name, "settings": {}}
    try:
        dynamo.transact([
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
            {"Put": {"Item": {**organizer_list_key(slug), "slug": slug}}},
        ])
    except Conflict as exc:
        raise AlreadyExists(f"Organizer {slug} already exists.") from exc
    return item


def list_organizers() -> list[dict[str, Any]]:
    """Every organizer (the operator's CLI): the list partition, then the organizers' items."""
    slugs: list[str] = []
    kwargs: dict[str, Any] = {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": ORGANIZER_LIST_PK}}
    while True:
        response = dynamo.query(**kwargs)
        slugs += [entry["slug"] for entry in response["Items"]]
        if "LastEvaluatedKey" not in response:
            break
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return dynamo.batch_get([tuple(organizer_key(slug).values()) for slug in slugs])


def update_organizer_settings(slug: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Set (or, for None values, remove) keys of the organizer's settings map; returns the new map."""
    return update_settings_map(organizer_key(slug), changes)


def update_organizer(slug: str, fields: dict[str, Any]) -> None:
    try:
        dynamo.apply(organizer_key(slug), Update().set_all(fields).when_exists())
    except Conflict as exc:
        raise NotFound(f"Organizer {slug} does not exist.") from exc


def update_settings_map(key: dict[str, str], changes: dict[str, Any]) -> dict[str, Any]:
    """Set (or, for None values, remove) keys of an item's `settings` map (organizer, event); returns the new map."""
    if not changes:
        return dict((dynamo.get_item(key) or {}).get("settings", {}))
    update = Update()
    for name, value in changes.items():
        if value is None:
            update.remove_path(("settings", name))
        else:
            update.set_path(("settings", name), value)
    response = dynamo.apply(key, update.when_exists(), returns="ALL_NEW")
    return dict(response["Attributes"].get("settings", {}))


# --- Tokens ------------------------------------------------------------------------------------

def get_token(token_hash: str, consistent: bool = False) -> dict[str, Any] | None:
    return dynamo.get_item(token_key(token_hash), consistent=consistent)


def put_token(token: dict[str, Any]) -> None:
    """Write the token and its index entry together; the hash is the only form of the secret stored."""
    record = {**token_key(token["hash"]), **token}
    index = {**token_index_key(token["organizer"], token["id"]), **token}
    try:
        _write_token(token, record, index)
    except dynamo.TransactionConflict as exc:
        if exc.reasons[:1] == ["ConditionalCheckFailed"]:
            raise NotFound(f"Organizer {token['organizer']} does not exist.") from exc
        raise


def _write_token(token: dict[str, Any], record: dict[str, Any], index: dict[str, Any]) -> None:
    dynamo.transact([
        {"ConditionCheck": {"Key": organizer_key(token["organizer"]),
                            "ConditionExpression": "attribute_exists(PK)"}},
        {"Put": {"Item": record, "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Put": {"Item": index, "ConditionExpression": "attribute_not_exists(PK)"}},
    ])


def list_tokens(organizer: str) -> list[dict[str, Any]]:
    return query_all(org_pk(organizer), TOKEN_PREFIX)


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
    index = dynamo.get_item(token_index_key(organizer, token_id))
    if not index:
        raise NotFound(f"Token {token_id} does not exist.")
    inactive = Update().set("active", False)
    dynamo.transact([inactive.transact_item(token_index_key(organizer, token_id)),
                     inactive.transact_item(token_key(index["hash"]))])
