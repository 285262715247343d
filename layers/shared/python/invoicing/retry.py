"""Retrying an operation whose conditional writes lose against concurrent ones (numbering, billing state)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from invoicing.errors import Conflict

T = TypeVar("T")
RETRY_SECONDS = 8.0  # inside the API functions' 10 s timeout


def retrying(attempt: Callable[[], T], budget: float | None = None) -> T:
    """Run `attempt` (which re-reads what it needs) until its conditional writes go through.

    Contention on an organizer's counter is expected under load: the loser re-reads and tries again
    after a short jittered pause. When the time budget is spent the caller gets pretix's "too busy" 409.
    """
    deadline = time.monotonic() + (RETRY_SECONDS if budget is None else budget)  # read now: tests may raise it
    tries = 0
    while True:
        try:
            return attempt()
        except Conflict:
            if time.monotonic() > deadline:
                raise
            tries += 1
            time.sleep(random.uniform(0, min(0.25, 0.004 * 2 ** min(tries, 6))))  # noqa: S311 - jitter, not crypto
