"""Transmission provider `email_pdf`: attempts from its queue (see invoicing_jobs.transmission)."""

from __future__ import annotations

from invoicing.transmission.providers.email_pdf import EmailPdf
from invoicing_jobs.transmission import make_handler

lambda_handler = make_handler(EmailPdf(), queue_variable="EMAIL_QUEUE_URL")
