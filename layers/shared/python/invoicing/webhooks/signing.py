"""Delivery signatures: `X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.

While a rotated-out secret is still valid (24 hours) a second `v1=` made with it follows the first, so a
receiver that still holds the old secret keeps verifying (Stripe's scheme).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "X-Webhook-Signature"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(24)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def header_value(secrets_in_use: list[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={signature(s, timestamp, body)}" for s in secrets_in_use)])


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (the README shows the same in ten lines)."""
    parts = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value for key, value in parts if key == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit() or abs(now - int(stamps[0])) > tolerance:
        return False
    expected = signature(secret, int(stamps[0]), body)
    return any(hmac.compare_digest(expected, value) for key, value in parts if key == "v1")
