"""The logs of queue jobs (render, transmission, billing) name the job and its outcome, never a person."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

PERSONAL = ("dummy@dummy.test", "John Doe", "Test street 12", "accounts@")


class Captured(logging.Handler):
    """The JSON lines the functions' Powertools logger writes, with its appended keys (its formatter holds them)."""

    def __init__(self, formatter: logging.Formatter):
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))

    def with_message(self, message: str) -> list[dict]:
        return [line for line in self.lines if line.get("message") == message]


@pytest.fixture
def shop(new_organizer):
    organizer = new_organizer("logs", invoice_generate="True", invoice_email_attachment=True)
    organizer.event("conf")
    return organizer


@pytest.fixture
def logs(stack, shop) -> Iterator[Captured]:
    shop.order("conf")  # loads the functions (and their logger) once
    stack.drain()
    service_logger = logging.getLogger("invoicing")
    formatter = next(handler.formatter for handler in service_logger.handlers if handler.formatter is not None)
    captured = Captured(formatter)
    service_logger.addHandler(captured)
    try:
        yield captured
    finally:
        service_logger.removeHandler(captured)


def test_render_and_transmission_logs_carry_organizer_number_attempt_and_outcome(stack, shop, logs):
    order = shop.order("conf", invoice_address={"name": "John Doe", "street": "Test street 12", "zipcode": "12345",
                                                "city": "Testington", "country": "DE"})
    stack.drain()
    number = next(n for n in shop.invoice_numbers("conf") if shop.invoice(n)["order"] == order["code"])

    (rendered,) = [line for line in logs.with_message("render job done") if line.get("number") == number]
    assert rendered["organizer"] == shop.slug and rendered["kind"] == "invoice"
    assert rendered["attempt"] == 1 and rendered["delivery"] == 1 and rendered["outcome"]
    (sent,) = [line for line in logs.with_message("transmission attempt done") if line.get("number") == number]
    assert sent["organizer"] == shop.slug and sent["provider"] == "email_pdf"
    assert sent["attempt"] and sent["outcome"] in ("completed", "failed", "testmode_ignored")
    text = json.dumps(logs.lines)
    assert not [word for word in PERSONAL if word in text]
