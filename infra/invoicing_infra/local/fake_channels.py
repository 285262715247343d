"""Fake e-invoicing channels on loopback: a Peppol access point and an SdI intermediary that record what they get.

They speak the small JSON-over-HTTP API of invoicing.transmission.channels:

    POST /documents (Peppol) or /invoices (SdI), body = the XML,
         Authorization: Bearer <api key>, Idempotency-Key: <attempt>,
         X-Peppol-Sender / X-Peppol-Receiver / X-Peppol-Document-Type (Peppol) or X-Filename (SdI)
      -> 201 {"id": "<uuid>"}              recorded as a delivery
      -> 201 {"id": <the same id>}         a repeated Idempotency-Key: not recorded again
      -> 401 {"detail": "Invalid API key."}
      -> 400 {"detail": ...}               an empty body or a missing required header
      -> <status> {"detail": ...}          while switched to fail (fail_with)

and, for a human with curl or a test in another process (no API key needed):

    POST /_control {"fail_with": 503, "times": 2}   the next 2 requests answer 503 (no "times": until changed)
    POST /_control {"fail_with": null}              normal answers again
    POST /_control {"reset": true}                  forget deliveries, idempotency keys and failures
    GET  /_deliveries                               the deliveries as JSON (bodies as text)

A failing answer is given before the API key is looked at (as an outage would) and records nothing.
"""

from __future__ import annotations

import datetime
import json
import logging
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

logger = logging.getLogger("local_stack.fake_channels")  # not __name__: see stack.LOGGER_NAME

MAX_BODY_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Delivery:
    """One accepted document: what the channel would have forwarded to the network."""

    id: str
    path: str
    headers: dict[str, str]  # as received, names as the client sent them
    body: bytes
    received_at: str  # ISO 8601, UTC

    def header(self, name: str) -> str | None:
        """A header by name, whatever its case."""
        lowered = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == lowered), None)

    @property
    def idempotency_key(self) -> str | None:
        return self.header("Idempotency-Key")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class _State:
    deliveries: list[Delivery] = field(default_factory=list)
    ids_by_key: dict[str, str] = field(default_factory=dict)
    fail_status: int | None = None
    fail_remaining: int | None = None  # None: every request fails while fail_status is set
    requests: int = 0


