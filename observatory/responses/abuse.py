"""Abuse signals without tracking: rate limits, single-use form tokens, bursts of identical
answers.

Counters live in Redis (or in memory in embedded mode) for at most an hour and are keyed by
salted hashes: no address, and nothing that outlives the hour, is ever written anywhere.

Limits must never lock real people out (issue 10): only *accepted* answers count towards a
limit, so replayed or refused posts cost an attacker a request and nobody else anything; an
enrolled kiosk and a signed-in mediator each have their own bucket and never touch the place's
or the address's; a burst is identical answers from one client key, never from a whole place.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Protocol, TypeVar

from observatory.resilience import Breaker

MAX_TTL_SECONDS = 3600
T = TypeVar("T")
log = logging.getLogger(__name__)


class Counter(Protocol):
    def hit(self, key: str, window_seconds: int) -> int:
        """Count one event under `key` in a window; return the count so far in that window."""

    def peek(self, key: str) -> int:
        """The count so far under `key` (0 when its window is over)."""

    def claim(self, key: str, ttl_seconds: int) -> bool:
        """Mark `key` as used for `ttl_seconds`; False if it already was."""

    def release(self, key: str) -> None:
        """Forget a claim (the answer it was spent on was not stored)."""


class MemoryCounter:
    """Fixed-window counters and claims in this process, expired lazily; embedded mode."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}

    def _live(self, key: str, now: float) -> tuple[float, int]:
        if len(self._counts) > 100_000:
            self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
        expires, count = self._counts.get(key, (0.0, 0))
        return (expires, count) if expires > now else (0.0, 0)

    def hit(self, key: str, window_seconds: int) -> int:
        window = min(window_seconds, MAX_TTL_SECONDS)
        now = self._clock()
        with self._lock:
            expires, count = self._live(key, now)
            self._counts[key] = (expires or now + window, count + 1)
            return count + 1

    def peek(self, key: str) -> int:
        with self._lock:
            return self._live(key, self._clock())[1]

    def claim(self, key: str, ttl_seconds: int) -> bool:
        now = self._clock()
        with self._lock:
            if self._live(key, now)[1]:
                return False
            self._counts[key] = (now + max(ttl_seconds, 1), 1)
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class RedisCounter:
    """Fixed-window counters (INCR + EXPIRE) and claims (SET NX EX) in Redis, shared by every
    web process."""

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

    def peek(self, key: str) -> int:
        value = self._client.get(self._prefix + key)  # type: ignore[attr-defined]
        return int(value or 0)

    def claim(self, key: str, ttl_seconds: int) -> bool:
        name = self._prefix + key
        return bool(self._client.set(name, "1", nx=True, ex=max(ttl_seconds, 1)))  # type: ignore[attr-defined]

    def release(self, key: str) -> None:
        self._client.delete(self._prefix + key)  # type: ignore[attr-defined]


