"""Why a transmission failed: the attempts of one invoice, newest first, as `GET .../transmissions/` lists them.

Reasons are written by the providers in words and name settings or fields, never their values (no personal
data); the invoice resource itself keeps exactly pretix's fields.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict

from invoicing.invoices.read import Visibility, get_invoice
from invoicing.pagination import Page, PageRequest, paginate_list
from invoicing.storage import transmissions as store


class TransmissionAttempt(BaseModel):
    model_config = ConfigDict(defer_build=True)

    provider: str
    status: str  # inflight, completed, failed, testmode_ignored
    started: str
    finished: str | None
    tries: int
    reason: str | None


class TransmissionPage(BaseModel):
    model_config = ConfigDict(defer_build=True)

    count: int
    next: str | None
    previous: str | None
    results: list[TransmissionAttempt]


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {"provider": item.get("provider", ""), "status": item.get("status", ""), "started": item.get("started", ""),
            "finished": item.get("finished"), "tries": int(item.get("tries", 1)), "reason": item.get("reason")}


def list_attempts(organizer: str, number: str, visibility: Visibility, request: PageRequest) -> Page:
    """404 as for the invoice itself when the caller may not see it."""
    invoice = get_invoice(organizer, number, visibility)
    attempts = sorted((_public(item) for item in store.log_attempts(organizer, invoice.number)),
                      key=lambda attempt: attempt["started"], reverse=True)
    return paginate_list(attempts, request)
