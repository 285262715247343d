"""Transmission provider `peppol`: attempts from its queue (see invoicing_jobs.transmission)."""

from __future__ import annotations

from invoicing.transmission.providers.peppol import Peppol
from invoicing_jobs.transmission import make_handler

lambda_handler = make_handler(Peppol(), queue_variable="PEPPOL_QUEUE_URL")
