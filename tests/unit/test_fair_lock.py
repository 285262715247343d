"""FairRLock (infra/invoicing_infra/local/fair_lock.py): waiters get the lock in the order they asked, a thread
that releases and asks again queues behind them, and it is reentrant."""

from __future__ import annotations

import threading
import time

import pytest

from invoicing_infra.local.fair_lock import FairRLock


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(0.005)


def test_waiters_get_the_lock_in_the_order_they_asked_even_against_the_releasing_thread():
    lock = FairRLock()
    order: list[str] = []
    lock.acquire()

    def take(name: str) -> None:
        with lock:
            order.append(name)

    threads = []
    for name in ("first", "second", "third"):
        thread = threading.Thread(target=take, args=(name,))
        thread.start()
        threads.append(thread)
        wait_until(lambda count=len(threads): len(lock._waiters) == count)

    # The owner releases and asks again at once: it queues behind the three waiters
    lock.release()
    with lock:
        order.append("owner again")
    for thread in threads:
        thread.join(10)
    assert order == ["first", "second", "third", "owner again"]


def test_it_is_reentrant_and_only_the_outermost_release_frees_it():
    lock = FairRLock()
    taken = threading.Event()
    with lock:
        with lock:
            thread = threading.Thread(target=lambda: (lock.acquire(), taken.set(), lock.release()))
            thread.start()
            wait_until(lambda: len(lock._waiters) == 1)
        # the inner release: still held, the other thread still waits
        assert len(lock._waiters) == 1 and not taken.is_set()
    thread.join(10)
    assert taken.is_set()


def test_a_thread_that_does_not_hold_it_cannot_release_it():
    lock = FairRLock()
    with pytest.raises(RuntimeError, match="does not hold"):
        lock.release()
