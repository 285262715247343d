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

from invoicing_infra.local import transactions

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



transactions.install()
