"""A circuit breaker for optional dependencies (Redis) on the request path."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Breaker:
    """After a failure, skip the dependency for a while instead of timing out on every request.

    With Redis down, each call would otherwise wait for its connection timeout: a person sending
    the form would wait seconds for counters and notifications the database does not need.
    """

    def __init__(self, pause_seconds: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self._pause = pause_seconds
        self._clock = clock
        self._until = 0.0
        self._lock = threading.Lock()

    def available(self) -> bool:
        with self._lock:
            return self._clock() >= self._until

    def trip(self) -> None:
        with self._lock:
            self._until = self._clock() + self._pause
