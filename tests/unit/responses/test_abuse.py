"""Rate-limit counters, the hourly client hash, and failing open when counters are down."""

from __future__ import annotations

from observatory.resilience import Breaker
from observatory.responses.abuse import (
    Limits,
    MemoryCounter,
    Source,
    SourceKind,
    answers_signature,
    client_key,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_memory_counter_windows_expire() -> None:
    clock = Clock()
    counter = MemoryCounter(clock)
    assert [counter.hit("k", 60) for _ in range(3)] == [1, 2, 3]
    clock.now += 61
    assert counter.hit("k", 60) == 1


def test_client_key_is_salted_and_changes_every_hour() -> None:
    a = client_key("s" * 32, "192.0.2.1", now=3600 * 10 + 5)
    assert a == client_key("s" * 32, "192.0.2.1", now=3600 * 10 + 3000)
    assert a != client_key("s" * 32, "192.0.2.1", now=3600 * 11 + 5)
    assert a != client_key("t" * 32, "192.0.2.1", now=3600 * 10 + 5)
    assert "192.0.2.1" not in a


def test_signature_ignores_order_and_depends_on_client_and_place() -> None:
    one = answers_signature("c1", "ABC234", {"motif": ["b", "a"], "satisfaction": ["bien"]})
    assert one == answers_signature("c1", "ABC234", {"satisfaction": ["bien"], "motif": ["a", "b"]})
    assert one != answers_signature("c1", "DEF567", {"motif": ["b", "a"], "satisfaction": ["bien"]})
    assert one != answers_signature("c2", "ABC234", {"motif": ["b", "a"], "satisfaction": ["bien"]})


def test_claims_are_single_use_until_released_or_expired() -> None:
    clock = Clock()
    counter = MemoryCounter(clock)
    assert counter.claim("t", 60) and not counter.claim("t", 60)
    counter.release("t")
    assert counter.claim("t", 60)
    clock.now += 61
    assert counter.claim("t", 60)


def test_only_accepted_answers_fill_a_bucket() -> None:
    limits = Limits(MemoryCounter(), per_client_per_hour=2, per_place_per_hour=3, burst_threshold=9)
    form = Source(SourceKind.FORM, "P", client="c")
    assert all(limits.admit(form, "P") for _ in range(10))  # asking counts nothing
    limits.accepted(form, "P")
    limits.accepted(form, "P")
    assert not limits.admit(form, "P")
    assert limits.admit(Source(SourceKind.FORM, "P", client="d"), "P")
    limits.accepted(Source(SourceKind.FORM, "P", client="d"), "P")
    assert not limits.admit(Source(SourceKind.FORM, "P", client="e"), "P")  # the place is full
    assert limits.admit(Source(SourceKind.KIOSK, "7"), "P")  # the kiosk has its own bucket


class BrokenCounter:
    def __init__(self) -> None:
        self.calls = 0

    def hit(self, key: str, *_: object) -> int:
        self.calls += 1
        raise ConnectionError("redis down")

    peek = claim = release = hit


def test_limits_fail_open_and_stop_calling_a_broken_counter() -> None:
    broken = BrokenCounter()
    limits = Limits(broken, per_client_per_hour=1, per_place_per_hour=1, burst_threshold=1)
    form = Source(SourceKind.FORM, "p", client="c")
    assert all(limits.admit(form, "p") for _ in range(5))
    assert not any(limits.is_burst(form, "p", {"q": ["a"]}) for _ in range(5))
    assert all(limits.claim_once("token", 60) for _ in range(5))  # fails open
    assert broken.calls == 1  # the breaker spared the next calls a timeout each


def test_breaker_closes_again_after_its_pause() -> None:
    clock = Clock()
    breaker = Breaker(10, clock)
    breaker.trip()
    assert not breaker.available()
    clock.now += 10
    assert breaker.available()
