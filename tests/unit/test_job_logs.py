"""invoicing_jobs.logs: the keys a job's log lines carry, and how a failure is logged."""

from __future__ import annotations

import io
import json
import logging
import uuid

import pytest
from aws_lambda_powertools import Logger

from invoicing_jobs import logs


@pytest.fixture
def logger_and_lines():
    stream = io.StringIO()
    logger = Logger(service=f"jobs-test-{uuid.uuid4().hex}", level="INFO", logger_handler=logging.StreamHandler(stream))

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    return logger, lines


def test_every_line_inside_a_job_carries_its_keys_and_none_after(logger_and_lines):
    logger, lines = logger_and_lines

    with logs.job(logger, organizer="bigevents", number="SAMPLECONF-00001", attempt="a1"):
        logger.info("job done", extra={"outcome": "completed"})
    logger.info("between jobs")

    done, between = lines()
    assert (done["organizer"], done["number"], done["attempt"], done["outcome"]) == (
        "bigevents", "SAMPLECONF-00001", "a1", "completed")
    assert "organizer" not in between and "number" not in between


def test_a_failure_is_logged_by_its_type_not_its_message(logger_and_lines):
    logger, lines = logger_and_lines

    with pytest.raises(ValueError, match=r"jane@example\.com"), logs.job(logger, organizer="o", number="N-1"):
        raise ValueError("no mailbox jane@example.com")

    (failed,) = lines()
    assert (failed["message"], failed["outcome"], failed["error"], failed["number"]) == (
        "job failed", "error", "ValueError", "N-1")
    assert "jane@example.com" not in json.dumps(failed)


def test_expected_exceptions_are_left_to_the_caller(logger_and_lines):
    logger, lines = logger_and_lines

    with pytest.raises(TimeoutError, match="later"), logs.job(logger, expected=(TimeoutError,), number="N-2"):
        raise TimeoutError("later")

    assert lines() == []
