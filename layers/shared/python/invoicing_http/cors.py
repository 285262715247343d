"""CORS for browser clients: the origins of the template's AllowedOrigins parameter (ALLOWED_ORIGINS), none by default.

Every resolver is built with `cors=cors.config()`, so Powertools answers a preflight OPTIONS (204 with the
allowed methods and headers) and adds the headers to the responses of routes. `make_handler` hands a
preflight to the resolver before authentication, and `added` puts the headers on the answers that never
reach the resolver (401/403, 413, 301, an idempotency replay).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import CORSConfig

from invoicing.config import settings

ALLOW_ORIGIN = "Access-Control-Allow-Origin"
# Request headers a pretix client sends beyond the CORS-safelisted ones and Powertools' defaults (Authorization, Content-Type).
ALLOW_HEADERS = ["X-Idempotency-Key", "If-None-Match"]
# Response headers a browser script may read: the download's ETag and file name, the retry hint of a 409/423.
EXPOSE_HEADERS = ["ETag", "Retry-After", "Content-Disposition", "Location"]
MAX_AGE_SECONDS = 600


def origins() -> list[str]:
    return list(settings().allowed_origins)


def config() -> CORSConfig | None:
    """None without allowed origins: then no response carries a CORS header and OPTIONS is just another method."""
    allowed = origins()
    if not allowed:
        return None
    return CORSConfig(allow_origin=allowed[0], extra_origins=allowed[1:], allow_headers=ALLOW_HEADERS,
                      expose_headers=EXPOSE_HEADERS, max_age=MAX_AGE_SECONDS)


def is_preflight(cors: CORSConfig | None, event: dict[str, Any]) -> bool:
    return cors is not None and (event.get("httpMethod") or "").upper() == "OPTIONS"


def _origin(event: dict[str, Any]) -> str | None:
    return next((value for name, value in (event.get("headers") or {}).items() if name.lower() == "origin"), None)


def added(cors: CORSConfig | None, event: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """The proxy response with the CORS headers for the request's Origin, unless the resolver set them already."""
    if cors is None:
        return response
    origin = cors.allowed_origin(_origin(event))
    if origin is None:
        return response
    present = {name.lower() for name in (response.get("headers") or {})}
    present |= {name.lower() for name in (response.get("multiValueHeaders") or {})}
    if ALLOW_ORIGIN.lower() in present:
        return response
    return {**response, "headers": {**cors.to_dict(origin), **(response.get("headers") or {})}}
