"""Abuse signals without tracking: rate limits and bursts of identical answers.

Counters live in Redis (or in memory in embedded mode) for at most an hour and are keyed by
salted hashes: no address, and nothing that outlives the hour, is ever written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from observatory.resilience import Breaker

MAX_TTL_SECONDS = 3600
log = logging.getLogger(__name__)


class Counter(Protocol):
    def hit(self, key: str, window_seconds: int) -> int:
        """Count one event under `key` in a window; return the count so far in that window."""


class MemoryCounter:
    """Fixed-window counters in this process, expired lazily; for the embedded mode."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, window_seconds: int) -> int:
        window = min(window_seconds, MAX_TTL_SECONDS)
        now = self._clock()
        with self._lock:
            if len(self._counts) > 100_000:
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
            expires, count = self._counts.get(key, (0.0, 0))
            if expires <= now:
                expires, count = now + window, 0
            self._counts[key] = (expires, count + 1)
            return count + 1


class RedisCounter:
    """Fixed-window counters in Redis (INCR + EXPIRE), shared by every web process."""

    def __init__(self, client: object, prefix: str = "observatory:rl:") -> None:
        self._client = client
        self._prefix = prefix

    def hit(self, key: str, window_seconds: int) -> int:
        name = self._prefix + key
        pipe = self._client.pipeline()  # type: ignore[attr-defined]
        pipe.incr(name)
        pipe.expire(name, min(window_seconds, MAX_TTL_SECONDS), nx=True)
        count, _ = pipe.execute()
        return int(count)


def client_key(secret: str, address: str | None, now: float | None = None) -> str:
    """A salted hash of the client address that changes every hour (nothing to re-identify)."""
    hour = int((now if now is not None else time.time()) // 3600)
    message = f"{hour}:{address or '-'}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def answers_signature(place_code: str, choices: Mapping[str, Sequence[str]]) -> str:
    """Same place and exactly the same choices give the same signature (texts are ignored)."""
    canonical = ";".join(f"{q}={','.join(sorted(v))}" for q, v in sorted(choices.items()))
    return hashlib.sha256(f"{place_code}|{canonical}".encode()).hexdigest()[:32]


class Limits:
    """The abuse rules of the form, over any counter."""

    def __init__(
        self,
        counter: Counter,
        *,
        per_client_per_hour: int,
        per_place_per_hour: int,
        burst_threshold: int,
        burst_window_seconds: int = 600,
    ) -> None:
        self._counter = counter
        self._breaker = Breaker()
        self.per_client_per_hour = per_client_per_hour
        self.per_place_per_hour = per_place_per_hour
        self.burst_threshold = burst_threshold
        self.burst_window_seconds = burst_window_seconds

    def allow(self, client: str, place_code: str) -> bool:
        """Count a submission; False once the client or the place is over its hourly limit.

        Generous by design: a médiathèque's public Wi-Fi puts every visitor behind one address.
        """
        if not self._breaker.available():
            return True
        try:
            per_client = self._counter.hit(f"c:{client}", MAX_TTL_SECONDS)
            per_place = self._counter.hit(f"p:{place_code}", MAX_TTL_SECONDS)
        except Exception:  # counters unavailable (Redis down): never lose an answer for that
            log.warning("rate-limit counters unavailable; accepting", exc_info=True)
            self._breaker.trip()
            return True
        return per_client <= self.per_client_per_hour and per_place <= self.per_place_per_hour

    def is_burst(self, signature: str) -> bool:
        """True when the same answers keep arriving at one place: kept, but flagged for review."""
        if not self._breaker.available():
            return False
        try:
            count = self._counter.hit(f"b:{signature}", self.burst_window_seconds)
        except Exception:
            log.warning("burst counters unavailable; not flagging", exc_info=True)
            self._breaker.trip()
            return False
        return count > self.burst_threshold
