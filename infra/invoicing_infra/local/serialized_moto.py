"""moto's threaded server with DynamoDB requests applied one at a time.

moto's DynamoDB backend is not thread-safe: concurrent TransactWriteItems calls fail inside moto with
"dictionary changed size during iteration". DynamoDB itself applies each request atomically, so
serializing them is faithful; other services (SQS long polls above all) stay concurrent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

_dynamodb = threading.Lock()


def serialize_dynamodb(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            with _dynamodb:
                return list(app(environ, start_response))
        return app(environ, start_response)

    return wrapped


class SerializedMotoServer(ThreadedMotoServer):
    startup_error: BaseException | None = None

    def _server_entry(self) -> None:
        try:
            app = serialize_dynamodb(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(self._ip_address, self._port, app, True,
                                       request_handler=MotoRequestHandler)
        except BaseException as exc:  # report a port that cannot be bound instead of hanging in start()
            self.startup_error = exc
            self._server_ready_event.set()
            return
        self._server_ready_event.set()
        self._server.serve_forever()


def _copy_each_table_once() -> None:
    """moto backs up a whole table once per item of a transaction (deepcopy, O(table size) each time);
    back each table up once per transaction instead. Safe because DynamoDB requests are serialized."""
    import copy
    import types

    from moto.dynamodb import models

    if getattr(models.DynamoDBBackend.transact_write_items, "_copies_once", False):
        return
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        copies: dict[int, Any] = {}

        def deepcopy_once(value: Any, memo: Any = None) -> Any:
            if id(value) not in copies:
                copies[id(value)] = (value, copy.deepcopy(value, memo))
            return copies[id(value)][1]

        models.copy = types.SimpleNamespace(deepcopy=deepcopy_once)
        try:
            return original(self, transact_items)
        finally:
            models.copy = copy

    transact_write_items._copies_once = True  # type: ignore[attr-defined]
    models.DynamoDBBackend.transact_write_items = transact_write_items


_copy_each_table_once()
