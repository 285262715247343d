"""Which organizer owns which SES sender identity (an address or a domain), as the platform operator recorded it.

Keys: the claim `MAILID#<identity>`/`MAILID` (`organizer`; one owner per identity, platform-wide) and the
organizer's set `mail_identities` on its own item, written together in one transaction so that the two
never disagree. The organizer's item is what the settings API and the email function read (one GetItem).
"""

from __future__ import annotations

from typing import Any

from invoicing.clock import isoformat_z, now
from invoicing.errors import AlreadyExists, NotFound
from invoicing.storage import dynamo
from invoicing.storage.keys import mail_identity_key, organizer_key


def owner(identity: str) -> str | None:
    item = dynamo.get_item(mail_identity_key(identity))
    return item["organizer"] if item else None


def record(organizer: str, identity: str) -> None:
    """Give `identity` to `organizer`; AlreadyExists when another organizer owns it (idempotent for the owner)."""
    try:
        dynamo.transact([
            {"Put": {"Item": {**mail_identity_key(identity), "identity": identity, "organizer": organizer,
                              "recorded_at": isoformat_z(now())},
                     "ConditionExpression": "attribute_not_exists(PK) OR organizer = :org",
                     "ExpressionAttributeValues": {":org": organizer}}},
            {"Update": {"Key": organizer_key(organizer), "UpdateExpression": "ADD mail_identities :id",
                        "ConditionExpression": "attribute_exists(PK)", "ExpressionAttributeValues": {":id": {identity}}}},
        ])
    except dynamo.TransactionConflict as exc:
        if exc.reasons[:1] == ["ConditionalCheckFailed"]:
            raise AlreadyExists(f"{identity} is already a sender identity of another organizer.") from exc
        if exc.reasons[1:2] == ["ConditionalCheckFailed"]:
            raise NotFound(f"Organizer {organizer} does not exist.") from exc
        raise


def of(organizer_item: dict[str, Any] | None) -> frozenset[str]:
    """The identities recorded on an organizer item."""
    return frozenset((organizer_item or {}).get("mail_identities") or ())
