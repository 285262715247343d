"""HTTP channels to e-invoicing networks: a Peppol access point, an SdI intermediary.

Both are small JSON-over-HTTP APIs reached with a base URL and an API key kept in Secrets Manager
(`{"base_url": ..., "api_key": ...}`, read through Powertools Parameters and cached for 5 minutes).
A 2xx is a delivery, a 4xx a rejection (`Rejected`), a 5xx, timeout or network error a temporary
failure (`Unavailable`). To add a vendor with another API, write its client here beside `post`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities import parameters

from invoicing import config
from invoicing.transmission.providers import Rejected, Unavailable

TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Channel:
    base_url: str
    api_key: str
    label: str = "the channel"  # who answers, in failure reasons: "the access point", "the SdI intermediary"

    @classmethod
    def from_secret(cls, variable: str, label: str = "the channel") -> Channel:
        """The channel named by the secret in environment variable `variable`; Rejected (no provider) if unset."""
        name = config.optional(variable)
        if not name:
            raise Rejected(f"no channel: {label} is not configured")
        try:
            value = parameters.get_secret(name, transform="json", max_age=300)
        except parameters.exceptions.GetParameterError as exc:
            raise Unavailable(f"the configuration of {label} could not be read") from exc
        if not isinstance(value, dict) or not value.get("base_url"):
            raise Rejected(f"no channel: {label} is not configured")
        return cls(base_url=str(value["base_url"]).rstrip("/"), api_key=str(value.get("api_key", "")), label=label)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the URL is our own configuration, http(s) only
            self.base_url + path, data=body, method="POST",
            headers={"Authorization": f"Bearer {self.api_key}", "Accept": "application/json", **headers})
        if not request.full_url.startswith(("https://", "http://")):
            raise Rejected(f"no channel: {self.label} is not configured")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = _detail(exc.read())
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise Rejected(f"{self.label} refused the document: {detail or 'no reason given'} (HTTP {exc.code})") from exc
            raise Unavailable(f"{self.label} is unavailable: {detail or 'no reason given'} (HTTP {exc.code})") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise Unavailable(f"{self.label} could not be reached ({type(exc).__name__})") from exc
        try:
            return json.loads(payload) if payload else {}
        except ValueError:
            return {}


def _detail(payload: bytes) -> str:
    try:
        body = json.loads(payload)
    except ValueError:
        return ""
    return str(body.get("detail") or body.get("error") or "")[:300] if isinstance(body, dict) else ""
