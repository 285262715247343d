"""End-to-end fixtures: one local stack for the package, an HTTP client on the standard library, and
organizers that isolate each test (a unique slug each; events, settings and orders made over HTTP).

Organizers and tokens have no API, so they are made in-process through the domain; once the stack
runs, the process's AWS_ENDPOINT_URL points at its moto server, so those calls land in the same tables
the functions read.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from invoicing_infra.local import LocalStack

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
ALL_PERMISSIONS = ("can_view_orders", "can_change_orders", "can_change_event_settings")
# The template's AllowedOrigins for the stack (CORS); a request without Origin sees no difference.
ALLOWED_ORIGINS = ("https://shop.example", "https://admin.example")
_NO_BODY = object()


def _reset_process_caches() -> None:
    """Clients and configuration are cached per process: forget them whenever the endpoint changes."""
    from tests.support.aws import reset_caches

    reset_caches()


@pytest.fixture(scope="package")
def stack(tmp_path_factory) -> Iterator[LocalStack]:
    """One local stack for the whole e2e package, on free ports, with a throw-away state directory.

    Package scope (not session) so it is stopped before other packages run: moto's state is
    process-wide and a second LocalStack (tests/integration starts its own) refuses to start while
    one runs.
    """
    local = LocalStack(template_path=TEMPLATE, host="127.0.0.1", port=0, aws_port=0,
                       state_dir=tmp_path_factory.mktemp("e2e-state"), fresh=True, persist=False,
                       parameters={"AllowedOrigins": ",".join(ALLOWED_ORIGINS),
                                   # webhooks: a loopback receiver, retries after 1 s, 2 s, 4 s ...
                                   "WebhookLocalTargets": "true", "WebhookRetryBaseSeconds": "1"})
    local.start()
    _reset_process_caches()
    try:
        yield local
    finally:
        local.stop()
        _reset_process_caches()


# --- HTTP ---------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    raw: bytes
    body: Any = None  # the parsed JSON body; None when the body is empty or not JSON
    is_json: bool = False

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"Reply({self.status}, {self.raw[:500]!r})"


class Api:
    """HTTP against the stack with http.client: no redirect is followed, every header is sent as given."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def request(self, method: str, path: str, token: str | None = None, *, body: Any = _NO_BODY,
                data: bytes | None = None, headers: Mapping[str, str] | None = None,
                authorization: str | None = None) -> Reply:
        """`path` is a path with query (sent as it is) or an absolute URL on the stack (a `next` link).

        `body` is sent as JSON, `data` as raw bytes; `authorization` overrides the `Token <token>` header.
        """
        if path.startswith(("http://", "https://")):
            parts = urlsplit(path)
            assert (parts.hostname, parts.port) == (self.host, self.port), f"{path} is not on the stack"
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        sent: dict[str, str] = {}
        if authorization is not None:
            sent["Authorization"] = authorization
        elif token is not None:
            sent["Authorization"] = f"Token {token}"
        if body is not _NO_BODY:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            if data is not None:
                connection.putheader("Content-Length", str(len(data)))
            connection.endheaders(data)
            response = connection.getresponse()
            raw = response.read()
            reply = Reply(response.status, response.headers, raw)
        finally:
            connection.close()
        if raw:
            with contextlib.suppress(ValueError):
                reply.body, reply.is_json = json.loads(raw), True
        return reply

    def get(self, path: str, token: str | None = None, **kwargs: Any) -> Reply:
        return self.request("GET", path, token, **kwargs)

    def post(self, path: str, token: str | None = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, token, **kwargs)

    def patch(self, path: str, token: str | None = None, **kwargs: Any) -> Reply:
        return self.request("PATCH", path, token, **kwargs)

    def delete(self, path: str, token: str | None = None, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, token, **kwargs)


@pytest.fixture(scope="package")
def api(stack: LocalStack) -> Api:
    return Api(stack.api_url)


# --- Test data ----------------------------------------------------------------------------------


