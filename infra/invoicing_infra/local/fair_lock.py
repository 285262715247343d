"""A reentrant lock that goes to its waiters in the order they asked for it.

`threading.RLock` promises no order: a thread that releases it and asks again at once (an SQS poller with a
full queue, an API server thread with the next request waiting) usually gets it back before a thread that has
been waiting, so one function can be starved for as long as others keep busy. The local stack runs every
invocation under one lock (handlers.FunctionRunner); with this one each waiting function gets its turn.
"""

from __future__ import annotations

import threading
from collections import deque


class FairRLock:
    """Reentrant; on release the longest waiter becomes the owner (it does not compete for it again)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._waiters: deque[tuple[int, threading.Lock]] = deque()

    def acquire(self) -> bool:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is None:
                self._owner, self._depth = me, 1
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append((me, turn))
        try:
            turn.acquire()  # released by the owner that hands the lock over to this thread
        except BaseException:  # interrupted while waiting (KeyboardInterrupt): leave the queue, or pass the lock on
            with self._mutex:
                handed_over = (me, turn) not in self._waiters
                if not handed_over:
                    self._waiters.remove((me, turn))
            if handed_over:
                self.release()
            raise
        return True

    def release(self) -> None:
        with self._mutex:
            if self._owner != threading.get_ident():
                raise RuntimeError("cannot release a lock this thread does not hold")
            self._depth -= 1
            if self._depth:
                return
            if self._waiters:
                self._owner, turn = self._waiters.popleft()
                self._depth = 1
                turn.release()
            else:
                self._owner = None

    def __enter__(self) -> FairRLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
