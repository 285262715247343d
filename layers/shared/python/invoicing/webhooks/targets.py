"""Where a webhook may point: `https://` only, never loopback, private, link-local, unique-local or
otherwise reserved addresses, checked when the URL is saved and again, after resolving, when it is called.

The local stack (template parameter WebhookLocalTargets, variable WEBHOOK_LOCAL_TARGETS) also allows
`http://` and loopback, so tests can run a receiver on 127.0.0.1; private ranges stay refused there too.
The connection goes to the address that was checked, so a DNS answer that changes between check and
connect (rebinding) cannot redirect it.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from invoicing import config
from invoicing.errors import ValidationFailed


class RefusedTarget(Exception):
    """The target URL is not allowed (anymore)."""


def local_targets() -> bool:
    return config.settings().webhook_local_targets


def _allowed_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address, local: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return local
    return address.is_global and not address.is_multicast


def check_url(url: str) -> None:
    """At create/update: scheme, host and, for an IP literal, the address (ValidationFailed, pretix-style)."""
    local = local_targets()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValidationFailed({"target_url": ["Enter a valid URL."]}) from exc
    schemes = ("https", "http") if local else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValidationFailed({"target_url": ["Enter a valid URL." if not parts.hostname else
                                               "Only https:// URLs are allowed."]})
    del port
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        if (parts.hostname.lower() in ("localhost",) or parts.hostname.lower().endswith(".localhost")) and not local:
            raise ValidationFailed({"target_url": ["This address is not allowed."]}) from None
        return
    if not _allowed_address(literal, local):
        raise ValidationFailed({"target_url": ["This address is not allowed."]})


def resolve(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) after resolving; RefusedTarget if any address is not allowed."""
    local = local_targets()
    parts = urlsplit(url)
    if parts.scheme not in (("https", "http") if local else ("https",)) or not parts.hostname:
        raise RefusedTarget("scheme not allowed")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise RefusedTarget(f"cannot resolve host: {exc}") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses or not all(_allowed_address(address, local) for address in addresses):
        raise RefusedTarget("the host resolves to an address that is not allowed")
    return parts.scheme, parts.hostname, port, str(addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address, with SNI and certificate checks for the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST to the vetted address; the status code. Raises RefusedTarget or OSError (timeouts included)."""
    scheme, host, port, address = resolve(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, address, port, timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()
