"""The platform operator's items: its settings (the sender of billing invoices) and its API tokens.

Keys: settings `PLATFORM`/`SETTINGS`; token by hash `PLATFORMTOKEN#<sha256>`/`TOKEN`; the token index
`PLATFORM`/`TOKEN#<id>` (listing and revoking by id). Platform tokens live under their own key prefix,
so an organizer token's hash can never be found where a platform token is looked up, and vice versa.
"""

from __future__ import annotations

from typing import Any

from invoicing.errors import NotFound
from invoicing.storage import dynamo
from invoicing.storage.expressions import Update
from invoicing.storage.keys import (
    PLATFORM_PK,
    PLATFORM_SETTINGS_KEY,
    TOKEN_PREFIX,
    platform_token_index_key,
    platform_token_key,
)
from invoicing.storage.organizers import query_all


def get_settings() -> dict[str, Any]:
    item = dynamo.get_item(PLATFORM_SETTINGS_KEY, consistent=False) or {}
    return dict(item.get("settings") or {})


def update_settings(changes: dict[str, Any]) -> dict[str, Any]:
    """Set (or, for None values, remove) settings; returns the new map."""
    current = dynamo.get_item(PLATFORM_SETTINGS_KEY) or {**PLATFORM_SETTINGS_KEY, "settings": {}}
    settings = dict(current.get("settings") or {})
    for key, value in changes.items():
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    dynamo.put({**PLATFORM_SETTINGS_KEY, "settings": settings})
    return settings


def get_token(token_hash: str) -> dict[str, Any] | None:
    return dynamo.get_item(platform_token_key(token_hash), consistent=False)


def put_token(token: dict[str, Any]) -> None:
    """The token and its index entry together; the hash is the only form of the secret stored."""
    dynamo.transact([
        {"Put": {"Item": {**platform_token_key(token["hash"]), **token},
                 "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Put": {"Item": {**platform_token_index_key(token["id"]), **token},
                 "ConditionExpression": "attribute_not_exists(PK)"}},
    ])


def list_tokens() -> list[dict[str, Any]]:
    return query_all(PLATFORM_PK, TOKEN_PREFIX)


def deactivate_token(token_id: str) -> None:
    index = dynamo.get_item(platform_token_index_key(token_id))
    if not index:
        raise NotFound(f"Platform token {token_id} does not exist.")
    inactive = Update().set("active", False)
    dynamo.transact([inactive.transact_item(platform_token_index_key(token_id)),
                     inactive.transact_item(platform_token_key(index["hash"]))])
