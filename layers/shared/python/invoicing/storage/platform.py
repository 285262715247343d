"""The platform operator's items: its settings (the sender of billing invoices) and its API tokens.

Keys: settings `PLATFORM`/`SETTINGS`; token by hash `PLATFORMTOKEN#<sha256>`/`TOKEN`; the token index
`PLATFORM`/`TOKEN#<id>` (listing and revoking by id). Platform tokens live under their own key prefix,
so an organizer token's hash can never be found where a platform token is looked up, and vice versa.
"""

from __future__ import annotations

from typing import Any

from invoicing.errors import NotFound
from invoicing.storage import dynamo
from invoicing.storage.organizers import query_all

PLATFORM_PK = "PLATFORM"


def token_pk(token_hash: str) -> str:
    return f"PLATFORMTOKEN#{token_hash}"


def get_settings() -> dict[str, Any]:
    item = dynamo.get(PLATFORM_PK, "SETTINGS", consistent=False) or {}
    return dict(item.get("settings") or {})


def update_settings(changes: dict[str, Any]) -> dict[str, Any]:
    """Set (or, for None values, remove) settings; returns the new map."""
    current = dynamo.get(PLATFORM_PK, "SETTINGS") or {"PK": PLATFORM_PK, "SK": "SETTINGS", "settings": {}}
    settings = dict(current.get("settings") or {})
    for key, value in changes.items():
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    dynamo.put({"PK": PLATFORM_PK, "SK": "SETTINGS", "settings": settings})
    return settings


def get_token(token_hash: str) -> dict[str, Any] | None:
    return dynamo.get(token_pk(token_hash), "TOKEN", consistent=False)


def put_token(token: dict[str, Any]) -> None:
    """The token and its index entry together; the hash is the only form of the secret stored."""
    dynamo.transact([
        {"Put": {"Item": {"PK": token_pk(token["hash"]), "SK": "TOKEN", **token},
                 "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Put": {"Item": {"PK": PLATFORM_PK, "SK": f"TOKEN#{token['id']}", **token},
                 "ConditionExpression": "attribute_not_exists(PK)"}},
    ])


def list_tokens() -> list[dict[str, Any]]:
    return query_all(PLATFORM_PK, "TOKEN#")


def deactivate_token(token_id: str) -> None:
    index = dynamo.get(PLATFORM_PK, f"TOKEN#{token_id}")
    if not index:
        raise NotFound(f"Platform token {token_id} does not exist.")
    update = {"UpdateExpression": "SET active = :false", "ExpressionAttributeValues": {":false": False}}
    dynamo.transact([
        {"Update": {"Key": {"PK": PLATFORM_PK, "SK": f"TOKEN#{token_id}"}, **update}},
        {"Update": {"Key": {"PK": token_pk(index["hash"]), "SK": "TOKEN"}, **update}},
    ])
