"""Every partition and sort key of the table, named as in docs/data-model.md (its "Items" table).

The one place a key is spelled: storage modules import their keys from here. A function ending in `_key`
returns the item's key (`{"PK": ..., "SK": ...}`); `_pk` / `_sk` one half of it; `*_PREFIX` the start of the
sort keys a `begins_with` query lists; `_scope` the value of the `EventScope` index key.
"""

from __future__ import annotations

Key = dict[str, str]

SEQ_SPACE = 10**12  # issue order inverted inside the invoice date keys


def _key(pk: str, sk: str) -> Key:
    return {"PK": pk, "SK": sk}


# --- Organizers, their tokens, events and statistics (partition `ORG#<org>`) ----------------------------

ORGANIZER_SK = "ORG"
ORGANIZER_LIST_PK = "ORGS"
TOKEN_PREFIX = "TOKEN#"
EVENT_PREFIX = "EVENT#"
EVENT_STATS_PREFIX = "EVENTSTATS#"
WEBHOOK_PREFIX = "WEBHOOK#"


def org_pk(organizer: str) -> str:
    return f"ORG#{organizer}"


def organizer_key(organizer: str) -> Key:
    return _key(org_pk(organizer), ORGANIZER_SK)


def organizer_list_key(organizer: str) -> Key:
    """The organizer's entry in the platform's list of organizers."""
    return _key(ORGANIZER_LIST_PK, organizer)


def token_key(token_hash: str) -> Key:
    """An organizer's API token, found by the hash of its secret."""
    return _key(f"{TOKEN_PREFIX}{token_hash}", "TOKEN")


def token_index_key(organizer: str, token_id: str) -> Key:
    return _key(org_pk(organizer), f"{TOKEN_PREFIX}{token_id}")


def event_sk(slug: str) -> str:
    return f"{EVENT_PREFIX}{slug}"


def event_key(organizer: str, slug: str) -> Key:
    return _key(org_pk(organizer), event_sk(slug))


def event_stats_key(organizer: str, event: str) -> Key:
    return _key(org_pk(organizer), f"{EVENT_STATS_PREFIX}{event}")


def event_of_stats(sk: str) -> str:
    """The event slug of an event statistics item's sort key."""
    return sk.removeprefix(EVENT_STATS_PREFIX)


def counter_key(organizer: str) -> Key:
    """The organizer's invoice counter and statistics."""
    return _key(org_pk(organizer), "COUNTER")


def mail_identity_key(identity: str) -> Key:
    """The claim on an SES sender identity (one owner platform-wide)."""
    return _key(f"MAILID#{identity}", "MAILID")


# --- Orders and invoices ----------------------------------------------------------------------------------

def order_key(organizer: str, code: str) -> Key:
    return _key(f"ORG#{organizer}#ORDER", code)


def order_scope(organizer: str, event: str) -> str:
    return f"EVT#{organizer}#{event}#ORDER"


def invoice_pk(organizer: str) -> str:
    return f"ORG#{organizer}#INV"


def invoice_key(organizer: str, number: str) -> Key:
    return _key(invoice_pk(organizer), number)


def invoice_scope(organizer: str, event: str) -> str:
    return f"EVT#{organizer}#{event}#INV"


def invoice_number_key(organizer: str, number: str) -> Key:
    """The number guard: uniqueness, and the case-insensitive lookup of a number."""
    return _key(f"ORG#{organizer}#INVNO", number.upper())


def invoice_date_keys(invoice_date: str, seq: int) -> dict[str, str]:
    """`DateAsc` and `DateDesc` of an invoice: pretix's `date` / `-date` orderings, newest first within a day."""
    inverted_seq = str(SEQ_SPACE - seq).zfill(12)
    inverted_date = str(99999999 - int(invoice_date.replace("-", ""))).zfill(8)
    return {"DateAsc": f"{invoice_date}#{inverted_seq}", "DateDesc": f"{inverted_date}#{inverted_seq}"}


def transmission_log_pk(organizer: str, number: str) -> str:
    """The partition of an invoice's transmission attempts (sort key: the attempt id)."""
    return f"ORG#{organizer}#TXLOG#{number}"


def sdi_progressive_key(transmitter: str) -> Key:
    """The SdI transmitter's `ProgressivoInvio` counter."""
    return _key(f"SDI#{transmitter}", "PROGRESSIVE")


# --- Billing invoices and the platform -----------------------------------------------------------------

PLATFORM_PK = "PLATFORM"
PLATFORM_SETTINGS_KEY = _key(PLATFORM_PK, "SETTINGS")
BILLING_COUNTER_KEY = _key(PLATFORM_PK, "BILLCOUNTER")


def billing_pk(organizer: str) -> str:
    return f"ORG#{organizer}#BILL"


def billing_key(organizer: str, number: str) -> Key:
    return _key(billing_pk(organizer), number)


def billing_number_key(number: str) -> Key:
    """The billing number guard: uniqueness, and the organizer of a number."""
    return _key(f"BILLNO#{number}", "BILLNO")


def billing_stats_key(organizer: str) -> Key:
    return _key(org_pk(organizer), "BILLSTATS")


def billing_date_key(date_issued: str, seq: int) -> str:
    """`DateAsc` of a billing invoice: date issued, then issue order."""
    return f"{date_issued}#{str(seq).zfill(12)}"


def platform_token_key(token_hash: str) -> Key:
    """A platform token by hash: its own prefix, so an organizer token's hash is never found here."""
    return _key(f"PLATFORMTOKEN#{token_hash}", "TOKEN")


def platform_token_index_key(token_id: str) -> Key:
    return _key(PLATFORM_PK, f"{TOKEN_PREFIX}{token_id}")


# --- Webhooks and exports --------------------------------------------------------------------------------

def webhook_key(organizer: str, webhook_id: int) -> Key:
    return _key(org_pk(organizer), f"{WEBHOOK_PREFIX}{webhook_id:010d}")


def webhook_seq_key(organizer: str) -> Key:
    """The organizer's webhook id counter."""
    return _key(org_pk(organizer), "WEBHOOKSEQ")


def outbox_key(organizer: str, notification_id: str) -> Key:
    return _key(f"ORG#{organizer}#WHOUT", notification_id)


def delivery_pk(organizer: str, webhook_id: int) -> str:
    return f"ORG#{organizer}#WHD#{webhook_id}"


def export_job_key(organizer: str, job_id: str) -> Key:
    return _key(f"ORG#{organizer}#EXPORT", job_id)
