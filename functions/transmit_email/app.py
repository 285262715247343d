"""Transmission type `email`: attempts from its queue, sent by its provider (see invoicing.transmission.types.email)."""

from __future__ import annotations

from invoicing_jobs.transmission import make_handler

lambda_handler = make_handler("email")
