"""Transmission provider `it_sdi`: attempts from its queue (see invoicing_jobs.transmission)."""

from __future__ import annotations

from invoicing.transmission.providers.it_sdi import ItSdi
from invoicing_jobs.transmission import make_handler

lambda_handler = make_handler(ItSdi(), queue_variable="SDI_QUEUE_URL")
