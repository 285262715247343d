"""API tokens and what they may do: hashing, authentication with pretix's messages, permission checks.

A secret is shown once, at creation, and stored only as its SHA-256 hash. The lookup is by hash, so the
database never sees the secret; the final comparison is constant-time all the same.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import threading
import time
from dataclasses import dataclass

from invoicing.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from invoicing.storage import organizers as store
from invoicing.storage.events import get_event

# can_view_billing: the platform's billing invoices to the organizer (pretix Hosted, the account API).
# can_change_organizer_settings: pretix's organizer permission; the webhooks API needs it.
PERMISSIONS = ("can_view_orders", "can_change_orders", "can_change_event_settings", "can_view_billing",
               "can_change_organizer_settings")
_ALPHABET = string.ascii_lowercase + string.digits
_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class Principal:
    """The caller: a token of one organizer, its event scope and permissions."""

    organizer: str
    token_id: str
    all_events: bool
    limit_events: frozenset[str]
    permissions: frozenset[str]

    def sees_event(self, event: str) -> bool:
        return self.all_events or event in self.limit_events

    def can(self, permission: str | None, event: str | None = None) -> bool:
        if event is not None and not self.sees_event(event):
            return False
        return permission is None or permission in self.permissions

    def require(self, permission: str | None, event: str | None = None) -> None:
        if not self.can(permission, event):
            raise PermissionDenied()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(64))


def create_token(organizer: str, name: str, permissions: list[str], events: list[str] | None) -> tuple[str, dict]:
    """Create a token; returns the secret (shown once) and the stored record (without the secret)."""
    unknown = sorted(set(permissions) - set(PERMISSIONS))
    if unknown:
        raise ValidationFailed({"permissions": [f"Unknown permission: {p}" for p in unknown]})
    if events:
        missing = sorted(slug for slug in events if get_event(organizer, slug) is None)
        if missing:
            raise ValidationFailed({"events": [f"Unknown event: {slug}" for slug in missing]})
    secret = new_secret()
    record = {
        "id": secrets.token_hex(6),
        "hash": hash_secret(secret),
        "organizer": organizer,
        "name": name,
        "all_events": events is None,
        "limit_events": sorted(events or []),
        "permissions": sorted(set(permissions)),
        "active": True,
    }
    store.put_token(record)
    return secret, record


def revoke_token(organizer: str, token_id: str) -> None:
    store.deactivate_token(organizer, token_id)


_cache: dict[str, tuple[float, dict | None]] = {}
_cache_lock = threading.Lock()


def _lookup(token_hash: str) -> dict | None:
    """The stored token, cached in the warm function for a few seconds (revocation applies within that)."""
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(token_hash)
    if hit and now - hit[0] < _CACHE_SECONDS:
        return hit[1]
    record = store.get_token(token_hash)
    with _cache_lock:
        if len(_cache) > 1024:
            _cache.clear()
        _cache[token_hash] = (now, record)
    return record


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


PLATFORM_TOKEN_HERE = "This is a platform token: this route needs an organizer's API token."


def _is_platform_token(token_hash: str) -> bool:
    """Whether an unknown secret is a platform token, so the 401 can say which kind the route needs."""
    from invoicing.storage import platform as platform_store

    record = platform_store.get_token(token_hash)
    return record is not None and hmac.compare_digest(record["hash"], token_hash) and bool(record.get("active"))


def authenticate(authorization: str | None) -> Principal:
    """Parse `Authorization: Token <secret>` as Django REST framework does, with its exact messages."""
    parts = (authorization or "").split()
    if not parts or parts[0].lower() != "token":
        raise NotAuthenticated()
    if len(parts) == 1:
        raise NotAuthenticated("Invalid token header. No credentials provided.")
    if len(parts) > 2:
        raise NotAuthenticated("Invalid token header. Token string should not contain spaces.")
    secret = parts[1]
    if not secret.isascii():
        raise NotAuthenticated("Invalid token header. Token string should not contain invalid characters.")
    token_hash = hash_secret(secret)
    record = _lookup(token_hash)
    if record is None or not hmac.compare_digest(record["hash"], token_hash):
        if _is_platform_token(token_hash):
            raise NotAuthenticated(PLATFORM_TOKEN_HERE)
        raise NotAuthenticated("Invalid token.")
    if not record.get("active", False):
        raise NotAuthenticated("Token inactive or deleted.")
    return Principal(
        organizer=record["organizer"],
        token_id=record["id"],
        all_events=bool(record.get("all_events")),
        limit_events=frozenset(record.get("limit_events") or ()),
        permissions=frozenset(record.get("permissions") or ()),
    )