class FakeChannel:
    """A loopback HTTP server accepting documents on one path; see the module docstring for the API."""

    path: ClassVar[str]
    required_headers: ClassVar[tuple[str, ...]] = ()
    label: ClassVar[str] = "channel"

    def __init__(self, api_key: str | None = None, host: str = "127.0.0.1", port: int = 0):
        self.api_key = api_key or secrets.token_urlsafe(24)
        self.host = host
        self.port = port
        self.url = ""
        self._lock = threading.Lock()
        self._state = _State()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # --- Lifecycle ---

    def start(self) -> str:
        """Starts serving (port 0: a free one) in a daemon thread; returns the base URL."""
        if self._server is not None:
            return self.url
        try:
            self._server = make_server(self.host, self.port, self._wsgi, threaded=True, request_handler=_QuietHandler)
        except SystemExit:  # werkzeug exits the process when the port is taken
            raise OSError(f"{self.label}: cannot listen on {self.host}:{self.port}: the port is in use") from None
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"fake-{self.label}", daemon=True
        )
        self._thread.start()
        url_host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # noqa: S104 - a comparison
        self.url = f"http://{url_host}:{self._server.server_port}"
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None
        self.url = ""

    def __enter__(self) -> FakeChannel:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- For tests ---

    def deliveries(self) -> list[Delivery]:
        """The accepted documents, oldest first (a repeated Idempotency-Key adds none)."""
        with self._lock:
            return list(self._state.deliveries)

    @property
    def request_count(self) -> int:
        """Every request to the document path, failed, rejected and replayed ones included."""
        with self._lock:
            return self._state.requests

    def fail_with(self, status: int | None, times: int | None = None) -> None:
        """Answer `status` to the next `times` requests (all of them if None) instead of accepting them;
        `fail_with(None)` answers normally again."""
        if status is not None and not 400 <= int(status) <= 599:
            raise ValueError(f"fail_with: {status} is not an HTTP error status")
        if times is not None and int(times) < 1:
            raise ValueError("fail_with: times must be at least 1")
        with self._lock:
            self._state.fail_status = None if status is None else int(status)
            self._state.fail_remaining = None if status is None or times is None else int(times)

    def reset(self) -> None:
        """Forgets deliveries, idempotency keys, the request count, and any failure switched on."""
        with self._lock:
            self._state = _State()

    # --- HTTP ---

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self._dispatch(request)
        except Exception:
            logger.exception("%s: %s %s failed", self.label, request.method, request.path)
            response = _json(500, {"detail": "Internal error of the fake channel."})
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        path = request.path.rstrip("/") or "/"
        if path == self.path:
            if request.method != "POST":
                return _json(405, {"detail": "Method not allowed."})
            return self._receive(request)
        if path == "/_control":
            if request.method != "POST":
                return _json(405, {"detail": "Method not allowed."})
            return self._control(request)
        if path == "/_deliveries" and request.method == "GET":
            return _json(200, [_public(delivery) for delivery in self.deliveries()])
        return _json(404, {"detail": "Not found."})

    def _receive(self, request: Request) -> Response:
        body = request.get_data(cache=False) if (request.content_length or 0) <= MAX_BODY_BYTES else None
        headers = {name: value for name, value in request.headers.items()}
        with self._lock:
            state = self._state
            state.requests += 1
            if state.fail_status is not None:
                status = state.fail_status
                if state.fail_remaining is not None:
                    state.fail_remaining -= 1
                    if state.fail_remaining <= 0:
                        state.fail_status = state.fail_remaining = None
                return _json(status, {"detail": f"Simulated failure ({status})."},
                             {"Retry-After": "1"} if status in (429, 503) else {})
            if not secrets.compare_digest(request.headers.get("Authorization", ""), f"Bearer {self.api_key}"):
                return _json(401, {"detail": "Invalid API key."})
            if body is None:
                return _json(413, {"detail": "Document too large."})
            if not body:
                return _json(400, {"detail": "Empty document."})
            missing = [name for name in self.required_headers if not request.headers.get(name, "").strip()]
            if missing:
                return _json(400, {"detail": f"Missing header {', '.join(missing)}."})
            key = request.headers.get("Idempotency-Key") or None
            if key is not None and key in state.ids_by_key:
                return _json(201, {"id": state.ids_by_key[key]}, {"Idempotent-Replayed": "true"})
            delivery = Delivery(
                id=str(uuid.uuid4()),
                path=self.path,
                headers=headers,
                body=body,
                received_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            )
            state.deliveries.append(delivery)
            if key is not None:
                state.ids_by_key[key] = delivery.id
        logger.info("%s: accepted %s (%d bytes)", self.label, delivery.id, len(body))
        return _json(201, {"id": delivery.id})

    def _control(self, request: Request) -> Response:
        try:
            command = json.loads(request.get_data(cache=False) or b"{}")
        except ValueError:
            return _json(400, {"detail": "The body must be JSON."})
        if not isinstance(command, dict) or not ({"fail_with", "reset"} & command.keys()):
            return _json(400, {"detail": 'Give {"fail_with": <status>|null, "times": <n>} or {"reset": true}.'})
        if command.get("reset"):
            self.reset()
        if "fail_with" in command:
            try:
                self.fail_with(command["fail_with"], command.get("times"))
            except (TypeError, ValueError) as exc:
                return _json(400, {"detail": str(exc)})
        with self._lock:
            state = self._state
            return _json(200, {
                "fail_with": state.fail_status,
                "times": state.fail_remaining,
                "deliveries": len(state.deliveries),
            })


class FakePeppolAccessPoint(FakeChannel):
    """POST /documents with a UBL document; X-Peppol-Receiver is required (the sender may be empty)."""

    path = "/documents"
    required_headers = ("X-Peppol-Receiver",)
    label = "peppol"


class FakeSdiIntermediary(FakeChannel):
    """POST /invoices with a FatturaPA document; X-Filename is required."""

    path = "/invoices"
    required_headers = ("X-Filename",)
    label = "sdi"


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status=status, headers=headers or {}, mimetype="application/json")


def _public(delivery: Delivery) -> dict[str, Any]:
    headers = {name: value for name, value in delivery.headers.items() if name.lower() != "authorization"}
    return {"id": delivery.id, "path": delivery.path, "received_at": delivery.received_at, "headers": headers,
            "body": delivery.text}


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass
