"""Waiting for an event that happens on another thread or in the local stack.

A test waits for the event itself (a status reached, a count of runs); the deadline only bounds a hang and
says what never happened. Whether something is fast is for bench/, never a test's pass or fail.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
HANG = 60.0  # far above any healthy run on a loaded machine: reaching it means the event never comes


def wait_for(condition: Callable[[], T], what: str, timeout: float = HANG, interval: float = 0.05) -> T:
    """`condition()` once it is truthy; TimeoutError naming `what` if it never becomes so."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() >= deadline:
            raise TimeoutError(f"still waiting for {what} after {timeout:.0f} s")
        time.sleep(interval)
    return result