def unique_slug(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_token(organizer: str, permissions: tuple[str, ...] | list[str] = ALL_PERMISSIONS,
               events: list[str] | None = None) -> str:
    """A team token (in-process: tokens have no API); `events` None means all events."""
    from invoicing import access

    secret, _record = access.create_token(organizer, "e2e", list(permissions), events)
    return secret


def make_revoked_token(organizer: str) -> str:
    """A token revoked before its first use, so no warm function has it cached as active."""
    from invoicing import access

    secret, record = access.create_token(organizer, "e2e revoked", list(ALL_PERMISSIONS), None)
    access.revoke_token(organizer, record["id"])
    return secret


def order_body(**fields: Any) -> dict[str, Any]:
    return {"email": "dummy@dummy.test", "locale": "en",
            "positions": [{"description": "Budget Ticket", "price": "23.00", "tax_rate": "19.00"}], **fields}


@dataclass
class Organizer:
    """An organizer of its own, a token with every permission, and helpers that go through the API."""

    api: Api
    slug: str
    token: str
    events: list[str] = field(default_factory=list)

    # URLs
    def url(self, *parts: str, query: str = "") -> str:
        path = "/".join(["/api/v1/organizers", quote(self.slug, safe=""), *(quote(p, safe="") for p in parts)]) + "/"
        return path + (f"?{query}" if query else "")

    def invoices_url(self, event: str | None = None, *rest: str, query: str = "") -> str:
        return self.url("events", event, "invoices", *rest, query=query) if event else self.url("invoices", *rest,
                                                                                                 query=query)

    # Through the API, as a user would
    def settings(self, **values: Any) -> dict[str, Any]:
        reply = self.api.patch(self.url("settings"), self.token, body=values)
        assert reply.status == 200, reply
        return reply.body

    def event(self, slug: str = "conf", **settings: Any) -> str:
        reply = self.api.post(self.url("events"), self.token, body={
            "slug": slug, "name": {"en": "Sample Conference"}, "currency": "EUR",
            "date_from": "2017-12-27T10:00:00Z", "timezone": "Europe/Berlin"})
        assert reply.status == 201, reply
        if settings:
            patched = self.api.patch(self.url("events", slug, "settings"), self.token, body=settings)
            assert patched.status == 200, patched
        self.events.append(slug)
        return slug

    def order(self, event: str, **fields: Any) -> dict[str, Any]:
        reply = self.api.post(self.url("events", event, "orders"), self.token, body=order_body(**fields))
        assert reply.status == 201, reply
        return reply.body

    def order_action(self, event: str, code: str, action: str) -> Reply:
        return self.api.post(self.url("events", event, "orders", code, action), self.token)

    def invoice(self, number: str, event: str | None = None) -> dict[str, Any]:
        reply = self.api.get(self.invoices_url(event, number), self.token)
        assert reply.status == 200, reply
        return reply.body

    def invoice_numbers(self, event: str | None = None, query: str = "") -> list[str]:
        """Every invoice number of the (event or organizer) list, walking `next` links."""
        numbers: list[str] = []
        url: str | None = self.invoices_url(event, query=query)
        while url:
            reply = self.api.get(url, self.token)
            assert reply.status == 200, reply
            numbers += [invoice["number"] for invoice in reply.body["results"]]
            url = reply.body["next"]
        return numbers

    def token_with(self, permissions: tuple[str, ...] | list[str] = ALL_PERMISSIONS,
                   events: list[str] | None = None) -> str:
        return make_token(self.slug, permissions, events)


class OrganizerFactory:
    def __init__(self, api: Api):
        self.api = api

    def __call__(self, prefix: str = "org", **settings: Any) -> Organizer:
        from invoicing.storage import organizers

        slug = unique_slug(prefix)
        organizers.create_organizer(slug, slug.title())
        organizer = Organizer(self.api, slug, make_token(slug))
        if settings:
            organizer.settings(**settings)
        return organizer


@pytest.fixture(scope="package")
def new_organizer(api: Api) -> OrganizerFactory:
    """`new_organizer(prefix, **settings)`: a fresh organizer with a full token; usable from any scope."""
    return OrganizerFactory(api)


@pytest.fixture
def invoicing_organizer(new_organizer: OrganizerFactory) -> Organizer:
    """An organizer that invoices every order on creation, with one event `conf`."""
    organizer = new_organizer("shop", invoice_generate="True")
    organizer.event("conf")
    return organizer
