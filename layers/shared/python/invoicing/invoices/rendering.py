"""A render job: draw the invoice's current content into its PDF file and record the file on the invoice.

Safe under SQS's at-least-once delivery: a job for content that has since changed does nothing, a
job whose file is already recorded does nothing, and a file written by a job that lost the race
(to a regenerate, or to a twin delivery) is removed again instead of being recorded. The render
function adds Powertools idempotency on top, so a twin delivery in flight does not render at all.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel, Field

from invoicing.clock import isoformat_z, now
from invoicing.invoices.models import ENFORCED_TRANSMISSION
from invoicing.pdf import EmbeddedInvoice, UnprintableText, render_invoice
from invoicing.storage import files
from invoicing.storage import invoices as store
from invoicing.storage.rendered_files import InvoiceFile
from invoicing.transmission import documents

logger = logging.getLogger(__name__)


class RenderJob(BaseModel):
    organizer: str = Field(min_length=1)
    number: str = Field(min_length=1)
    content_version: int = Field(ge=1)


class Outcome(StrEnum):
    RENDERED = "rendered"
    ALREADY_RENDERED = "already rendered"
    SUPERSEDED = "superseded"
    MISSING = "missing"
    UNPRINTABLE = "unprintable"  # text no font can draw: recorded with its script, not retried (it cannot help)


def render(job: RenderJob) -> Outcome:
    invoice = store.get(job.organizer, job.number)
    if invoice is None:
        return Outcome.MISSING
    if invoice.content_version != job.content_version:
        return Outcome.SUPERSEDED  # the newer content has its own job
    if invoice.file is not None:
        return Outcome.ALREADY_RENDERED
    try:
        return _render(invoice)
    except UnprintableText as exc:
        store.record_render_error(job.organizer, job.number, job.content_version, str(exc))
        return Outcome.UNPRINTABLE
    except Exception as exc:
        # Recorded so that the next download asks again at once; SQS retries the job meanwhile.
        store.record_render_error(job.organizer, job.number, job.content_version, type(exc).__name__)
        raise


def _render(invoice: store.StoredInvoice) -> Outcome:
    key = files.pdf_key(invoice.organizer, invoice.number, invoice.content_version)
    embedded = embedded_invoice(invoice)
    if embedded is not None and invoice.doc["transmission_type"] not in ENFORCED_TRANSMISSION:
        # Kept beside the PDF for `Accept: application/xml` downloads; stored first, so a crash before the PDF
        # is recorded cannot leave a recorded hybrid PDF without its XML. Enforced types keep the XML they send.
        documents.store_xml(invoice, embedded.xml, f"{invoice.number}.xml")
    recorded = render_and_store(lambda: render_invoice(invoice.doc, invoice.internal, embedded), key,
                                invoice.content_version, lambda file: store.record_file(invoice.organizer, invoice.number, file))
    return Outcome.RENDERED if recorded else Outcome.SUPERSEDED


def embedded_invoice(invoice: store.StoredInvoice) -> EmbeddedInvoice | None:
    """The Factur-X CII to embed when the event's `invoice_pdf_einvoice` asks for it, else None (a plain PDF).

    An invoice that cannot be a valid EN 16931 invoice (no buyer name or country, no seller VAT id, a currency
    with 3 decimals) gets a plain PDF rather than an invalid e-invoice or no PDF at all; the log says why
    (setting and field names only, no personal data).
    """
    settings = documents.factur_x_settings(invoice)
    if settings is None:
        return None
    from invoicing.einvoice import Seller, build_cii, missing_for_en16931

    seller = Seller.from_invoice(invoice.doc, invoice.internal, settings.model_dump())
    missing = missing_for_en16931(invoice.doc, seller)
    if missing:  # an invoice without an invoice address, say: its CII would be invalid
        logger.warning("factur-x left out of invoice PDF, missing: %s", ", ".join(missing))
        return None
    try:
        return EmbeddedInvoice(build_cii(invoice.doc, invoice.internal, seller))
    except ValueError as exc:
        logger.warning("factur-x left out of invoice PDF: %s", type(exc).__name__)
        return None


def render_and_store(draw: Callable[[], bytes], key: str, content_version: int,
                     record: Callable[[InvoiceFile], bool]) -> bool:
    """Draw, write to S3 with a SHA-256 checksum, and `record` the file on its document (a conditional write).

    A file that `record` refuses (newer content, or a twin recorded first) has its S3 version removed again.
    """
    started = time.perf_counter()
    body = draw()
    render_ms = round((time.perf_counter() - started) * 1000)
    digest = hashlib.sha256(body)
    stored = files.put(key, body, sha256_b64=base64.b64encode(digest.digest()).decode())
    file = InvoiceFile(content_version=content_version, key=key, s3_version=stored.version_id, size=len(body),
                       sha256=digest.hexdigest(), rendered_at=isoformat_z(now()), render_ms=render_ms)
    if record(file):
        return True
    files.delete_version(stored)
    return False
