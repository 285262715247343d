"""An invoice's PDF: asking for a render (once, even when asked many times) and finding the file to download.

Rendering is asynchronous (functions/render_pdf, fed by the render queue). Issuing and regenerating
request it; a download of a missing file requests it again when no request is under way, then answers
"not ready". A request is a conditional write on the invoice before the job is queued, so twenty
concurrent downloads queue one job.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from invoicing.config import render_queue_url
from invoicing.errors import NotReady
from invoicing.invoices.read import Visibility, get_invoice
from invoicing.storage import files, queues
from invoicing.storage import invoices as store
from invoicing.storage.files import Download

logger = Logger(child=True)


def render_job(organizer: str, number: str, content_version: int) -> dict[str, object]:
    return {"organizer": organizer, "number": number, "content_version": content_version}


def enqueue_renders(organizer: str, documents: list[tuple[str, int]]) -> None:
    """Queue render jobs for (number, content version) pairs whose request is already recorded.

    Best effort by design: the invoice is issued whatever happens here, and a job that never reached
    the queue is made again by the first download after the lease.
    """
    if not documents:
        return
    try:
        failed = queues.send(render_queue_url(), [render_job(organizer, number, version) for number, version in documents])
    except (BotoCoreError, ClientError):
        logger.exception("render jobs not queued", extra={"organizer": organizer, "invoices": len(documents)})
        return
    if failed:
        logger.warning("render jobs not queued", extra={"organizer": organizer, "failed": len(failed)})


def request_render(invoice: store.StoredInvoice) -> bool:
    """Ask for the current content's PDF unless a request is under way; True if a job was queued."""
    if not store.claim_render(invoice.organizer, invoice.number, invoice.content_version):
        return False
    enqueue_renders(invoice.organizer, [(invoice.number, invoice.content_version)])
    return True


def download(organizer: str, number: str, visibility: Visibility) -> Download:
    """The file of the invoice's current content; NotReady (after requesting it if needed) while there is none."""
    invoice = get_invoice(organizer, number, visibility)
    if invoice.file is None:
        request_render(invoice)
        raise NotReady()
    return Download(number=invoice.number, file=invoice.file)


def discard(invoice: store.StoredInvoice) -> None:
    """Hide the file of content that was replaced (regenerate); the bucket keeps its versions."""
    stored = invoice.last_file
    if stored is None:
        return
    try:
        files.discard(stored.key)
    except (BotoCoreError, ClientError):
        logger.exception("superseded invoice file not discarded", extra={"key": stored.key})
