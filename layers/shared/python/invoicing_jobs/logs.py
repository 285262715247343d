"""What every queue job logs: which job (organizer, invoice number, attempt) and how it ended. Never names,
addresses or emails: those stay in the table, the job's keys find them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools import Logger


def delivery(record: Any) -> int:
    """Which delivery of an SQS record this is (1 for the first; records without the attribute count as first)."""
    return int((record.attributes or {}).get("ApproximateReceiveCount") or 1)


@contextmanager
def job(logger: Logger, expected: tuple[type[BaseException], ...] = (), **keys: Any) -> Iterator[None]:
    """Every log line inside carries `keys`; an exception is logged by its type only (its message may quote
    personal data), except `expected` ones, which the caller reports itself."""
    logger.append_keys(**keys)
    try:
        yield
    except expected:
        raise
    except Exception as exc:
        logger.error("job failed", extra={"outcome": "error", "error": type(exc).__name__})
        raise
    finally:
        logger.remove_keys(list(keys))