def client_key(secret: str, address: str | None, now: float | None = None) -> str:
    """A salted hash of the client address that changes every hour (nothing to re-identify)."""
    hour = int((now if now is not None else time.time()) // 3600)
    message = f"{hour}:{address or '-'}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def answers_signature(client: str, place_code: str, choices: Mapping[str, Sequence[str]]) -> str:
    """Same client, same place and exactly the same choices give the same signature (texts are
    ignored)."""
    canonical = ";".join(f"{q}={','.join(sorted(v))}" for q, v in sorted(choices.items()))
    return hashlib.sha256(f"{client}|{place_code}|{canonical}".encode()).hexdigest()[:32]


class SourceKind(Enum):
    FORM = "form"  # the anonymous form, by QR code or link: one client address
    KIOSK = "kiosk"  # an enrolled tablet
    MEDIATOR = "mediator"  # a signed-in mediator transcribing paper or oral answers


@dataclass(frozen=True)
class Source:
    """Who sends an answer: scopes its idempotency key and picks the limits that apply.

    `id` is the place code for the form, the kiosk id, or the mediator's token id; `client` is
    the hourly salted hash of the address (the form only).
    """

    kind: SourceKind
    id: str
    client: str = ""

    def scope(self) -> str:
        return f"{self.kind.value}:{self.id}"


class Limits:
    """The abuse rules of ingestion, over any counter; they fail open when it is unavailable
    (Redis down): an answer is never lost for want of a counter."""

    def __init__(
        self,
        counter: Counter,
        *,
        per_client_per_hour: int,
        per_place_per_hour: int,
        per_kiosk_per_hour: int = 600,
        per_mediator_per_hour: int = 600,
        burst_threshold: int,
        burst_window_seconds: int = 600,
    ) -> None:
        self._counter = counter
        self._breaker = Breaker()
        self.per_client_per_hour = per_client_per_hour
        self.per_place_per_hour = per_place_per_hour
        self.per_kiosk_per_hour = per_kiosk_per_hour
        self.per_mediator_per_hour = per_mediator_per_hour
        self.burst_threshold = burst_threshold
        self.burst_window_seconds = burst_window_seconds

    def _buckets(self, source: Source, place_code: str) -> list[tuple[str, int]]:
        """The (counter key, hourly limit) pairs an accepted answer from `source` counts in."""
        if source.kind is SourceKind.KIOSK:
            return [(f"k:{source.id}", self.per_kiosk_per_hour)]
        if source.kind is SourceKind.MEDIATOR:
            return [(f"m:{source.id}", self.per_mediator_per_hour)]
        # Generous by design: a médiathèque's public Wi-Fi puts every visitor behind one address.
        return [
            (f"c:{source.client}", self.per_client_per_hour),
            (f"p:{place_code}", self.per_place_per_hour),
        ]

    def _guarded(self, default: T, action: Callable[[], T], what: str) -> T:
        if not self._breaker.available():
            return default
        try:
            return action()
        except Exception:  # counters unavailable (Redis down): never lose an answer for that
            log.warning("abuse counters unavailable (%s); failing open", what, exc_info=True)
            self._breaker.trip()
            return default

    def admit(self, source: Source, place_code: str) -> bool:
        """False once one of the source's buckets is full; counts nothing (see `accepted`)."""
        buckets = self._buckets(source, place_code)
        return self._guarded(
            True, lambda: all(self._counter.peek(key) < limit for key, limit in buckets), "admit"
        )

    def accepted(self, source: Source, place_code: str) -> None:
        """Count a stored answer in the source's buckets."""
        for key, _ in self._buckets(source, place_code):
            self._guarded(0, partial(self._counter.hit, key, MAX_TTL_SECONDS), "count")

    def is_burst(
        self, source: Source, place_code: str, choices: Mapping[str, Sequence[str]]
    ) -> bool:
        """True when one client keeps sending the same answers: kept, but flagged for review.

        Kiosks (they have their own minimum interval) and signed-in mediators (a stack of paper
        forms often holds identical answers; their entries are attributable) are never flagged.
        """
        if source.kind is not SourceKind.FORM:
            return False
        signature = "b:" + answers_signature(source.client, place_code, choices)
        count = self._guarded(
            0, lambda: self._counter.hit(signature, self.burst_window_seconds), "burst"
        )
        return count > self.burst_threshold

    @staticmethod
    def _once_key(credential: str) -> str:
        """Only a hash of a credential is ever kept."""
        return "t:" + hashlib.sha256(credential.encode()).hexdigest()[:40]

    def claim_once(self, credential: str, ttl_seconds: int) -> bool:
        """Spend a single-use credential (a form token): False if it was already spent.

        Its hash is kept until the credential would have expired anyway."""
        key = self._once_key(credential)
        return self._guarded(True, lambda: self._counter.claim(key, ttl_seconds), "single-use")

    def release_once(self, credential: str) -> None:
        """Give a credential back when the answer it was spent on was not stored."""
        key = self._once_key(credential)
        self._guarded(None, lambda: self._counter.release(key), "single-use")
