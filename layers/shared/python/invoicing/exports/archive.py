"""`invoices`: a ZIP of the invoices' PDFs (`<number>.pdf`), read from the files bucket in parallel; an
invoice whose current content has no PDF yet is rendered here, recorded as the render function would."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from invoicing.storage import files
from invoicing.storage.invoices import StoredInvoice

READERS = 16


def _pdf(invoice: StoredInvoice) -> bytes:
    current = invoice.file
    if current is not None:
        return files.read(current.key, current.s3_version)
    from invoicing.invoices import rendering  # the PDF stack, only when something is missing

    rendering.render(rendering.RenderJob(organizer=invoice.organizer, number=invoice.number,
                                         content_version=invoice.content_version))
    from invoicing.storage import invoices as store

    fresh = store.get(invoice.organizer, invoice.number)
    if fresh is None or fresh.file is None:
        raise RuntimeError(f"no PDF for {invoice.number}")
    return files.read(fresh.file.key, fresh.file.s3_version)


def write_zip(invoices: Iterable[StoredInvoice], path: str, total: int, progress: Callable[[int], None]) -> int:
    """Write the ZIP to `path` (PDFs are already compressed: stored, not deflated); the number of files."""
    count = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive, \
            ThreadPoolExecutor(max_workers=READERS) as pool:
        batch: list[StoredInvoice] = []

        def flush() -> None:
            nonlocal count
            for invoice, body in zip(batch, pool.map(_pdf, batch), strict=True):
                archive.writestr(f"{invoice.number}.pdf", body)
                count += 1
            batch.clear()
            progress(count)

        for invoice in invoices:
            batch.append(invoice)
            if len(batch) >= READERS * 8:
                flush()
        flush()
    return count
