"""Transmission type `it_sdi`: attempts from its queue, sent by its provider (see invoicing.transmission.types.it_sdi)."""

from __future__ import annotations

from invoicing_jobs.transmission import make_handler

lambda_handler = make_handler("it_sdi")
