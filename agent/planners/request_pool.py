"""How a planner client treats a busy server: at most N requests in flight per process, and HTTP 429 / 503
answers retried with exponential backoff (the server's Retry-After when it sends one).

    PIXELRIST_PLANNER_CONCURRENCY   requests in flight per process (default 8); each eval worker is a process
                                    or a Ray actor, so a server sees at most workers x this many
"""
from __future__ import annotations

import os
import random
import threading
import time
from typing import Callable, TypeVar

CONCURRENCY_ENV = "PIXELRIST_PLANNER_CONCURRENCY"
BUSY_STATUS = (429, 503)
T = TypeVar("T")

_POOL: threading.BoundedSemaphore | None = None
_POOL_LOCK = threading.Lock()
_sleep = time.sleep  # tests replace it


def request_slots() -> threading.BoundedSemaphore:
    """The process-wide bound on planner requests in flight."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = threading.BoundedSemaphore(max(1, int(os.environ.get(CONCURRENCY_ENV, "8"))))
        return _POOL


def backoff_seconds(attempt: int, retry_after: str | None, base: float = 0.5, cap: float = 20.0) -> float:
    """Seconds to wait before retry `attempt` (0-based): the server's Retry-After (seconds) if given, else
    base x 2^attempt with +-25% jitter, at most `cap`."""
    try:
        if retry_after is not None:
            return min(max(float(retry_after), 0.0), cap)
    except ValueError:
        pass
    return min(cap, base * 2 ** attempt * random.uniform(0.75, 1.25))


def send(request: Callable[[], T], status_of: Callable[[Exception], tuple[int | None, str | None]],
         busy_retries: int = 4) -> T:
    """request() inside a request slot; an exception whose status_of(exc) is (429 | 503, retry_after) is retried
    up to busy_retries times with backoff, any other exception (or the last busy one) propagates."""
    for attempt in range(busy_retries + 1):
        try:
            with request_slots():
                return request()
        except Exception as exc:
            status, retry_after = status_of(exc)
            if status not in BUSY_STATUS or attempt == busy_retries:
                raise
            _sleep(backoff_seconds(attempt, retry_after))
    raise AssertionError("unreachable")
