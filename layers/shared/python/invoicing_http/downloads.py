"""HTTP details of file downloads: conditional requests and the attachment header."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response


class StoredDocument(Protocol):
    """A stored file a download serves (an invoice PDF or XML, a billing invoice PDF)."""

    @property
    def etag(self) -> str: ...

    @property
    def filename(self) -> str: ...

    def read(self) -> bytes: ...


def file_response(request_headers: Mapping[str, str], document: StoredDocument, media_type: str,
                  extra_headers: Mapping[str, str] | None = None) -> Response:
    """The file as an attachment, or 304 (no body, no S3 read) when If-None-Match names its ETag.

    Callers' routes carry no return annotation: Powertools would validate the bytes body against it.
    """
    headers = {"ETag": document.etag, "Cache-Control": "private, no-cache", **(extra_headers or {})}
    if etag_matches(request_headers.get("If-None-Match"), document.etag):
        return Response(status_code=304, body="", headers=headers)
    body = document.read()
    return Response(status_code=200, content_type=media_type, body=body, headers={
        **headers, "Content-Disposition": content_disposition(document.filename), "Content-Length": str(len(body))})


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: `*` or any listed tag, compared weakly (a `W/` prefix does not matter)."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def content_disposition(filename: str) -> str:
    """`attachment; filename="..."` as pretix sends it, plus RFC 6266's filename* when the name is not plain ASCII."""
    plain = filename.replace("\\", "_").replace('"', "_")
    if plain.isascii() and plain.isprintable():
        return f'attachment; filename="{plain}"'
    fallback = plain.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def wants_xml(accept: str | None) -> bool:
    """Whether the client asks for the XML form first (`Accept: application/xml` or `text/xml`)."""
    first = (accept or "").split(",", 1)[0].split(";", 1)[0].strip().lower()
    return first in ("application/xml", "text/xml")
