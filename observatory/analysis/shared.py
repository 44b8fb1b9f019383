"""A store of page figures the workers make ahead, shared by every web process: Redis when the
product has one, else the process's own memory (the embedded default, where the worker is a
thread of the web process itself).

Why not the in-process memos alone (`observatory.analysis.memo`): they are empty after a
restart and after ten idle minutes, and each web process fills its own; the funnel of a large
département then read its hundreds of places on a person's first visit (179 ms p95 at 10 M
answers, docs/decisions/0023). The workers write here after each fold; any process reads.

Values are bytes with a version beside them (what the cells they were made from looked like), so
that a reader keeps only a value made from the cells as it sees them, and the worker rewrites
only what changed. A failing Redis never fails a page: reads miss, writes are dropped, and the
breaker skips Redis for a while rather than wait for its timeout on every request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Protocol

import redis

from observatory.config import Settings
from observatory.resilience import Breaker

log = logging.getLogger(__name__)

# Values nobody rewrote for this long are dropped (a period no longer offered, a département
# without places any more); the workers rewrite what is still offered when it is missing.
TTL_SECONDS = 7 * 24 * 3600
PREFIX = "observatory:shared:"


class SharedStore(Protocol):
    def versions(self, keys: Sequence[str]) -> list[str | None]:
        """The version stored beside each key (None: absent), in one round trip."""

    def get(self, key: str) -> tuple[str, bytes] | None:
        """The (version, value) stored for `key`, if any."""

    def put(self, values: Mapping[str, tuple[str, bytes]]) -> None:
        """Store each key's (version, value); never raises."""


class ProcessStore:
    """The embedded default's store: a dict shared by the web threads and the worker thread."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[float, str, bytes]] = {}
        self._lock = threading.Lock()

    def versions(self, keys: Sequence[str]) -> list[str | None]:
        found = [self.get(key) for key in keys]
        return [f[0] if f else None for f in found]

    def get(self, key: str) -> tuple[str, bytes] | None:
        with self._lock:
            found = self._values.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1], found[2]

    def put(self, values: Mapping[str, tuple[str, bytes]]) -> None:
        now = time.monotonic()
        with self._lock:
            for key in [k for k, (until, _, _) in self._values.items() if until < now]:
                del self._values[key]
            for key, (version, value) in values.items():
                self._values[key] = (now + TTL_SECONDS, version, value)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


class RedisStore:
    """Two Redis keys per value: its version alone (what the worker compares, cheaply, for
    every département and period after each fold) and the version with the value."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._breaker = Breaker()

    def versions(self, keys: Sequence[str]) -> list[str | None]:
        if not keys or not self._breaker.available():
            return [None] * len(keys)
        try:
            found = self._redis.mget([f"{PREFIX}v:{key}" for key in keys])
        except Exception:
            self._failed("read")
            return [None] * len(keys)
        return [v.decode() if isinstance(v, bytes) else None for v in found]

    def get(self, key: str) -> tuple[str, bytes] | None:
        if not self._breaker.available():
            return None
        try:
            found = self._redis.get(f"{PREFIX}c:{key}")
        except Exception:
            self._failed("read")
            return None
        if not isinstance(found, bytes) or b"\n" not in found:
            return None
        version, value = found.split(b"\n", 1)
        return version.decode(), value

    def put(self, values: Mapping[str, tuple[str, bytes]]) -> None:
        if not values or not self._breaker.available():
            return
        try:
            pipe = self._redis.pipeline(transaction=False)
            for key, (version, value) in values.items():
                pipe.set(f"{PREFIX}c:{key}", version.encode() + b"\n" + value, ex=TTL_SECONDS)
                pipe.set(f"{PREFIX}v:{key}", version, ex=TTL_SECONDS)
            pipe.execute()
        except Exception:
            self._failed("write")

    def _failed(self, what: str) -> None:
        log.warning("shared store: Redis %s failed; pages compute what they need", what)
        self._breaker.trip()


_PROCESS = ProcessStore()


@lru_cache(maxsize=4)
def _redis_store(url: str) -> RedisStore:
    return RedisStore(redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5))


def store_for(settings: Settings) -> SharedStore:
    """The store every process of this deployment shares (one client per process)."""
    if settings.redis_url:
        return _redis_store(settings.redis_url)
    return _PROCESS
