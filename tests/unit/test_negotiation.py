"""Content negotiation for the account invoice: JSON unless the client prefers the PDF, 406 when it wants neither."""

from __future__ import annotations

import pytest

from invoicing_http.negotiation import choose

OFFERED = ("application/json", "application/pdf")


@pytest.mark.parametrize(("accept", "chosen"), [
    (None, "application/json"),
    ("", "application/json"),
    ("*/*", "application/json"),
    ("application/*", "application/json"),
    ("application/json", "application/json"),
    ("application/pdf", "application/pdf"),
    ("APPLICATION/PDF", "application/pdf"),
    ("application/pdf, application/json", "application/json"),  # a tie goes to the first offer
    ("application/json;q=0.4, application/pdf", "application/pdf"),
    ("application/pdf;q=0.9, */*;q=0.1", "application/pdf"),
    ("text/html, application/xhtml+xml;q=0.9, */*;q=0.8", "application/json"),
    ("*/*, application/json;q=0", "application/pdf"),  # the specific range wins over the wildcard
    ("text/html", None),
    ("application/xml, text/*", None),
    ("application/pdf;q=0, application/json;q=0", None),
    ("application/pdf;q=abc", None),
    ("garbage", "application/json"),  # nothing parseable: as if absent
])
def test_the_preferred_offer_or_none(accept, chosen):
    assert choose(accept, OFFERED) == chosen
