"""HTTP details of file downloads: conditional requests and the attachment header."""

from __future__ import annotations

from urllib.parse import quote


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
