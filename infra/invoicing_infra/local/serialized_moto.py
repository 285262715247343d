"""moto's threaded server with DynamoDB requests applied one at a time, and acknowledged writes journaled.

moto's DynamoDB backend is not thread-safe: concurrent TransactWriteItems calls fail inside moto with
"dictionary changed size during iteration". DynamoDB itself applies each request atomically, so
serializing them is faithful; other services (SQS long polls above all) stay concurrent. The WSGI wrapper
(journal.JournaledApp) also appends every acknowledged write to the stack's journal once one is attached.
Importing this module applies the local stack's patches to moto: transactions, object_store,
sent_mail and instance_tracking.
"""

from __future__ import annotations

from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from invoicing_infra.local import instance_tracking, object_store, sent_mail, transactions
from invoicing_infra.local.journal import JournaledApp


class SerializedMotoServer(ThreadedMotoServer):
    startup_error: BaseException | None = None

    def __init__(self, *args, region: str = "us-east-1", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.app = JournaledApp(DomainDispatcherApplication(create_backend_app), None, DEFAULT_ACCOUNT_ID, region)

    def _server_entry(self) -> None:
        try:
            self._server = make_server(self._ip_address, self._port, self.app, True,
                                       request_handler=MotoRequestHandler)
        except BaseException as exc:  # report a port that cannot be bound instead of hanging in start()
            self.startup_error = exc
            self._server_ready_event.set()
            return
        self._server_ready_event.set()
        self._server.serve_forever()


transactions.install()
object_store.install()
sent_mail.install()
instance_tracking.install()
