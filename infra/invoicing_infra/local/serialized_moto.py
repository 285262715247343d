"""moto's threaded server with DynamoDB requests applied one at a time, and acknowledged writes journaled.

moto's DynamoDB backend is not thread-safe: concurrent TransactWriteItems calls fail inside moto with
"dictionary changed size during iteration". DynamoDB itself applies each request atomically, so
serializing them is faithful; other services (SQS long polls above all) stay concurrent. The WSGI wrapper
(journal.JournaledApp) also appends every acknowledged write to the stack's journal once one is attached.
Importing this module applies the local stack's patches to moto: transactions, object_store,
sent_mail, instance_tracking, queues, queries, attribute_values, compact_items and dispatch.

Connections are kept alive (werkzeug's handler closes each one after its response): every AWS call a
handler makes otherwise pays a new TCP connection and a new server thread, which was the largest single
cost per call.
"""

from __future__ import annotations

import contextlib
import io
import selectors
import socket
import threading
from typing import Any

import werkzeug.serving
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from invoicing_infra.local import (
    attribute_values,
    compact_items,
    dispatch,
    instance_tracking,
    object_store,
    queries,
    queues,
    sent_mail,
    transactions,
)
from invoicing_infra.local.journal import JournaledApp

_handling = threading.local()  # keep_alive: whether this thread's current request keeps its connection


class _NothingToDrain:
    def register(self, *args: Any) -> None:
        pass

    def select(self, timeout: float | None = None) -> list[Any]:
        return []

    def close(self) -> None:
        pass


class _Selectors:
    """werkzeug.serving's `selectors` module as it sees it: after each response werkzeug reads whatever the
    client sent next and throws it away, which on a kept-alive connection would be the next request."""

    EVENT_READ = selectors.EVENT_READ

    @staticmethod
    def DefaultSelector() -> Any:
        return _NothingToDrain() if getattr(_handling, "keep_alive", False) else selectors.DefaultSelector()


class KeepAliveRequestHandler(MotoRequestHandler):
    """MotoRequestHandler that keeps HTTP/1.1 connections open between requests.

    werkzeug closes every connection because http.server cannot skip what the app left unread of a body
    before the next request line. Here the body is read whole before the app runs (as moto does anyway), so
    the stream always ends where the request ends. Requests with a chunked body keep werkzeug's behaviour.
    """

    _keep_alive = False

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle and delayed ACKs add 40 ms to
        # each response on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connections = getattr(self.server, "open_connections", None)
        if connections is not None:
            with self.server.connections_lock:
                connections.add(self.connection)

    def finish(self) -> None:
        connections = getattr(self.server, "open_connections", None)
        if connections is not None:
            with self.server.connections_lock:
                connections.discard(self.connection)
        super().finish()

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        self._keep_alive = _handling.keep_alive = not environ.get("wsgi.input_terminated")
        if self._keep_alive:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            environ["wsgi.input"] = io.BytesIO(self.rfile.read(length) if length > 0 else b"")
        return environ

    def send_header(self, keyword: str, value: str) -> None:
        if self._keep_alive and keyword.lower() == "connection" and value.lower() == "close":
            return  # the request was read whole: the connection can serve the next one
        super().send_header(keyword, value)


class SerializedMotoServer(ThreadedMotoServer):
    startup_error: BaseException | None = None

    def __init__(self, *args, region: str = "us-east-1", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.app = JournaledApp(DomainDispatcherApplication(create_backend_app), None, DEFAULT_ACCOUNT_ID, region)

    def _server_entry(self) -> None:
        try:
            self._server = make_server(self._ip_address, self._port, self.app, True,
                                       request_handler=KeepAliveRequestHandler)
            self._server.open_connections = set()
            self._server.connections_lock = threading.Lock()
        except BaseException as exc:  # report a port that cannot be bound instead of hanging in start()
            self.startup_error = exc
            self._server_ready_event.set()
            return
        self._server_ready_event.set()
        self._server.serve_forever()

    def close_connections(self) -> None:
        """Ends the kept-alive connections, whose threads would otherwise wait for the next request."""
        server: Any = self._server
        if server is None:
            return
        with server.connections_lock:
            connections = list(server.open_connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


transactions.install()
object_store.install()
sent_mail.install()
instance_tracking.install()
queues.install()
queries.install()
attribute_values.install()
compact_items.install()
dispatch.install()
werkzeug.serving.selectors = _Selectors  # type: ignore[assignment]
