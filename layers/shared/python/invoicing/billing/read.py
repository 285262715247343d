"""What an organizer's token sees of its billing invoices: one invoice, a page of them, the PDF.

An organizer sees its own billing invoices with `can_view_billing`. The account API addresses the
organizer by `accountId`: an account the token does not belong to answers exactly as an unknown one
(404), so nobody learns which other accounts exist.
"""

from __future__ import annotations

from invoicing.access import Principal
from invoicing.errors import Locked, NotFound
from invoicing.pagination import Page, PageRequest
from invoicing.storage import billing as store
from invoicing.storage.files import Download
from invoicing.storage.listing import ListQuery, fetch_page

PERMISSION = "can_view_billing"
ORDERINGS = ("date_issued", "-date_issued")
IN_REVIEW = ("This invoice is being reviewed by our accounting department and cannot be downloaded yet. "
             "It will be sent to you by email once it is released.")
IN_REVIEW_RETRY_AFTER = 300


def account_organizer(principal: Principal, account: str) -> str:
    """The organizer an account id names, if this token may see its invoices: 404 for any other account,
    403 for its own account without the permission."""
    if account != principal.organizer:
        raise NotFound()
    principal.require(PERMISSION)
    return account


def get(organizer: str, number: str) -> store.StoredBillingInvoice:
    invoice = store.get(organizer, number)
    if invoice is None:
        raise NotFound()
    return invoice


def parse_ordering(value: str | None) -> str:
    """pretix's OrderingFilter ignores fields it does not offer: the default applies."""
    return value if value in ORDERINGS else "date_issued"


def list_page(organizer: str, request: PageRequest, ordering: str = "date_issued") -> Page:
    """A page in date order (the issue sequence breaks ties), read from the `ByOrgDate` index; the count
    comes from the organizer's billing statistics, never from reading the invoices."""
    query = ListQuery(partition=("PK", store.billing_pk(organizer)), sort="DateAsc", index=store.BY_DATE_INDEX,
                      forward=ordering == "date_issued", scope=f"billing:{organizer}:{ordering}")
    page = fetch_page(query, request, store.count(organizer))
    page.results = [store.from_item(item) for item in page.results]
    return page


def download(organizer: str, number: str) -> Download:
    """The PDF once the invoice is released and rendered; 423 with Retry-After before (asking for a render
    of a released invoice whose file is missing, once, as invoice downloads do)."""
    invoice = get(organizer, number)
    if invoice.review_state != "released":
        raise Locked(IN_REVIEW, retry_after=IN_REVIEW_RETRY_AFTER)
    if invoice.file is None:
        # Only a PDF not rendered yet needs the workflow (and the platform settings and parties behind it): the
        # cold start of the reading function does not load it.
        from invoicing.billing import workflow

        workflow.request_render(invoice)
        raise Locked()
    return Download(number=invoice.number, file=invoice.file)
