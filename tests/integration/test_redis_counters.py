"""The abuse counters on the real Redis: peek counts nothing, hit counts, a claim is single use
until released, and every key expires (nothing outlives its window)."""

from __future__ import annotations

import uuid

import pytest
import redis

from observatory.responses.abuse import Limits, RedisCounter, Source, SourceKind

pytestmark = pytest.mark.services
REDIS_URL = "redis://127.0.0.1:6379/11"


def test_redis_counters_count_claim_and_expire() -> None:
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"test:{uuid.uuid4().hex}:"
    counter = RedisCounter(client, prefix=prefix)
    try:
        assert counter.peek("k") == 0
        assert [counter.hit("k", 60) for _ in range(3)] == [1, 2, 3]
        assert counter.peek("k") == 3
        assert counter.claim("t", 30) and not counter.claim("t", 30)
        counter.release("t")
        assert counter.claim("t", 30)
        for key in client.scan_iter(f"{prefix}*"):
            assert 0 < client.ttl(key) <= 60
        limits = Limits(counter, per_client_per_hour=1, per_place_per_hour=5, burst_threshold=9)
        form = Source(SourceKind.FORM, "P", client="c")
        assert limits.admit(form, "P")
        limits.accepted(form, "P")
        assert not limits.admit(form, "P")
        assert limits.claim_once("a form token", 60) and not limits.claim_once("a form token", 60)
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
