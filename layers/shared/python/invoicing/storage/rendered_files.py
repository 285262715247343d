"""The rendered PDF of a document (an invoice, a billing invoice), recorded on the document's own item.

`file_*` describe the stored file and the content version it shows; `render_requested` / `_at` the last
render request; `render_error` why the last render failed. Every write is conditional on the content
version, so a file can never be attached to content it does not show.
"""

from __future__ import annotations

from typing import Any

from invoicing.clock import now
from invoicing.storage import dynamo
from invoicing.storage.expressions import Update
from invoicing.storage.types import InvoiceFile

__all__ = ["FILE_ATTRIBUTES", "InvoiceFile", "claim_render", "current_file", "record_file", "record_render_error",
           "recorded_file"]

# A request older than this with no file yet is presumed lost (a job that never reached the queue, a
# render that timed out before it could record its failure) and may be made again.
RENDER_LEASE_SECONDS = 60
FILE_ATTRIBUTES = ("file_version", "file_key", "file_s3_version", "file_size", "file_sha256", "file_rendered_at",
                   "file_render_ms")


def recorded_file(item: dict[str, Any]) -> InvoiceFile | None:
    """The file recorded on an item, whatever content version it shows."""
    if "file_key" not in item:
        return None
    return InvoiceFile(content_version=int(item["file_version"]), key=item["file_key"],
                       s3_version=item.get("file_s3_version"), size=int(item["file_size"]),
                       sha256=item["file_sha256"], rendered_at=item["file_rendered_at"],
                       render_ms=int(item.get("file_render_ms", 0)))


def current_file(item: dict[str, Any], content_version: int) -> InvoiceFile | None:
    """The recorded file if it shows `content_version` (what a download may serve)."""
    stored = recorded_file(item)
    return stored if stored and stored.content_version == content_version else None


def claim_render(pk: str, sk: str, content_version: int, require: dict[str, Any] | None = None) -> bool:
    """Record a render request for `content_version` unless one is already under way; True if this call made it.

    Under way means: requested for this version less than `RENDER_LEASE_SECONDS` ago and not failed since. A
    conditional write, so that many concurrent downloads of a missing PDF make exactly one request. `require`:
    attributes that must hold these values too (a billing invoice must be released).
    """
    stamp = int(now().timestamp())
    update = (Update().set("render_requested", content_version).set("render_requested_at", stamp)
              .remove("render_error"))
    for attribute, value in (require or {}).items():
        update.when_equal(attribute, value)
    update.when("content_version = :cv AND (attribute_not_exists(file_version) OR file_version <> :cv) AND "
                "(attribute_not_exists(render_requested) OR render_requested <> :cv OR render_requested_at < :stale "
                "OR attribute_exists(render_error))", cv=content_version, stale=stamp - RENDER_LEASE_SECONDS)
    return dynamo.apply_if({"PK": pk, "SK": sk}, update) is not None


def record_file(pk: str, sk: str, file: InvoiceFile) -> bool:
    """Attach a rendered file if the item still shows that content and has no file for it yet."""
    update = Update().set_all({
        "file_version": file.content_version, "file_key": file.key, "file_s3_version": file.s3_version,
        "file_size": file.size, "file_sha256": file.sha256, "file_rendered_at": file.rendered_at,
        "file_render_ms": file.render_ms,
    }).remove("render_error")
    update.when("content_version = :cv AND (attribute_not_exists(file_version) OR file_version <> :cv)",
                cv=file.content_version)
    return dynamo.apply_if({"PK": pk, "SK": sk}, update) is not None


def record_render_error(pk: str, sk: str, content_version: int, reason: str) -> None:
    """Note why a render failed, so that the next download asks again at once (no-op if the content moved on)."""
    dynamo.apply_if({"PK": pk, "SK": sk},
                    Update().set("render_error", reason[:500]).when_equal("content_version", content_version))
