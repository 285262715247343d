"""The embedded moto server on loopback, and boto3 clients bound to it."""

from __future__ import annotations

import logging
import threading
import urllib.request
from typing import Any

import boto3
from botocore.config import Config

from invoicing_infra.local.journal import JournaledApp
from invoicing_infra.local.serialized_moto import SerializedMotoServer

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class MotoServer:
    def __init__(self, host: str, port: int, region: str):
        self._host, self._port = host, port
        self._server = SerializedMotoServer(ip_address=host, port=port, verbose=False, region=region)
        self.region = region
        self.endpoint = ""
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()  # a boto3 session is not thread-safe; its clients are
        self._session = boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
            region_name=region,
        )

    def start(self) -> None:
        # moto's werkzeug server logs every request at INFO through the "werkzeug" logger.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server.start()
        error = self._server.startup_error
        if isinstance(error, SystemExit):  # werkzeug exits when the port is taken
            raise OSError(f"moto server cannot listen on {self._host}:{self._port}: the port is in use")
        if error is not None:
            raise RuntimeError(f"moto server could not start: {error!r}")
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    @property
    def app(self) -> JournaledApp:
        return self._server.app

    def reset(self) -> None:
        """Forgets every resource: moto's backends are global to the process, not to one server."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - loopback
            pass

    def client(self, service: str) -> Any:
        """A client bound to this server whatever the environment says; one per service, shared by threads."""
        with self._clients_lock:
            if service not in self._clients:
                config = Config(
                    retries={"max_attempts": 2, "mode": "standard"},
                    s3={"addressing_style": "path"},
                    max_pool_connections=50,  # pollers long-poll concurrently on the shared client
                )
                self._clients[service] = self._session.client(service, endpoint_url=self.endpoint, config=config)
            return self._clients[service]

    def stop(self) -> None:
        if not self.endpoint:
            return
        self._server.stop()
        self._server.close_connections()
        # stop() shuts the server down but leaves its socket bound; close it so the port can be reused.
        if self._server._server is not None:
            self._server._server.server_close()
        self.endpoint = ""
        self._clients.clear()
